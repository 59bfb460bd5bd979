import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GENERATIONS, RagflowClient } from '../../lib/ragflow';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { fillSignInForm, toSignInForm } from './support/popup-form';

let extension: LoadedExtension;

beforeAll(async () => {
  extension = await launchExtension();
  await extension.context.grantPermissions(['clipboard-read', 'clipboard-write']);
});

afterAll(async () => {
  await extension?.close();
});

/** How the list masks a key; written out here rather than imported, to check the code. */
/** As the key list shows a key: its first and last four characters. */
const masked = (token: string) => `ragflow-${token.slice(8, 12)}…${token.slice(-4)}`;
/** The fake keeps keys oldest first. */
const newestFirst = (tokens: string[]) => [...tokens].reverse();

const clipboardText = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

/** The account's entry in the background's session cache, and the clear it has planned. */
async function sessionCache(email: string): Promise<{ currentKey?: string; pendingClear?: string }> {
  const worker = await extension.worker();
  return worker.evaluate(async (wanted) => {
    type Session = { get(keys: null): Promise<Record<string, { currentKey?: string; fingerprint?: string }>> };
    const { session } = (globalThis as unknown as { chrome: { storage: { session: Session } } }).chrome.storage;
    const items = await session.get(null);
    const [, entry] =
      Object.entries(items).find(([key]) => key.startsWith('account:') && key.endsWith(` ${wanted}`)) ?? [];
    return { currentKey: entry?.currentKey, pendingClear: items['clipboard.pendingClear']?.fingerprint };
  }, email);
}

async function signIn(server: FakeRagflow, user: { email: string; password: string }): Promise<Page> {
  const page = await extension.openPopup();
  await toSignInForm(page);
  await fillSignInForm(page, { serverUrl: server.url, ...user });
  await page.getByRole('button', { name: 'Get API key' }).click();
  await page.getByLabel('API key', { exact: true }).waitFor();
  return page;
}

const keyRows = (page: Page) => page.getByRole('list', { name: 'API keys of this account' }).getByRole('listitem');
const rowOf = (page: Page, token: string) => keyRows(page).filter({ hasText: masked(token) });
const button = (scope: Page | Locator, name: string) => scope.getByRole('button', { name, exact: true });
/**
 * The masks as the rows hold them. Text content, not innerText: the rows skip rendering until
 * they are laid out (content-visibility: auto, for long lists), and innerText of a row not yet
 * rendered is empty.
 */
const listedMasks = (page: Page) => keyRows(page).locator('code').allTextContents();

