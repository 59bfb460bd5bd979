/**
 * A paste that has to fetch its key, in Firefox: the field is pinned by one `executeScript` at
 * the click and checked by another when the key comes, so this proves that Firefox runs both in
 * one world that keeps what the first left (the add-on's content-script sandbox of the frame).
 * Firefox's own context menu, chosen for real: headful, under Xvfb when there is no display.
 */
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import {
  addonId,
  auditFirefoxForLeaks,
  configureFirefoxServers,
  FIREFOX_EXTENSION_DIR,
  type FirefoxLeakAudit,
  inExtensionPage,
  launchFirefox,
  navigate,
  signInThroughPopup,
} from './support/firefox';
import { chooseWithKeys, closeContextMenu, openContextMenu } from './support/firefox-context-menu';
import { startTestPages, type TestPages } from './support/test-pages';

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };
/** Each request waits this long on the server: time enough to move the focus. */
const SLOW_SERVER_MS = 1500;

let firefox: Browser;
let leakAudit: FirefoxLeakAudit | undefined;
let server: FakeRagflow;
let pages: TestPages;
const openPages: Page[] = [];

/** The extension API of an extension page, for the few calls made here. */
interface ExtensionApi {
  storage: {
    local: { set(items: object): Promise<void> };
    session: {
      get(keys: string | null): Promise<Record<string, unknown>>;
      set(items: object): Promise<void>;
      remove(keys: string[]): Promise<void>;
    };
  };
}

/** Drops the cached key, keeping the session token: signed in, with no key cached. */
async function forgetCachedKeys(): Promise<void> {
  await inExtensionPage(
    firefox,
    async () => {
      const { session } = (globalThis as unknown as { browser: ExtensionApi }).browser.storage;
      const items = await session.get(null);
      for (const [key, value] of Object.entries(items)) {
        if (key.startsWith('account:')) await session.set({ [key]: { ...(value as object), currentKey: undefined } });
      }
      // Each account's key has an item of its own beside the entry (lib/keys/cached-key.ts).
      await session.remove(Object.keys(items).filter((key) => key.startsWith('key:')));
    },
    null,
  );
}

/** The message of the paste's latest notice, if any. */
async function latestNotice(): Promise<string | undefined> {
  return inExtensionPage(
    firefox,
    async () => {
      const { session } = (globalThis as unknown as { browser: ExtensionApi }).browser.storage;
      const notice = (await session.get('paste.notice'))['paste.notice'] as { messageKey: string } | undefined;
      return notice?.messageKey;
    },
    null,
  );
}

async function openFieldsPage(): Promise<Page> {
  const page = await firefox.newPage();
  openPages.push(page);
  await navigate(page, pages.url('fields.html'));
  return page;
}

const fieldValue = (page: Page, selector: string) =>
  page.$eval(selector, (field) => (field as HTMLInputElement | HTMLTextAreaElement).value);

/** Chooses "Paste RAGFlow key" on the field, once the menu shows it last (where Up goes). */
async function pasteFromMenu(page: Page, selector: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const entries = await openContextMenu(page, selector, addonId());
      if (entries.at(-1)?.fromAddon !== true) {
        await closeContextMenu(page, addonId());
        throw new Error('the add-on\u2019s item is not (yet) the last of the menu');
      }
    },
    { timeout: 15_000, interval: 500 },
  );
  await chooseWithKeys(page, addonId(), ['Up', 'Return']);
}

beforeAll(async () => {
  [server, pages] = await Promise.all([startFakeRagflow({ generation: 'restful', users: [ALICE] }), startTestPages()]);
  firefox = await launchFirefox({
    headless: false,
    // The test pages' host name: not in the extension's host permissions, so only the click's
    // activeTab grant lets it script the page. The network here is closed.
    prefs: { 'network.dns.forceResolve': '127.0.0.1' },
  });
  leakAudit = await auditFirefoxForLeaks(firefox);
  expect(await firefox.installExtension(FIREFOX_EXTENSION_DIR)).toBe(addonId());

  // One server set up, then signed in through the popup, as a user would.
  await configureFirefoxServers(firefox, [
    { name: 'Fake RAGFlow', url: server.url, publicKeyPem: server.publicKeyPem },
  ]);
  const { popup } = await signInThroughPopup(firefox, server.url, ALICE);
  await popup.close();
});

afterAll(async () => {
  leakAudit?.stop();
  await leakAudit?.auditLeaks().finally(() => firefox?.close());
  await Promise.all([server?.close(), pages?.close()]);
});

afterEach(async () => {
  await Promise.all(openPages.splice(0).map((page) => page.close()));
  server.options.latencyMs = 0;
});

describe('a paste that fetches its key, in Firefox', () => {
  it('pastes into the field right-clicked when it keeps the focus', async () => {
    await forgetCachedKeys();
    const page = await openFieldsPage();
    server.options.latencyMs = SLOW_SERVER_MS;
    server.resetCounts();

    await pasteFromMenu(page, '#plain');

    const key = server.apiKeys(ALICE.email)[0];
    await vi.waitFor(async () => expect(await fieldValue(page, '#plain')).toBe(key), {
      timeout: 20_000,
      interval: 100,
    });
    // The session listed the account's key: nothing made, no login.
    expect(server.count('tokens.list')).toBe(1);
    expect(server.count()).toBe(1);
  });

  it('pastes nothing when the focus moved to another field while the key was fetched, and says so', async () => {
    await forgetCachedKeys();
    const page = await openFieldsPage();
    server.options.latencyMs = SLOW_SERVER_MS;
    server.resetCounts();

    await pasteFromMenu(page, '#plain');
    // The field was pinned before this request went out.
    await vi.waitFor(() => expect(server.count('tokens.list')).toBe(1), { timeout: 20_000, interval: 50 });
    await page.click('#textarea');

    await vi.waitFor(async () => expect(await latestNotice()).toBe('pasteNoticeFieldChanged'), {
      timeout: 20_000,
      interval: 200,
    });
    expect(await fieldValue(page, '#textarea')).toBe('');
    expect(await fieldValue(page, '#plain')).toBe('');
    expect(server.count()).toBe(1);
  });
});
