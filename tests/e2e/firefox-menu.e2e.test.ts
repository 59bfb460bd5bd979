/**
 * "Paste RAGFlow key" in Firefox's own context menu, before and after a restart of Firefox with
 * the same profile. Headful (Firefox shows no context menu headless): npm run test:e2e starts
 * Xvfb when there is no display.
 *
 * The Firefox build's background is an event page, whose menu items Firefox itself keeps across
 * restarts (https://developer.mozilla.org/docs/Mozilla/Add-ons/WebExtensions/API/menus/create).
 * What a restart does lose is storage.session: every cached key, and with them the servers known
 * only through one. The items Firefox restores can therefore be stale, and runtime.onStartup must
 * rebuild them: here, a server removed from the settings whose key was still cached is offered
 * before the restart and must be gone after it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { normalizeServerUrl } from '../../lib/ragflow/server-url';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import {
  addonId,
  auditFirefoxForLeaks,
  configureFirefoxServers,
  type FirefoxLeakAudit,
  inExtensionPage,
  installPermanently,
  launchFirefox,
  navigate,
  signInThroughPopup,
  packFirefoxBuild,
  quitFirefox,
} from './support/firefox';
import {
  type ContextMenuEntry,
  chooseWithKeys,
  closeContextMenu,
  openContextMenu,
} from './support/firefox-context-menu';
import { PAGES_HOST, startTestPages, type TestPages } from './support/test-pages';

const ALICE = { email: 'alice@example.com', password: 'alice-pässword-1' };
const MENU_TITLE = 'Paste RAGFlow key';
const SERVER_A_NAME = 'Fake RAGFlow';

let workDir: string;
let profileDir: string;
let firefox: Browser | undefined;
let leakAudit: FirefoxLeakAudit | undefined;
let serverA: FakeRagflow;
let serverB: FakeRagflow;
let pages: TestPages;

/** Starts Firefox headful with the test profile, the same one on every start. */
async function startFirefox(): Promise<Browser> {
  firefox = await launchFirefox({
    headless: false,
    profileDir,
    prefs: {
      // Firefox ESR installs an unsigned add-on permanently only with this (release Firefox never).
      'xpinstall.signatures.required': false,
      // The test pages' host name, as Chromium's --host-resolver-rules maps it for the other
      // tests: not in the extension's host permissions, so only the click's activeTab grant
      // lets it script the page. The network here is closed; every name is this machine.
      'network.dns.forceResolve': '127.0.0.1',
    },
  });
  leakAudit = await auditFirefoxForLeaks(firefox);
  return firefox;
}

/** The leak audit of the running Firefox, once more, before it quits; none after. */
async function auditBeforeQuitting(): Promise<void> {
  leakAudit?.stop();
  await leakAudit?.auditLeaks();
}

function running(): Browser {
  if (!firefox) throw new Error('Firefox is not running');
  return firefox;
}

interface ExtensionApi {
  storage: {
    local: { set(items: object): Promise<void> };
    session: { get(key: string): Promise<Record<string, unknown>> };
  };
  action: {
    getBadgeText(details: { tabId: number }): Promise<string>;
    getTitle(details: { tabId: number }): Promise<string>;
  };
  extension: { getViews(filter: { type: 'popup' }): Window[] };
}

/** What the options page saves: servers set up with their own public keys (the fakes' pairs). */
function saveServers(servers: { name: string; server: FakeRagflow }[]): Promise<void> {
  return configureFirefoxServers(
    running(),
    servers.map(({ name, server }) => ({ name, url: server.url, publicKeyPem: server.publicKeyPem })),
  );
}

/** Gets a key through the popup form, as a user would: it lands in storage.session. */
async function signIn(server: FakeRagflow): Promise<string> {
  const { popup, key } = await signInThroughPopup(running(), server.url, ALICE);
  await popup.close();
  expect(key).toBe(server.apiKeys(ALICE.email)[0]);
  return key;
}

async function openFieldsPage(): Promise<Page> {
  const page = await running().newPage();
  await navigate(page, pages.url('fields.html'));
  return page;
}

const fieldValue = (page: Page) => page.$eval('#plain', (input) => (input as HTMLInputElement).value);

/** The add-on's entries in the menu, and whether they come last (where the keys below go). */
function addonEntries(entries: ContextMenuEntry[]): { ours: ContextMenuEntry[]; last: boolean } {
  const ours = entries.filter((entry) => entry.fromAddon);
  return { ours, last: ours.length > 0 && entries.at(-ours.length) === ours[0] };
}

/**
 * Right-clicks the field until the menu shows the add-on's entries as `expected`, pressing
 * Escape in between: the background rebuilds the items a moment after a change or a start-up,
 * and Firefox reads them when the menu opens. Leaves the menu open.
 */
