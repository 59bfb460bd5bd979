/**
 * The popup's Get key, the context menu's paste and the keyboard shortcut at (nearly) the same
 * time, in headful Chromium with real input: one login at most, at most one key made, and every
 * paste that happened inserted that one key. The server answers slowly, so that the three overlap.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';

import { normalizeServerUrl } from '../../lib/ragflow/server-url';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { chooseFromContextMenu, PASTE_ITEM, pressKeys } from './support/native-input';
import { startTestPages, TEST_HOST_RESOLVER_RULES, type TestPages } from './support/test-pages';

/** The extension API as the service worker sees it (`chrome`), for `worker.evaluate`. */
type Chrome = typeof Browser;

const PASSWORD = 'alice-password-1';
/** Each request waits this long on the server: the flows of the three inputs overlap. */
const SLOW_SERVER_MS = 1500;

let extension: LoadedExtension;
let pages: TestPages;
let server: FakeRagflow;
const openPages: Page[] = [];

/** An account of each test's own, so that its keys are its own. */
let users = 0;
function newUser(): string {
  const email = `user${++users}@example.com`;
  server.addUser({ email, password: PASSWORD });
  return email;
}

beforeAll(async () => {
  extension = await launchExtension({ headless: false, args: [TEST_HOST_RESOLVER_RULES] });
  [server, pages] = await Promise.all([startFakeRagflow({ generation: 'restful' }), startTestPages()]);
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
  // One server: a single top-level item, standing for that server.
  await vi.waitFor(
    async () => expect(await extension.menuHasItem(`paste-key:${normalizeServerUrl(server.url)}`)).toBe(true),
    {
      timeout: 10_000,
      interval: 100,
    },
  );
});

afterAll(async () => {
  await extension?.close();
  await Promise.all([server?.close(), pages?.close()]);
});

beforeEach(async () => {
  // Nothing cached from the test before: its key would be this server's key to paste.
  const worker = await extension.worker();
  await worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    await chrome.storage.session.clear();
  });
  server.options.latencyMs = 0;
});

afterEach(async () => {
  // Playwright's pages first: what is left showing popup.html is the extension's own popup.
  await Promise.all(openPages.splice(0).map((page) => page.close()));
  await extension.closeActionPopup();
  server.clearFaults();
});

const apiKeyField = (popup: Page) => popup.getByLabel('API key', { exact: true });
const getKeyButton = (popup: Page) => popup.getByRole('button', { name: 'Get API key' });

/** What the popup shows now: its key, else its alert, without waiting for either. */
async function shown(popup: Page): Promise<string> {
  if ((await apiKeyField(popup).count()) > 0) return apiKeyField(popup).inputValue();
  return `alert: ${(await popup.getByRole('alert').allTextContents()).join(' ')}`;
}

/** The popup in a tab, on its form for `email`, with `password` typed ('' for none). */
async function popupWithForm(email: string, password: string): Promise<Page> {
  const popup = await extension.openPopup();
  openPages.push(popup);
  await getKeyButton(popup).waitFor();
  await popup.getByLabel('Server URL').fill(server.url);
  await popup.getByLabel('Email').fill(email);
  await popup.getByLabel('Password', { exact: true }).fill(password);
  return popup;
}

/**
 * Signs in, but the server fails to create the key: the session token is cached, no key is, and
 * the account has none on the server. The state a paste meets when the popup was closed (or the
 * worker stopped) before the key came.
 */
async function signedInWithoutKey(email: string): Promise<void> {
  server.injectFault('tokens.create', 'server-error', 1);
  const popup = await popupWithForm(email, PASSWORD);
  await getKeyButton(popup).click();
  await expect.poll(() => shown(popup), { timeout: 20_000 }).toMatch(/^alert: \S/);
  await popup.close();
  expect(server.count('login')).toBe(1);
  expect(server.apiKeys(email)).toEqual([]);
}

/**
 * Get key in the popup (a tab behind the test page), then the context menu's paste and the
 * shortcut into one field, one right after the other, while the server is slow. One field: a
 * paste inserts into the field focused when its key arrives, so the field ends up holding exactly
 * what the pastes inserted, one after the other.
 */
async function allAtOnce(popup: Page, options: { pasteOnceSignedIn?: boolean } = {}): Promise<Locator> {
  const page = await extension.context.newPage();
  openPages.push(page);
  await page.goto(pages.url('fields.html'));
  await page.bringToFront();
  const field = page.locator('#plain');

  server.options.latencyMs = SLOW_SERVER_MS;
  server.resetCounts();
  // A click by event: the popup's tab is in the background, where Playwright's click would wait
  // for animation frames that a hidden tab does not get.
  await getKeyButton(popup).dispatchEvent('click');
  // The key list follows the login once its session token is cached.
  if (options.pasteOnceSignedIn) await expect.poll(() => server.count('tokens.list'), { timeout: 20_000 }).toBe(1);
  await chooseFromContextMenu(field, PASTE_ITEM);
  // The right-click focused the field: the shortcut pastes there too.
  await pressKeys('alt+shift+k');
  return field;
}

describe('the popup, the context menu and the shortcut at once', () => {
  it('signed in without a key: no login, one key made, pasted by both', async () => {
    const email = newUser();
    await signedInWithoutKey(email);
    const popup = await popupWithForm(email, '');

    const field = await allAtOnce(popup);

    await expect.poll(() => shown(popup), { timeout: 20_000 }).toMatch(/^ragflow-/);
    const key = await shown(popup);
    // Signed in, a paste gets the key with the session: both pasted it, whatever the order.
    await expect.poll(() => field.inputValue(), { timeout: 20_000 }).toBe(key + key);
    expect(server.count('login')).toBe(0);
    // One flow for the three: one list, one create.
    expect(server.count('tokens.list')).toBe(1);
    expect(server.count('tokens.create')).toBe(1);
    expect(server.apiKeys(email)).toEqual([key]);
  });

  it('with nothing cached: one login, one key; a paste inserts that key or nothing', async () => {
    const email = newUser();
    const popup = await popupWithForm(email, PASSWORD);

    const field = await allAtOnce(popup);

    await expect.poll(() => shown(popup), { timeout: 20_000 }).toMatch(/^ragflow-/);
    const key = await shown(popup);
    // A paste before the login came back had no session to use: it pasted nothing (and opened
    // the popup to say so); one after it joined the flow or found the key cached.
    expect(['', key, key + key]).toContain(await field.inputValue());
    expect(server.count('login')).toBe(1);
    expect(server.count('tokens.create')).toBe(1);
    expect(server.apiKeys(email)).toEqual([key]);
  });

  it('with nothing cached, pastes while the key is being made after the login: one login, one key, pasted by both', async () => {
    const email = newUser();
    const popup = await popupWithForm(email, PASSWORD);

    const field = await allAtOnce(popup, { pasteOnceSignedIn: true });

    await expect.poll(() => shown(popup), { timeout: 20_000 }).toMatch(/^ragflow-/);
    const key = await shown(popup);
    // Signed in by the popup's flow, the pastes share it (or find its key cached).
    await expect.poll(() => field.inputValue(), { timeout: 20_000 }).toBe(key + key);
    expect(server.count('login')).toBe(1);
    expect(server.count('tokens.list')).toBe(1);
    expect(server.count('tokens.create')).toBe(1);
    expect(server.apiKeys(email)).toEqual([key]);
  });
});
