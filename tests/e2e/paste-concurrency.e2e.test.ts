/**
 * The popup's Get key, the context menu's paste and the keyboard shortcut at (nearly) the same
 * time, in headful Chromium with real input: one login at most, at most one key made, and every
 * paste that happened inserted that one key. The server answers slowly, so that the three overlap.
 * And a paste whose key has to be fetched first: the user moves on to another field while it is
 * on its way, and the key must not land there.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';

import { normalizeServerUrl } from '../../lib/ragflow/server-url';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { chooseFromContextMenu, PASTE_ITEM, pressKeys } from './support/native-input';
import { startTestPages, TEST_HOST_RESOLVER_RULES, type TestPages } from './support/test-pages';
import { fillSignInForm } from './support/popup-form';

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
  // The counts of this test's requests only: the helpers below check them from the start.
  server.resetCounts();
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
  await fillSignInForm(popup, { serverUrl: server.url, email, password });
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

/** The notice on the toolbar button of the active tab: its badge and its tooltip. */
async function toolbarNotice(): Promise<{ badge: string; title: string }> {
  const worker = await extension.worker();
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    const tabId = tab?.id ?? -1;
    const [badge, title] = await Promise.all([
      chrome.action.getBadgeText({ tabId }),
      chrome.action.getTitle({ tabId }),
    ]);
    return { badge, title };
  });
}

const FIELD_CHANGED = 'Nothing was pasted: the field changed while the key was being fetched.';

/**
 * The fields page, with the server slow from now on: a paste that has to fetch its key waits
 * for two slow answers (the key list, then the new key), time enough to move the focus.
 */
async function fieldsPageWithSlowServer(): Promise<Page> {
  const page = await extension.context.newPage();
  openPages.push(page);
  await page.goto(pages.url('fields.html'));
  await page.bringToFront();
  server.options.latencyMs = SLOW_SERVER_MS;
  server.resetCounts();
  return page;
}

/** Returns once the paste is fetching its key: the field was pinned before that request. */
async function keyBeingFetched(): Promise<void> {
  await expect.poll(() => server.count('tokens.list'), { timeout: 20_000 }).toBe(1);
  expect(server.count('tokens.create')).toBe(0);
}

/**
 * Nothing was pasted, and the user is told: the notice on the toolbar button and in the popup,
 * which opens by itself. The key was made all the same, one, and is cached now.
 */
async function expectFieldChangedNotice(email: string): Promise<string> {
  await expect.poll(toolbarNotice, { timeout: 20_000 }).toEqual({
    badge: '!',
    title: expect.stringContaining(FIELD_CHANGED),
  });
  await expect.poll(() => extension.actionPopupIsOpen()).toBe(true);
  expect(server.count('login')).toBe(0);
  expect(server.count('tokens.create')).toBe(1);
  const keys = server.apiKeys(email);
  expect(keys).toHaveLength(1);
  return keys[0]!;
}

/**
 * A paste signed in without a key fetches the key first. The field is pinned at the keypress or
 * click; the key goes only there, and only if it still has the focus when the key comes. Field A,
 * left for field B, stays empty here; had the focus come back to A before the key came, A would
 * get it, being the field the user chose (insert-into-field.e2e.test.ts shows that case).
 */
describe('a paste that fetches its key, while the user moves to another field', () => {
  it('shortcut in field A, a click into field B: nothing pasted, a notice; again in B pastes the cached key', async () => {
    const email = newUser();
    await signedInWithoutKey(email);
    const page = await fieldsPageWithSlowServer();
    const fieldA = page.locator('#plain');
    const fieldB = page.locator('#textarea');
    await fieldA.click();

    await pressKeys('alt+shift+k');
    await keyBeingFetched();
    await fieldB.click();

    const key = await expectFieldChangedNotice(email);
    expect(await fieldB.inputValue()).toBe('');
    expect(await fieldA.inputValue()).toBe('');

    // Again, in B: the key is cached now, pasted at once, with no request.
    await extension.closeActionPopup();
    await page.bringToFront();
    server.resetCounts();
    await fieldB.click();
    await pressKeys('alt+shift+k');
    await expect.poll(() => fieldB.inputValue(), { timeout: 20_000 }).toBe(key);
    expect(server.count()).toBe(0);
    expect(await fieldA.inputValue()).toBe('');
    expect(await toolbarNotice()).toEqual({ badge: '', title: 'RAGFlow Keys' });
  });

  it('context menu on field A, Tab to the next field: nothing pasted, a notice', async () => {
    const email = newUser();
    await signedInWithoutKey(email);
    const page = await fieldsPageWithSlowServer();
    const fieldA = page.locator('#plain');
    // The field after A in the tab order.
    const fieldB = page.locator('#selection');

    await chooseFromContextMenu(fieldA, PASTE_ITEM);
    await keyBeingFetched();
    await pressKeys('Tab');
    await expect.poll(() => fieldB.evaluate((field) => field === document.activeElement)).toBe(true);

    await expectFieldChangedNotice(email);
    expect(await fieldA.inputValue()).toBe('');
    expect(await fieldB.inputValue()).toBe('keep OLD keep');
  });

  it('shortcut in a frame’s field, a click into a field of the page around it: nothing pasted, a notice', async () => {
    const email = newUser();
    await signedInWithoutKey(email);
    const page = await fieldsPageWithSlowServer();
    const framed = page.frameLocator('#same-origin').locator('#framed');
    const outside = page.locator('#plain');
    await framed.click();

    await pressKeys('alt+shift+k');
    await keyBeingFetched();
    await outside.click();

    await expectFieldChangedNotice(email);
    expect(await outside.inputValue()).toBe('');
    expect(await framed.inputValue()).toBe('');
  });

  it('with the focus left where it was, pastes the fetched key into that field', async () => {
    const email = newUser();
    await signedInWithoutKey(email);
    const page = await fieldsPageWithSlowServer();
    const field = page.locator('#plain');
    await field.click();

    await pressKeys('alt+shift+k');

    await expect.poll(() => field.inputValue(), { timeout: 20_000 }).toMatch(/^ragflow-/);
    expect(server.apiKeys(email)).toEqual([await field.inputValue()]);
    expect(server.count('tokens.create')).toBe(1);
    expect(await toolbarNotice()).toEqual({ badge: '', title: 'RAGFlow Keys' });
  });
});
