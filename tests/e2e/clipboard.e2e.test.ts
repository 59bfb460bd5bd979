import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';

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

beforeAll(async () => {
  extension = await launchExtension();
  await extension.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);

  // The shortest choice, set where a user sets it.
  const options = await extension.openPage('options.html');
  await options.getByLabel('Clear a copied key from the clipboard after').selectOption({ label: '10 s' });
  await options.close();

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
});
