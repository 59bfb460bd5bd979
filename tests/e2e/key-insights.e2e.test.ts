/**
 * Issue 19 in a real Chromium: signing in with an API key, rotation in one step, where each key
 * was pasted, and names for keys; and what the paste records may hold. One browser and one
 * server (v0.26 profile) for the lot, in order: each test starts where the one before left off.
 */
import { createHash } from 'node:crypto';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';

import { RagflowClient } from '../../lib/ragflow';
import { normalizeServerUrl } from '../../lib/ragflow/server-url';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { chooseFromContextMenu, PASTE_ITEM, pasteSubmenuItem } from './support/native-input';
import { toSignInForm } from './support/popup-form';
import { PAGES_HOST, startTestPages, TEST_HOST_RESOLVER_RULES, type TestPages } from './support/test-pages';

/** The extension API as the service worker sees it (`chrome`), for `worker.evaluate`. */
type Chrome = typeof Browser;

const ALICE = { email: 'alice@example.com', password: 'alice-insights-pw' };
/** Something a page holds that no record may keep. */
const PAGE_SECRET = 'page-secret-4711';

let extension: LoadedExtension;
let server: FakeRagflow;
let pages: TestPages;
let client: RagflowClient;

beforeAll(async () => {
  [extension, server, pages] = await Promise.all([
    launchExtension({ headless: false, args: [TEST_HOST_RESOLVER_RULES] }),
    startFakeRagflow({ release: 'v0.26', users: [ALICE] }),
    startTestPages(),
  ]);
  client = new RagflowClient({ serverUrl: server.url });
  await extension.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
});

afterAll(async () => {
  await extension?.close();
  await Promise.all([server?.close(), pages?.close()]);
});

const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 100 });
/** As the key list shows a key: its first and last four characters. */
const masked = (token: string) => `ragflow-${token.slice(8, 12)}…${token.slice(-4)}`;
const keyRows = (page: Page) => page.getByRole('list', { name: 'API keys of this account' }).getByRole('listitem');
const rowOf = (page: Page, token: string) => keyRows(page).filter({ hasText: masked(token) });

/** The cached account as the background keeps it (storage.session). */
async function cachedAccount(): Promise<{ authorization?: string; currentKey?: string } | undefined> {
  const worker = await extension.worker();
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    const items = await chrome.storage.session.get(null);
    return Object.entries(items).find(([key]) => key.startsWith('account:'))?.[1] as never;
  });
}

/** What the extension keeps in storage.local, as text. */
async function localStorageText(): Promise<string> {
  const worker = await extension.worker();
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    return JSON.stringify(await chrome.storage.local.get(null));
  });
}

async function openKeyManager(): Promise<Page> {
  const popup = await extension.openPopup();
  await popup.getByRole('button', { name: 'Manage keys' }).click();
  await keyRows(popup).first().waitFor();
  return popup;
}

