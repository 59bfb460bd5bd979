import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { englishMessage } from './support/messages';
import { answerChromiumPermissionPrompt, pressKeys } from './support/native-input';

const ALICE = { email: 'alice@example.com', password: 'alice-clipboard-pw' };

let extension: LoadedExtension;
let server: FakeRagflow;
let popup: Page;

/** Reads the clipboard from an extension page (the test granted clipboard-read). */
const clipboardText = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

/** Whether the background still has a clear planned (it removes the plan when it runs). */
async function clearPending(worker: Worker): Promise<boolean> {
  return worker.evaluate(async () => {
    type Session = { get(key: string): Promise<Record<string, unknown>> };
    const { session } = (globalThis as unknown as { chrome: { storage: { session: Session } } }).chrome.storage;
    return 'clipboard.pendingClear' in (await session.get('clipboard.pendingClear'));
  });
}

/** Whether the browser granted the extension its optional clipboardRead permission. */
async function mayReadClipboard(): Promise<boolean> {
  return (await extension.worker()).evaluate(async () => {
    type Permissions = { contains(permissions: { permissions: string[] }): Promise<boolean> };
    const { permissions } = (globalThis as unknown as { chrome: { permissions: Permissions } }).chrome;
    return permissions.contains({ permissions: ['clipboardRead'] });
  });
}

beforeAll(async () => {
  // Headful: turning auto-clear on asks the browser for clipboard reading, and its prompt exists
  // only in a browser with a window.
  extension = await launchExtension({ headless: false });
  await extension.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);

  popup = await extension.openPopup();
  await popup.getByLabel('Email').fill(ALICE.email);
  await popup.getByLabel('Password', { exact: true }).fill(ALICE.password);
  await popup.getByRole('button', { name: 'Get API key' }).click();
  await popup.getByRole('button', { name: 'Copy' }).waitFor();
});

afterAll(async () => {
  await extension?.close();
  await server?.close();
});

/** The preferences as stored. */
async function storedClearSeconds(): Promise<number | undefined> {
  return (await extension.worker()).evaluate(async () => {
    type Local = { get(key: string): Promise<Record<string, { clipboardClearSeconds: number } | undefined>> };
    const { local } = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage;
    return (await local.get('preferences')).preferences?.clipboardClearSeconds;
  });
}

/**
 * Chooses the next auto-clear time after the one shown, with a real key press (the browser's
 * prompt needs a user action), and answers the prompt for clipboard reading that this asks.
 */
async function chooseNextClearTime(options: Page, answer: 'allow' | 'deny'): Promise<void> {
  const choice = options.getByLabel('Clear a copied key from the clipboard after');
  await answerChromiumPermissionPrompt(
    options,
    async () => {
      await choice.focus();
      await pressKeys('Down');
    },
    answer,
  );
}

describe('turning clipboard auto-clear on (Chrome)', () => {
  // In this order: Chrome asks only once per permission and profile, and keeps a grant given
  // back (permissions.remove) for the next request.
  it('is off at first, without clipboard reading; a denied prompt keeps it off and says why', async () => {
    const options = await extension.openPage('options.html');
    const choice = options.getByLabel('Clear a copied key from the clipboard after');
    expect(await choice.inputValue()).toBe('0');
    expect(await mayReadClipboard()).toBe(false);
    await chooseNextClearTime(options, 'deny');
    await expect.poll(() => options.getByRole('alert').textContent()).toBe(englishMessage('errorClipboardReadRefused'));
    expect(await choice.inputValue()).toBe('0');
    expect(await mayReadClipboard()).toBe(false);
    expect(await storedClearSeconds()).toBeUndefined();
    await options.close();
  });

  it('asks for clipboard reading in the choice that turns it on: allowed, it is on', async () => {
    const options = await extension.openPage('options.html');
    const choice = options.getByLabel('Clear a copied key from the clipboard after');
    await chooseNextClearTime(options, 'allow');
    await expect.poll(() => choice.inputValue()).toBe('10');
    await expect.poll(mayReadClipboard).toBe(true);
    await expect.poll(storedClearSeconds).toBe(10);
    await options.close();
  });
});

describe('clipboard auto-clear (Chrome, through an offscreen document)', () => {
  it('clears the copied key after the chosen time', async () => {
    await popup.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => popup.getByText('The clipboard is cleared of the key in 10 s.').isVisible()).toBe(true);
    expect(await clipboardText(popup)).toBe(server.apiKeys(ALICE.email)[0]);

    await expect.poll(() => clipboardText(popup), { timeout: 20_000, interval: 500 }).toBe('');
    expect(await clearPending(await extension.worker())).toBe(false);
  });

  it('leaves the clipboard alone when the user copied something else since', async () => {
    await popup.getByRole('button', { name: 'Copy' }).click();
    const worker = await extension.worker();
    await expect.poll(() => clearPending(worker)).toBe(true);
    await popup.evaluate(() => navigator.clipboard.writeText('my own notes'));

    // The planned clear has run once the plan is gone; what it found was not our key.
    await expect.poll(() => clearPending(worker), { timeout: 20_000, interval: 500 }).toBe(false);
    expect(await clipboardText(popup)).toBe('my own notes');
  });

  it('gives clipboard reading back when turned off', async () => {
    const options = await extension.openPage('options.html');
    // Turning off asks nothing of the browser.
    await options.getByLabel('Clear a copied key from the clipboard after').selectOption({ label: 'Never' });
    await expect.poll(mayReadClipboard).toBe(false);
    await expect.poll(storedClearSeconds).toBe(0);
    await options.close();
  });
});