describe.each(GENERATIONS)('managing keys in the popup, %s', (generation) => {
  const user = { email: `${generation}@example.com`, password: `${generation}-keys-password` };
  let server: FakeRagflow;
  let page: Page;
  /** The key the sign-in got: the one "Paste RAGFlow key" uses. */
  let pastingKey: string;

  beforeAll(async () => {
    server = await startFakeRagflow({ generation, users: [user] });
    await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
    page = await signIn(server, user);
    pastingKey = await page.getByLabel('API key', { exact: true }).inputValue();
  });

  afterAll(async () => {
    await page?.close();
    await server?.close();
  });

  it("lists the server's keys newest first, masked and dated, with the pasting key marked", async () => {
    // Made elsewhere (the web app, the CLI) since the sign-in: the list comes from the server.
    server.seedKeys(user.email, 2);
    expect(await keyRows(page).count()).toBe(0);
    server.resetCounts();
    await button(page, 'Manage keys').click();

    await expect.poll(() => keyRows(page).count()).toBe(3);
    expect(await listedMasks(page)).toEqual(newestFirst(server.apiKeys(user.email)).map(masked));
    expect(server.requests.map((request) => request.operation)).toEqual(['tokens.list']);

    const marked = keyRows(page).filter({ hasText: 'Used for paste' });
    expect(await marked.locator('code').innerText()).toBe(masked(pastingKey));
    const date = keyRows(page).first().locator('time');
    expect(await date.innerText()).toMatch(/^(just now|\d+ minutes? ago)$/);
    expect(await date.getAttribute('title')).toContain(String(new Date().getFullYear()));
    expect(Date.parse((await date.getAttribute('datetime'))!)).toBeGreaterThan(Date.now() - 60 * 60_000);
  });

  it('creates a key: one more on the server, first in the list, and paste keeps its key', async () => {
    await button(page, 'Create new key').click();
    await expect.poll(() => keyRows(page).count()).toBe(4);
    expect(server.apiKeys(user.email)).toHaveLength(4);
    expect(await listedMasks(page)).toEqual(newestFirst(server.apiKeys(user.email)).map(masked));
    expect((await sessionCache(user.email)).currentKey).toBe(pastingKey);
    expect(await page.getByLabel('API key', { exact: true }).inputValue()).toBe(pastingKey);
  });

  it('copies a key as itself, .env lines, Python and curl, exactly; auto-clear, off by default, plans nothing', async () => {
    const token = server.apiKeys(user.email).at(-1)!;
    // By place, not by text: Show changes the text.
    const row = keyRows(page).first();
    expect(await row.locator('code').innerText()).toBe(masked(token));
    const expected: [string, string][] = [
      ['Copy', token],
      ['.env', `RAGFLOW_API_KEY='${token}'\nRAGFLOW_BASE_URL='${server.url}'\n`],
      ['Python', `from ragflow_sdk import RAGFlow\n\nrag = RAGFlow(api_key="${token}", base_url="${server.url}")\n`],
      ['curl', `curl -H 'Authorization: Bearer ${token}' '${server.url}/api/v1/datasets?page=1&page_size=1'`],
    ];
    await button(row, 'More').click();
    for (const [name, text] of expected) {
      await button(row, name).click();
      await expect.poll(() => clipboardText(page)).toBe(text);
      // Auto-clear is off until the user turns it on, granting clipboard reading (clipboard.e2e).
      expect((await sessionCache(user.email)).pendingClear).toBeUndefined();
    }
    expect(await page.getByText('The clipboard is cleared of the key in').count()).toBe(0);

    await button(row, 'Show').click();
    expect(await row.locator('code').innerText()).toBe(token);
    await button(row, 'Hide').click();
    expect(await row.locator('code').innerText()).toBe(masked(token));
  });

  it('verifies keys live: a valid one, and one revoked elsewhere since the list was shown', async () => {
    const [, revokedElsewhere, valid] = newestFirst(server.apiKeys(user.email));
    await new RagflowClient({ serverUrl: server.url }).deleteKey(server.sessionToken(user.email)!, revokedElsewhere!);

    // Verify is one of the row's less used actions, under More.
    await button(rowOf(page, valid!), 'More').click();
    await button(rowOf(page, valid!), 'Verify').click();
    await expect
      .poll(() => rowOf(page, valid!).getByRole('status').innerText())
      .toBe('Valid: the server accepts this key.');
    await button(rowOf(page, revokedElsewhere!), 'More').click();
    await button(rowOf(page, revokedElsewhere!), 'Verify').click();
    await expect
      .poll(() => rowOf(page, revokedElsewhere!).getByRole('status').innerText())
      .toBe('Invalid: the server rejects this key.');

    // A server that cannot say is neither: "unreachable", with the reason on hover.
    server.injectFault('datasets', 'html502', 1);
    await button(rowOf(page, valid!), 'More').click();
    await button(rowOf(page, valid!), 'Verify').click();
    const status = rowOf(page, valid!).getByRole('status');
    await expect.poll(() => status.innerText()).toBe('Unreachable: the server could not check this key.');
    expect(await status.getAttribute('title')).toContain('HTTP 502');
    expect(server.count('datasets')).toBe(3);
  });

  it('changes the key that paste uses', async () => {
    // Closing and opening lists afresh: the key revoked elsewhere is gone.
    await button(page, 'Manage keys').click();
    await button(page, 'Manage keys').click();
    await expect.poll(() => keyRows(page).count()).toBe(3);
    const newest = server.apiKeys(user.email).at(-1)!;
    const row = rowOf(page, newest);
    // One click, in the row itself: no menu to open first.
    await button(row, 'Use for paste').click();

    await expect.poll(() => row.getByText('Used for paste').isVisible()).toBe(true);
    expect(await keyRows(page).filter({ hasText: 'Used for paste' }).count()).toBe(1);
    expect(await page.getByLabel('API key', { exact: true }).inputValue()).toBe(newest);
    expect((await sessionCache(user.email)).currentKey).toBe(newest);
    pastingKey = newest;
  });

  it('revokes the pasting key after confirming: gone from the server, and paste no longer has it', async () => {
    const row = rowOf(page, pastingKey);
    await button(row, 'Revoke').click();
    expect(await row.getByText(`Revoke ${masked(pastingKey)}? Apps using it stop working.`).isVisible()).toBe(true);
    await button(row, 'Cancel').click();
    expect(server.apiKeys(user.email)).toContain(pastingKey);

    await button(row, 'Revoke').click();
    await button(row, 'Revoke').click();
    await expect.poll(() => keyRows(page).count()).toBe(2);
    expect(server.apiKeys(user.email)).not.toContain(pastingKey);
    expect(await listedMasks(page)).toEqual(newestFirst(server.apiKeys(user.email)).map(masked));
    expect((await sessionCache(user.email)).currentKey).toBeUndefined();
    expect(await page.getByText('Paste has no key now', { exact: false }).first().isVisible()).toBe(true);
    // One button gives paste a key again: the newest left.
    const [newestLeft] = newestFirst(server.apiKeys(user.email));
    expect(await button(page, `Use ${masked(newestLeft!)} for paste`).isVisible()).toBe(true);

    // A popup opened now has no key to show: no cached key for the account.
    const another = await extension.openPopup();
    await expect.poll(() => button(another, 'Get API key').isVisible()).toBe(true);
    await another.close();

    // With no pasting key, a new key becomes it.
    await button(page, 'Create new key').click();
    await expect.poll(() => keyRows(page).count()).toBe(3);
    const created = server.apiKeys(user.email).at(-1)!;
    await expect.poll(() => page.getByLabel('API key', { exact: true }).inputValue()).toBe(created);
    expect((await sessionCache(user.email)).currentKey).toBe(created);

    // Revoked again, then the one button: the newest key left is the pasting key.
    await button(rowOf(page, created), 'Revoke').click();
    await button(rowOf(page, created), 'Revoke').click();
    const [newest] = newestFirst(server.apiKeys(user.email).filter((key) => key !== created));
    await button(page, `Use ${masked(newest!)} for paste`).click();
    await expect.poll(async () => (await sessionCache(user.email)).currentKey).toBe(newest);
    expect(await page.getByLabel('API key', { exact: true }).inputValue()).toBe(newest);
    expect(await page.getByTestId('no-paste-key').count()).toBe(0);
  });
});