describe('keys beyond the password (issue 19)', () => {
  /** The key the user brought, and signs in with. */
  let own: string;

  it('signs in with an API key: no login request, the web app stays signed in; revoking it signs out', async () => {
    [own] = server.seedKeys(ALICE.email, 1) as [string];
    server.signInWebApp(ALICE.email);
    const webAppSession = server.sessionToken(ALICE.email);
    server.resetCounts();

    const popup = await extension.openPopup();
    await toSignInForm(popup);
    await popup.getByLabel('Server URL').fill(server.url);
    await popup.getByText('Use an API key').click();
    await popup.getByLabel('Your RAGFlow API key').fill(own);
    await popup.getByRole('button', { name: 'Sign in with this key' }).click();
    await expect.poll(() => popup.getByLabel('API key', { exact: true }).inputValue()).toBe(own);
    await expect(popup.getByTestId('api-key-sign-in-kept').isVisible()).resolves.toBe(true);
    expect(server.count('login')).toBe(0);
    expect(server.sessionToken(ALICE.email)).toBe(webAppSession);
    expect(await cachedAccount()).toMatchObject({ authorization: `Bearer ${own}`, currentKey: own });

    // A second key to carry on with, then the one signed in with goes: signed out, with a sentence.
    await popup.getByRole('button', { name: 'Manage keys' }).click();
    await popup.getByRole('button', { name: 'Create new key' }).click();
    await expect.poll(() => keyRows(popup).count()).toBe(2);
    const row = rowOf(popup, own);
    await row.getByRole('button', { name: 'Revoke', exact: true }).click();
    await row.getByRole('button', { name: 'Revoke', exact: true }).click();
    await popup.getByText('You revoked the key you signed in with, so you are signed out.').waitFor();
    await popup.getByRole('button', { name: 'Get API key' }).waitFor();
    expect(await cachedAccount()).toBeUndefined();
    expect(await client.verifyKey(own)).toBe('invalid');
    await popup.close();

    // Back in with the other key, for the tests that follow.
    [own] = server.apiKeys(ALICE.email) as [string];
    const again = await extension.openPopup();
    await again.getByLabel('Server URL').fill(server.url);
    await again.getByText('Use an API key').click();
    await again.getByLabel('Your RAGFlow API key').fill(own);
    await again.getByRole('button', { name: 'Sign in with this key' }).click();
    await expect.poll(() => again.getByLabel('API key', { exact: true }).inputValue()).toBe(own);
    expect(server.count('login')).toBe(0);
    await again.close();
  });

  it('shows the host a key was pasted on, and records nothing of the page', async () => {
    const page = await extension.context.newPage();
    await page.goto(`${pages.url('fields.html')}?q=${PAGE_SECRET}#frag`);
    await page.locator('#plain').evaluate((input, secret) => {
      (input as HTMLInputElement).value = '';
      document.body.append(secret);
    }, PAGE_SECRET);
    await page.bringToFront();
    await chooseFromContextMenu(page.locator('#plain'), PASTE_ITEM);
    await expect.poll(() => page.locator('#plain').inputValue()).toBe(own);
    await page.close();

    const popup = await openKeyManager();
    const host = new URL(pages.url('fields.html')).host;
    expect(host.startsWith(`${PAGES_HOST}:`)).toBe(true);
    await expect.poll(() => rowOf(popup, own).textContent()).toContain(`Pasted on ${host}`);
    await popup.close();

    const stored = await localStorageText();
    expect(stored).toContain(`http://${host}`);
    for (const forbidden of [own, 'fields.html', PAGE_SECRET, 'frag', 'Fields to paste into']) {
      expect(stored).not.toContain(forbidden);
    }
  });

  it('rotates in one confirmed step: one valid key left, the new one, chosen for paste and signed in with', async () => {
    const popup = await openKeyManager();
    const row = rowOf(popup, own);
    await row.getByRole('button', { name: 'More' }).click();
    await row.getByRole('button', { name: 'Rotate', exact: true }).click();
    // The confirmation names where the key went, and offers to copy the new key (ticked).
    await expect.poll(() => row.textContent()).toContain(`Pasted on: ${new URL(pages.url('x')).host}`);
    expect(await row.getByLabel('Copy the new key').isChecked()).toBe(true);
    await row.getByRole('button', { name: 'Rotate', exact: true }).click();
    await popup.getByText('Rotated: the new key is used for paste, and the old one is revoked.').waitFor();

    const keys = server.apiKeys(ALICE.email);
    expect(keys).toHaveLength(1);
    const [rotated] = keys as [string];
    expect(rotated).not.toBe(own);
    expect(await client.verifyKey(own)).toBe('invalid');
    expect(await client.verifyKey(rotated)).toBe('valid');
    expect(await cachedAccount()).toMatchObject({ currentKey: rotated, authorization: `Bearer ${rotated}` });
    await expect.poll(() => popup.getByLabel('API key', { exact: true }).inputValue()).toBe(rotated);
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(rotated);
    expect(server.count('login')).toBe(0);
    own = rotated;
    await popup.close();
  });

  it('names a key: in the key manager, and as its own item of the paste menu, which pastes that key', async () => {
    const popup = await openKeyManager();
    await popup.getByRole('button', { name: 'Create new key' }).click();
    await expect.poll(() => keyRows(popup).count()).toBe(2);
    const row = rowOf(popup, own);
    await row.getByRole('button', { name: 'More' }).click();
    await row.getByLabel('Name for this key').fill('n8n prod');
    await row.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(() => row.locator('.key-name').textContent()).toBe('n8n prod');
    await popup.close();

    // A server with several keys, one named, offers each key under "Paste RAGFlow key" (the
    // native menu's titles cannot be read from a test: the items are found by id, whose
    // fingerprint is the named key's, and the one chosen pastes that key). Newest key first.
    const itemOf = (token: string) =>
      `paste-key:${normalizeServerUrl(server.url)} key:${createHash('sha256').update(token).digest('hex')}`;
    const newest = server.apiKeys(ALICE.email)[1]!;
    await eventually(async () => expect(await extension.menuHasItem(itemOf(own))).toBe(true));
    expect(await extension.menuHasItem(itemOf(newest))).toBe(true);

    const page = await extension.context.newPage();
    await page.goto(pages.url('fields.html'));
    await page.bringToFront();
    await chooseFromContextMenu(page.locator('#plain'), pasteSubmenuItem(1));
    await expect.poll(() => page.locator('#plain').inputValue()).toBe(own);
    await page.close();
  });

  it('keeps no record of a server once it is removed', async () => {
    expect(await localStorageText()).toContain('keyNotes');
    await extension.configureServers([]);
    await eventually(async () => expect(await localStorageText()).not.toContain('keyNotes'));
    expect(await localStorageText()).not.toContain(new URL(pages.url('x')).host);
  });
});