async function openMenuShowing(page: Page, expected: ContextMenuEntry[]): Promise<void> {
  await vi.waitFor(
    async () => {
      const { ours, last } = addonEntries(await openContextMenu(page, '#plain', addonId()));
      try {
        expect(ours, 'the add-on\u2019s entries in the context menu').toEqual(expected);
        // Up from no selection goes to the last entry: the add-on's, after Firefox's own.
        expect(last, 'the add-on\u2019s entries come last').toBe(true);
      } catch (error) {
        await closeContextMenu(page, addonId());
        throw error;
      }
    },
    { timeout: 15_000, interval: 500 },
  );
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'ragflow-keys-firefox-menu-'));
  profileDir = join(workDir, 'profile');
  [serverA, serverB, pages] = await Promise.all([
    startFakeRagflow({ generation: 'restful', users: [ALICE] }),
    startFakeRagflow({ generation: 'restful', users: [ALICE] }),
    startTestPages(),
  ]);
  const xpi = await packFirefoxBuild(workDir);
  await startFirefox();
  const [firstPage] = await running().pages();
  if (!firstPage) throw new Error('Firefox opened no page');
  expect(await installPermanently(firstPage, xpi)).toBe(addonId());
});

afterAll(async () => {
  await auditBeforeQuitting().finally(() => firefox?.close());
  await Promise.all([serverA?.close(), serverB?.close(), pages?.close()]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('"Paste RAGFlow key" in Firefox, installed for good, across a restart', () => {
  it('offers a server submenu while two servers are set up, pastes the chosen one\u2019s key, and forgets a removed one', async () => {
    await saveServers([
      { name: SERVER_A_NAME, server: serverA },
      { name: 'Server B', server: serverB },
    ]);
    const keyA = await signIn(serverA);
    await signIn(serverB);

    const page = await openFieldsPage();
    expect(new URL(page.url()).hostname).toBe(PAGES_HOST);
    await openMenuShowing(page, [
      { kind: 'menu', label: MENU_TITLE, fromAddon: true, items: [SERVER_A_NAME, 'Server B'] },
    ]);
    // The submenu, then its first server.
    await chooseWithKeys(page, addonId(), ['Up', 'Right', 'Return']);
    await vi.waitFor(async () => expect(await fieldValue(page)).toBe(keyA), { timeout: 10_000, interval: 100 });

    // Server B is removed on the options page: its session and key are forgotten, and its entry
    // goes (a single item stands for server A).
    await saveServers([{ name: SERVER_A_NAME, server: serverA }]);
    await openMenuShowing(page, [{ kind: 'menuitem', label: MENU_TITLE, fromAddon: true, items: [] }]);
    await closeContextMenu(page, addonId());
    await page.close();
  });

  it('after a restart, offers the one server still set up, once, rebuilt at start-up', async () => {
    // Firefox's own Quit, then the same profile again: a temporary add-on would be gone now.
    await auditBeforeQuitting();
    expect(await quitFirefox(running())).toBe(0);
    await startFirefox();

    const page = await openFieldsPage();
    // Not Firefox's restored submenu of two servers: a single item, standing for server A.
    await openMenuShowing(page, [{ kind: 'menuitem', label: MENU_TITLE, fromAddon: true, items: [] }]);
    await chooseWithKeys(page, addonId(), ['Up', 'Return']);

    // The restart emptied storage.session: no key to paste. The popup opens by itself and says
    // so, naming server A; the toolbar button of that tab says it too.
    const noKey = `No RAGFlow key for ${SERVER_A_NAME} yet. Sign in with RAGFlow Keys, then paste again.`;
    const popup = await vi.waitFor(
      async () => {
        const shown = await inExtensionPage(
          running(),
          async () => {
            const api = (globalThis as unknown as { browser: ExtensionApi }).browser;
            const document = api.extension.getViews({ type: 'popup' })[0]?.document;
            return {
              text: document?.body.innerText ?? '',
              serverUrl: document?.querySelector<HTMLInputElement>('#server-url')?.value,
            };
          },
          null,
        );
        expect(shown.text, 'the popup did not open with the notice').toContain(noKey);
        return shown;
      },
      { timeout: 10_000, interval: 200 },
    );
    // Ready to sign in to that server.
    expect(popup.serverUrl).toBe(normalizeServerUrl(serverA.url));
    type Notice = { messageKey: string; substitutions: string[]; tabId: number };
    const onButton = await inExtensionPage(
      running(),
      async () => {
        const api = (globalThis as unknown as { browser: ExtensionApi }).browser;
        const notice = (await api.storage.session.get('paste.notice'))['paste.notice'] as Notice;
        const tabId = notice.tabId;
        return { badge: await api.action.getBadgeText({ tabId }), title: await api.action.getTitle({ tabId }) };
      },
      null,
    );
    expect(onButton).toEqual({ badge: expect.stringMatching(/.+/), title: noKey });
    expect(await fieldValue(page)).toBe('');
    await page.close();
  });
});