describe('the key list, restful', () => {
  const user = { email: 'many-keys@example.com', password: 'many-keys-password' };
  let server: FakeRagflow;
  let page: Page;

  beforeAll(async () => {
    server = await startFakeRagflow({ generation: 'restful', users: [user] });
    await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
    server.seedKeys(user.email, 250);
    page = await signIn(server, user);
  });

  afterAll(async () => {
    await page?.close();
    await server?.close();
  });

  it('shows all of 250 keys', async () => {
    await button(page, 'Manage keys').click();
    await keyRows(page).nth(249).waitFor();
    expect(await keyRows(page).count()).toBe(250);
    // textContent: rows out of sight are not rendered (content-visibility), so have no innerText.
    expect(await keyRows(page).last().locator('code').textContent()).toBe(masked(server.apiKeys(user.email)[0]!));
  });

  it('goes back to the sign-in form when the server no longer takes the session', async () => {
    server.injectFault('tokens.list', 'unauthorized', 1);
    await button(page, 'Manage keys').click();
    await button(page, 'Manage keys').click();
    await expect.poll(() => button(page, 'Get API key').isVisible()).toBe(true);
    expect(await page.getByRole('alert').first().innerText()).toBe('Your RAGFlow session has expired. Sign in again.');
    expect(await page.getByLabel('Email').inputValue()).toBe(user.email);
  });
});

describe('an embed token among the keys, legacy', () => {
  const user = { email: 'embeds@example.com', password: 'embeds-password' };
  const embedToken = `ragflow-${'E'.repeat(32)}`;
  const embedSentence = 'RAGFlow made this key for an embedded chat or agent: revoking it stops that embed.';

  it('is never the pasting key, nor offered as one, and says what revoking it stops', async () => {
    const server = await startFakeRagflow({ generation: 'legacy', users: [user] });
    try {
      // An agent's embed token made by RAGFlow up to v0.24, in the same list as the keys.
      server.plantKey(user.email, embedToken, { dialogId: 'a'.repeat(32), source: 'agent' });
      await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
      const page = await signIn(server, user);
      const pastingKey = await page.getByLabel('API key', { exact: true }).inputValue();
      expect(pastingKey).not.toBe(embedToken);
      expect(server.apiKeys(user.email)).toEqual([embedToken, pastingKey]);

      await button(page, 'Manage keys').click();
      await expect.poll(() => keyRows(page).count()).toBe(2);
      const embedRow = rowOf(page, embedToken);
      expect(await embedRow.getByText(embedSentence).isVisible()).toBe(true);
      expect(await rowOf(page, pastingKey).getByText(embedSentence).count()).toBe(0);
      await button(embedRow, 'Revoke').click();
      // The question comes right under the sentence, which is not repeated in it.
      await embedRow.locator('.confirm').waitFor();
      expect(await embedRow.getByText(embedSentence).isVisible()).toBe(true);
      expect(await embedRow.getByText(embedSentence).count()).toBe(1);
      await button(embedRow, 'Cancel').click();
      expect(server.apiKeys(user.email)).toContain(embedToken);

      // The pasting key revoked, the one button left does not offer the embed token.
      await button(rowOf(page, pastingKey), 'Revoke').click();
      await button(rowOf(page, pastingKey), 'Revoke').click();
      await expect.poll(() => keyRows(page).count()).toBe(1);
      expect(await button(page, 'Create a key for paste').isVisible()).toBe(true);
      expect(await button(page, `Use ${masked(embedToken)} for paste`).count()).toBe(0);
      await page.close();
    } finally {
      await server.close();
    }
  });
});
