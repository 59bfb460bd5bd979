/**
 * The service worker stopped (as Chrome stops idle workers) at the worst moments: between the
 * login and the key, and while idle with a key cached. Headful, for the keyboard shortcut, which
 * only the browser's own shortcut handling delivers (xdotool presses it as a keyboard would).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { pressKeys } from './support/native-input';
import { startTestPages, TEST_HOST_RESOLVER_RULES, type TestPages } from './support/test-pages';
import { fillSignInForm, toSignInForm } from './support/popup-form';

const PASSWORD = 'alice-password-1';
const STOPPED_MESSAGE = 'The browser stopped RAGFlow Keys before it could answer. Try again.';

let extension: LoadedExtension;
let pages: TestPages;
let server: FakeRagflow;
const openPages: Page[] = [];

/**
 * Each test signs in with an account of its own, so that its keys are its own. The server is set
 * up once, before any worker is stopped: Playwright's handle of a restarted worker may never
 * answer again (microsoft/playwright#39475), so nothing here evaluates in the worker afterwards.
 */
let users = 0;
function newUser(): string {
  const email = `user${++users}@example.com`;
  server.addUser({ email, password: PASSWORD });
  return email;
}

beforeAll(async () => {
  extension = await launchExtension({ headless: false, args: [TEST_HOST_RESOLVER_RULES] });
  [server, pages] = await Promise.all([startFakeRagflow({ generation: 'restful' }), startTestPages()]);
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }], 0);
});

afterAll(async () => {
  await extension?.close();
  await Promise.all([server?.close(), pages?.close()]);
});

afterEach(async () => {
  await Promise.all(openPages.splice(0).map((page) => page.close()));
  server.clearFaults();
});

async function openPopup(): Promise<Page> {
  const popup = await extension.openPopup();
  openPages.push(popup);
  return popup;
}

const apiKeyField = (popup: Page) => popup.getByLabel('API key', { exact: true });

/**
 * What the popup shows now: its key, else its alert, without waiting for either (a failure then
 * names the alert, where waiting for a key field that never comes would only time out).
 */
async function shown(popup: Page): Promise<string> {
  if ((await apiKeyField(popup).count()) > 0) return apiKeyField(popup).inputValue();
  return `alert: ${(await popup.getByRole('alert').allTextContents()).join(' ')}`;
}

/** Waits until the popup shows a key, and returns it. */
async function keyShown(popup: Page): Promise<string> {
  await expect.poll(() => shown(popup), { timeout: 20_000 }).toMatch(/^ragflow-/);
  return shown(popup);
}
const getKeyButton = (popup: Page) => popup.getByRole('button', { name: 'Get API key' });

/** The popup's form on the server, for `email`, with `password` typed ('' for none). */
async function popupWithForm(email: string, password: string): Promise<Page> {
  const popup = await openPopup();
  // The previous test's key may be showing.
  await toSignInForm(popup);
  await fillSignInForm(popup, { serverUrl: server.url, email, password });
  return popup;
}

/** Starts Get key and stops the worker once the login is done and the key is being created. */
async function stopWorkerWhileCreatingKey(email: string): Promise<Page> {
  // The create request reaches the server and is never answered: no key is made.
  server.injectFault('tokens.create', 'hang', 1);
  server.resetCounts();
  const popup = await popupWithForm(email, PASSWORD);
  await getKeyButton(popup).click();
  await expect.poll(() => server.count('tokens.create')).toBe(1);
  expect(server.count('login')).toBe(1);

  await extension.stopServiceWorker();
  return popup;
}

describe('the service worker stopped between the login and the key', () => {
  it('says so in the popup; Get key again without the password gets one key, with no second login', async () => {
    const email = newUser();
    const popup = await stopWorkerWhileCreatingKey(email);

    await expect.poll(() => popup.getByRole('alert').textContent()).toBe(STOPPED_MESSAGE);
    expect(await getKeyButton(popup).isEnabled()).toBe(true);
    // The hung create made no key on the server.
    expect(server.apiKeys(email)).toEqual([]);

    await popup.getByLabel('Password', { exact: true }).fill('');
    await getKeyButton(popup).click();
    const key = await keyShown(popup);

    expect(server.count('login')).toBe(1);
    expect(server.apiKeys(email)).toEqual([key]);
  });

  it('a popup opened afresh, with no password, gets the one key with the kept session', async () => {
    const email = newUser();
    const first = await stopWorkerWhileCreatingKey(email);
    await first.close();

    // It opens on the account used last, with an empty password field.
    const popup = await openPopup();
    await expect.poll(() => popup.getByLabel('Email').inputValue()).toBe(email);
    expect(await popup.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await getKeyButton(popup).click();
    const key = await keyShown(popup);

    expect(server.count('login')).toBe(1);
    expect(server.apiKeys(email)).toEqual([key]);
  });
});

describe('the service worker stopped while idle, with a key cached', () => {
  it('pastes the same key by the shortcut and shows it in the popup: no request, no password', async () => {
    const email = newUser();
    const signIn = await popupWithForm(email, PASSWORD);
    await getKeyButton(signIn).click();
    const key = await keyShown(signIn);
    await signIn.close();
    server.resetCounts();

    // The shortcut is what wakes the stopped worker.
    await extension.stopServiceWorker();
    const page = await extension.context.newPage();
    openPages.push(page);
    await page.goto(pages.url('fields.html'));
    await page.bringToFront();
    const field = page.locator('#plain');
    await field.focus();
    await pressKeys('alt+shift+k');
    await expect.poll(() => field.inputValue(), { timeout: 10_000 }).toBe(key);

    // And a popup opened on a stopped worker.
    await extension.stopServiceWorker();
    const popup = await openPopup();
    await expect.poll(() => shown(popup), { timeout: 20_000 }).toBe(key);
    expect(await popup.getByLabel('Password', { exact: true }).count()).toBe(0);

    expect(server.count()).toBe(0);
    expect(server.apiKeys(email)).toEqual([key]);
  });
});
