/**
 * The browser's own host-permission prompt, answered for real: a server that is not localhost
 * needs an origin the manifest only lists as optional, and the options page asks for it in the
 * click that saves the server. Headful (under Xvfb through run.sh): the prompt exists only in a
 * browser with a window.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { englishMessage } from './support/messages';
import { answerChromiumPermissionPrompt } from './support/native-input';
import { cachedAccounts } from './support/session-cache';

const ALICE = { email: 'alice@example.com', password: 'alice-prompt-pässword' };
// Both resolve to this machine, where the fake servers listen on 127.0.0.1; to the extension they
// are other hosts than the manifest's localhost and 127.0.0.1, so each needs the user's grant.
const ALLOWED_HOST = 'ragflow.test';
const DECLINED_HOST = 'declined.test';

let extension: LoadedExtension;
const servers: FakeRagflow[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  extension = await launchExtension({
    headless: false,
    args: [`--host-resolver-rules=MAP ${ALLOWED_HOST} 127.0.0.1, MAP ${DECLINED_HOST} 127.0.0.1`],
  });
});

afterAll(async () => {
  await extension?.close();
  await Promise.all(servers.map((server) => server.close()));
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close()));
});

async function fake(): Promise<FakeRagflow> {
  const server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  servers.push(server);
  return server;
}

/** The server's address under another host name than the one it listens on. */
const under = (host: string, server: FakeRagflow) => `http://${host}:${server.port}`;

async function open(path: string): Promise<Page> {
  const page = await extension.openPage(path);
  pages.push(page);
  return page;
}

async function openOptions(): Promise<Page> {
  const page = await open('options.html');
  await page.setViewportSize({ width: 900, height: 1000 });
  await page.getByRole('heading', { name: 'Servers' }).waitFor();
  return page;
}

const card = (page: Page, name: string): Locator => page.getByRole('listitem', { name, exact: true });
const accessOf = (page: Page, name: string) => card(page, name).getByTestId('access').textContent();

/** Fills in a new server; the Save click is left to the caller, being the permission's gesture. */
async function fillNewServer(page: Page, fields: { url: string; name: string; publicKeyPem: string }) {
  await page.getByRole('button', { name: 'Add server' }).click();
  await page.getByLabel('Server URL').fill(fields.url);
  await page.getByLabel('Name', { exact: true }).fill(fields.name);
  await page.getByLabel("Server's RSA public key (optional)").fill(fields.publicKeyPem);
}

/** What the browser itself answers, asked from the service worker. */
async function hasPermission(originPattern: string): Promise<boolean> {
  const worker = await extension.worker();
  return worker.evaluate(async (pattern) => {
    type Permissions = { contains(permissions: { origins: string[] }): Promise<boolean> };
    const { permissions } = (globalThis as unknown as { chrome: { permissions: Permissions } }).chrome;
    return permissions.contains({ origins: [pattern] });
  }, originPattern);
}

describe('the browser permission prompt for a server elsewhere', () => {
  it('allowed: the page says so, the key comes from that server, and removing the last server on the host gives the origin back', async () => {
    const first = await fake();
    const second = await fake();
    const options = await openOptions();
    expect(await hasPermission(`http://${ALLOWED_HOST}/*`)).toBe(false);

    await fillNewServer(options, { url: under(ALLOWED_HOST, first), name: 'First', publicKeyPem: first.publicKeyPem });
    await answerChromiumPermissionPrompt(options, () => options.getByRole('button', { name: 'Save' }).click(), 'allow');
    await expect.poll(() => accessOf(options, 'First')).toBe('Access granted');
    expect(await hasPermission(`http://${ALLOWED_HOST}/*`)).toBe(true);

    // The popup opens on the default server (the first one saved) and gets its key over that host.
    const popup = await open('popup.html');
    expect(await popup.getByLabel('Server URL').inputValue()).toBe(under(ALLOWED_HOST, first));
    await popup.getByLabel('Email').fill(ALICE.email);
    await popup.getByLabel('Password', { exact: true }).fill(ALICE.password);
    await popup.getByRole('button', { name: 'Get API key' }).click();
    // Plain http beyond loopback: the popup first says what the network can read, and sends nothing.
    await expect
      .poll(() => popup.getByRole('alert').locator('p').textContent())
      .toBe(englishMessage('cleartextWarning', [`${ALLOWED_HOST}:${first.port}`]));
    expect(first.count('login')).toBe(0);
    await popup.getByRole('button', { name: 'Send over http' }).click();
    await expect.poll(() => popup.getByLabel('API key', { exact: true }).inputValue()).toMatch(/^ragflow-/);
    expect(await popup.getByLabel('API key', { exact: true }).inputValue()).toBe(first.apiKeys(ALICE.email)[0]);
    expect(first.count('login')).toBe(1);

    // A second server on that host (another port) shares the permission: no prompt this time.
    await options.bringToFront();
    await fillNewServer(options, {
      url: under(ALLOWED_HOST, second),
      name: 'Second',
      publicKeyPem: second.publicKeyPem,
    });
    await options.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => accessOf(options, 'Second')).toBe('Access granted');

    // Removing one of them keeps the origin, which the other still uses.
    await card(options, 'First').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => card(options, 'First').count()).toBe(0);
    expect(await accessOf(options, 'Second')).toBe('Access granted');
    expect(await hasPermission(`http://${ALLOWED_HOST}/*`)).toBe(true);

    // Removing the last one gives it back.
    await card(options, 'Second').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => hasPermission(`http://${ALLOWED_HOST}/*`)).toBe(false);
    expect(await options.getByText('No servers yet').isVisible()).toBe(true);
  });

  it('denied: the page says so and offers the button, whose click asks again', async () => {
    const server = await fake();
    const options = await openOptions();

    await fillNewServer(options, {
      url: under(DECLINED_HOST, server),
      name: 'Declined',
      publicKeyPem: server.publicKeyPem,
    });
    await answerChromiumPermissionPrompt(options, () => options.getByRole('button', { name: 'Save' }).click(), 'deny');
    await expect.poll(() => accessOf(options, 'Declined')).toContain('No access yet');
    expect(await hasPermission(`http://${DECLINED_HOST}/*`)).toBe(false);
    // Saved all the same.
    expect(await card(options, 'Declined').getByText(under(DECLINED_HOST, server), { exact: true }).isVisible()).toBe(
      true,
    );

    const grant = card(options, 'Declined').getByRole('button', { name: 'Grant access' });
    await answerChromiumPermissionPrompt(options, () => grant.click(), 'allow');
    await expect.poll(() => accessOf(options, 'Declined')).toBe('Access granted');
    expect(await hasPermission(`http://${DECLINED_HOST}/*`)).toBe(true);
    expect(await grant.count()).toBe(0);

    await card(options, 'Declined').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => hasPermission(`http://${DECLINED_HOST}/*`)).toBe(false);
  });

  it('granted for a .invalid host: the sign-in fails as a name that does not resolve, and nothing is cached', async () => {
    // RFC 2606 keeps .invalid from ever resolving: the real DNS failure, past the permission.
    const nowhere = 'http://ragflow.invalid:9380';
    const server = await fake();
    const options = await openOptions();
    await fillNewServer(options, { url: nowhere, name: 'Nowhere', publicKeyPem: server.publicKeyPem });
    await answerChromiumPermissionPrompt(options, () => options.getByRole('button', { name: 'Save' }).click(), 'allow');
    await expect.poll(() => accessOf(options, 'Nowhere')).toBe('Access granted');

    // The popup would open on the account the first test left a key for: forget which that was.
    await (await extension.worker()).evaluate(async () => {
      type Local = { remove(keys: string[]): Promise<void> };
      const { local } = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage;
      await local.remove(['popup.serverUrl', 'popup.email']);
    });
    const popup = await open('popup.html');
    await popup.getByLabel('Server URL').fill(nowhere);
    await popup.getByLabel('Email').fill(ALICE.email);
    await popup.getByLabel('Password', { exact: true }).fill(ALICE.password);
    const getKey = popup.getByRole('button', { name: 'Get API key' });
    await getKey.click();
    await expect
      .poll(() => popup.getByRole('alert').locator('p').textContent())
      .toBe(englishMessage('cleartextWarning', ['ragflow.invalid:9380']));
    await popup.getByRole('button', { name: 'Send over http' }).click();
    await expect
      .poll(() => popup.getByRole('alert').textContent(), { timeout: 15_000 })
      .toBe(englishMessage('errorCannotConnect', [nowhere]));
    expect(await getKey.isEnabled()).toBe(true);
    expect(await popup.getByLabel('Password', { exact: true }).inputValue()).toBe(ALICE.password);
    expect((await cachedAccounts(extension)).filter((account) => account.serverUrl === nowhere)).toEqual([]);
    // Nothing reached a real server on the way.
    expect(server.count()).toBe(0);

    await options.bringToFront();
    await card(options, 'Nowhere').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => hasPermission('http://ragflow.invalid/*')).toBe(false);
  });
});
