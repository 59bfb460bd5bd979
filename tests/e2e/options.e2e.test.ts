import { readFile } from 'node:fs/promises';

import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, type FakeRagflowOptions, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';

const ALICE = { email: 'alice@example.com', password: 'alice-options-pässword' };

let extension: LoadedExtension;
const servers: FakeRagflow[] = [];
const pages: Page[] = [];

async function fake(options: FakeRagflowOptions): Promise<FakeRagflow> {
  const server = await startFakeRagflow(options);
  servers.push(server);
  return server;
}

beforeAll(async () => {
  extension = await launchExtension();
});

afterAll(async () => {
  await extension?.close();
  await Promise.all(servers.map((server) => server.close()));
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close()));
  // Every test starts from no servers and the default preferences.
  const worker = await extension.worker();
  await worker.evaluate(async () => {
    type Local = { remove(keys: string[]): Promise<void> };
    const { local } = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage;
    await local.remove(['settings', 'settings$', 'preferences', 'preferences$', 'popup.serverUrl', 'popup.email']);
  });
});

async function openOptions(): Promise<Page> {
  const page = await extension.openPage('options.html');
  await page.setViewportSize({ width: 900, height: 1000 });
  pages.push(page);
  await page.getByRole('heading', { name: 'Servers' }).waitFor();
  return page;
}

async function openPopup(): Promise<Page> {
  const page = await extension.openPopup();
  pages.push(page);
  return page;
}

/** The card of a saved server, found by its name. */
const card = (page: Page, name: string): Locator => page.getByRole('listitem', { name, exact: true });

async function addServer(page: Page, fields: { url: string; name?: string; publicKeyPem?: string }) {
  await page.getByRole('button', { name: 'Add server' }).click();
  await page.getByLabel('Server URL').fill(fields.url);
  if (fields.name) await page.getByLabel('Name', { exact: true }).fill(fields.name);
  if (fields.publicKeyPem) await page.getByLabel("Server's RSA public key (optional)").fill(fields.publicKeyPem);
  await page.getByRole('button', { name: 'Save' }).click();
}

/** The settings item as stored, with the version WXT's storage keeps beside it. */
async function storedSettings(): Promise<{
  value: { servers: Record<string, unknown>[]; defaultServerId?: string };
  version: number;
}> {
  const worker = await extension.worker();
  return worker.evaluate(async () => {
    type Local = { get(keys: string[]): Promise<Record<string, unknown>> };
    const { local } = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage;
    const items = await local.get(['settings', 'settings$']);
    return { value: items.settings, version: (items.settings$ as { v: number }).v } as never;
  });
}

describe('the options page: servers', () => {
  it('adds, edits and removes servers, and chooses the default', async () => {
    const restful = await fake({ generation: 'restful' });
    const mixed = await fake({ generation: 'mixed' });
    const page = await openOptions();
    expect(await page.getByText('No servers yet').isVisible()).toBe(true);

    await addServer(page, { url: `${restful.url}/api/v1/`, name: 'Local RESTful' });
    const first = card(page, 'Local RESTful');
    await expect.poll(() => first.isVisible()).toBe(true);
    // Normalised, the default (the first server), and reachable: localhost needs no prompt.
    expect(await first.getByText(restful.url, { exact: true }).isVisible()).toBe(true);
    expect(await first.getByText('Default', { exact: true }).isVisible()).toBe(true);
    await expect.poll(() => first.getByTestId('access').textContent()).toBe('Access granted');
    expect(await storedSettings()).toMatchObject({
      version: 2,
      value: { servers: [{ name: 'Local RESTful', url: restful.url, keyPolicy: 'reuse' }] },
    });

    // A wrong field is named next to it, and nothing is saved.
    await first.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Server URL').fill('javascript:alert(1)');
    await page.getByLabel('Email (optional, filled in for you in the popup)').fill('not-an-email');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByText('That is a script, not a server address').isVisible()).toBe(true);
    expect(await page.getByText('That does not look like an email address').isVisible()).toBe(true);
    expect(await page.getByLabel('Server URL').getAttribute('aria-invalid')).toBe('true');
    expect((await storedSettings()).value.servers[0]).toMatchObject({ url: restful.url });

    // Fixed: a new name, an email, a new key every time, and a session kept for 30 minutes.
    await page.getByLabel('Server URL').fill(restful.url);
    await page.getByLabel('Name', { exact: true }).fill('Docker');
    await page.getByLabel('Email (optional, filled in for you in the popup)').fill(ALICE.email);
    await page.getByLabel('Always create a new key').check();
    await page.getByLabel('Keep the sign-in and key in memory').selectOption('minutes');
    await page.getByLabel('Minutes', { exact: true }).fill('30');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => card(page, 'Docker').isVisible()).toBe(true);
    expect(await card(page, 'Local RESTful').count()).toBe(0);
    expect((await storedSettings()).value.servers).toEqual([
      expect.objectContaining({
        name: 'Docker',
        email: ALICE.email,
        keyPolicy: 'new',
        sessionLifetime: { kind: 'minutes', minutes: 30 },
      }),
    ]);

    await addServer(page, { url: mixed.url, name: 'Mixed' });
    await expect.poll(() => card(page, 'Mixed').isVisible()).toBe(true);
    await card(page, 'Mixed').getByRole('button', { name: 'Make default' }).click();
    await expect.poll(() => card(page, 'Mixed').getByText('Default', { exact: true }).isVisible()).toBe(true);
    expect(await card(page, 'Docker').getByText('Default', { exact: true }).count()).toBe(0);

    // A second entry for the same server is refused, naming the first.
    await addServer(page, { url: `${mixed.url}/`, name: 'Again' });
    expect(await page.getByText('This server is already in the list as “Mixed”.').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Remove can be taken back: Undo puts the server back where it was.
    await card(page, 'Docker').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => card(page, 'Docker').count()).toBe(0);
    expect(await page.getByRole('status').filter({ hasText: 'Removed Docker.' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => card(page, 'Docker').count()).toBe(1);
    expect((await storedSettings()).value.servers.map((server) => server.name)).toEqual(['Docker', 'Mixed']);
    expect(await page.getByRole('button', { name: 'Undo' }).count()).toBe(0);

    await card(page, 'Docker').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => card(page, 'Docker').count()).toBe(0);
    const { value } = await storedSettings();
    expect(value.servers.map((server) => server.name)).toEqual(['Mixed']);
    expect(value.defaultServerId).toBe(value.servers[0]?.id);

    // What was saved is what a reload shows.
    await page.reload();
    await expect.poll(() => card(page, 'Mixed').isVisible()).toBe(true);
    expect(await page.getByRole('listitem').count()).toBe(1);
  });

  it('tests the connection of a server in each generation', async () => {
    const legacy = await fake({ generation: 'legacy' });
    const mixed = await fake({ generation: 'mixed', passwordLoginEnabled: false });
    const restful = await fake({ generation: 'restful', registerEnabled: false });
    const down = await fake({ generation: 'restful' });
    await down.close();
    await extension.configureServers([
      { url: legacy.url, name: 'Legacy' },
      { url: mixed.url, name: 'Mixed' },
      { url: restful.url, name: 'RESTful' },
      { url: down.url, name: 'Down' },
    ]);
    const page = await openOptions();

    const report = async (name: string) => {
      await card(page, name).getByRole('button', { name: 'Test connection' }).click();
      const element = card(page, name).getByTestId('connection-report');
      await expect.poll(() => element.textContent(), { timeout: 15_000 }).toMatch(/Reachable|Not reachable/);
      return element;
    };

    const legacyReport = await report('Legacy');
    expect(await legacyReport.innerText()).toMatch(
      /Reachable\s+Server\s+RAGFlow \(Python\)\s+Routes\s+legacy \(RAGFlow v0\.24 and earlier\)\s+Release\s+v0\.24/,
    );
    expect(await legacyReport.innerText()).toMatch(
      /New accounts\s+allowed\s+Password sign-in\s+allowed\s+Single sign-on\s+none\s+Round trip\s+\d+ ms/,
    );

    const mixedReport = await report('Mixed');
    expect(await mixedReport.innerText()).toMatch(/Routes\s+mixed \(RAGFlow v0\.25\.0\)\s+Release\s+v0\.25\.0/);
    expect(await mixedReport.innerText()).toMatch(/New accounts\s+allowed\s+Password sign-in\s+not allowed/);

    const restfulReport = await report('RESTful');
    expect(await restfulReport.innerText()).toMatch(
      /Routes\s+RESTful \(RAGFlow v0\.25\.1 and later\)\s+Release\s+v0\.25\.1/,
    );
    expect(await restfulReport.innerText()).toMatch(/New accounts\s+not allowed\s+Password sign-in\s+allowed/);

    const downReport = await report('Down');
    // In words, never the internal code.
    expect(await downReport.innerText()).toContain(`Not reachable: Cannot reach ${down.url}`);
    expect(await downReport.innerText()).not.toContain('cannot-connect');

    // Detection (with the config on legacy and mixed servers), the version route, the channels;
    // RESTful servers keep their config apart: one more. Nobody signs in.
    expect([legacy, mixed, restful].map((server) => server.count())).toEqual([3, 3, 4]);
    for (const server of [legacy, mixed, restful]) expect(server.count('login')).toBe(0);
  });

  it('signs in to a server with its own key pair only once its public key is set', async () => {
    // The fake server has its own RSA pair, not RAGFlow's default one.
    const server = await fake({ generation: 'restful', users: [ALICE] });
    const options = await openOptions();
    await addServer(options, { url: server.url, name: 'Own keys' });
    await expect.poll(() => card(options, 'Own keys').isVisible()).toBe(true);

    const popup = await openPopup();
    await popup.getByLabel('Email').fill(ALICE.email);
    await popup.getByLabel('Password', { exact: true }).fill(ALICE.password);
    await popup.getByRole('button', { name: 'Get API key' }).click();
    await expect
      .poll(() => popup.getByRole('alert').textContent())
      .toContain('The server could not decrypt the password');
    expect(server.count('login')).toBe(1);
    expect(server.apiKeys(ALICE.email)).toEqual([]);

    // Not a key at all: refused on save, with a sentence that says what to paste.
    await card(options, 'Own keys').getByRole('button', { name: 'Edit' }).click();
    const keyField = options.getByLabel("Server's RSA public key (optional)");
    await keyField.fill('-----BEGIN PUBLIC KEY-----\nnot really a key\n-----END PUBLIC KEY-----');
    await options.getByRole('button', { name: 'Save' }).click();
    // The key is checked (parsed, its exponent and size read) before the answer shows.
    await expect.poll(() => options.getByText('That is not a usable RSA public key').isVisible()).toBe(true);
    await keyField.fill(server.publicKeyPem);
    await options.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => options.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect((await storedSettings()).value.servers[0]).toMatchObject({ publicKeyPem: server.publicKeyPem.trim() });

    await popup.getByRole('button', { name: 'Get API key' }).click();
    await expect.poll(() => popup.getByLabel('API key', { exact: true }).inputValue()).toMatch(/^ragflow-/);
    expect(await popup.getByLabel('API key', { exact: true }).inputValue()).toBe(server.apiKeys(ALICE.email)[0]);
    expect(server.count('login')).toBe(2);
  });
});

describe('the options page: export and import', () => {
  it('round-trips servers and preferences through a file that holds no secret', async () => {
    const server = await fake({ generation: 'restful', users: [ALICE] });
    const options = await openOptions();
    await addServer(options, { url: server.url, name: 'Exported', publicKeyPem: server.publicKeyPem });
    await expect.poll(() => card(options, 'Exported').isVisible()).toBe(true);
    await options.getByLabel('Show “Paste RAGFlow key” in the right-click menu of text fields').uncheck();

    // A signed-in session and a key exist while exporting: neither may end up in the file.
    const popup = await openPopup();
    await popup.getByLabel('Email').fill(ALICE.email);
    await popup.getByLabel('Password', { exact: true }).fill(ALICE.password);
    await popup.getByRole('button', { name: 'Get API key' }).click();
    await expect.poll(() => popup.getByLabel('API key', { exact: true }).inputValue()).toMatch(/^ragflow-/);

    const [download] = await Promise.all([
      options.waitForEvent('download'),
      options.getByRole('button', { name: 'Export settings' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('ragflow-keys-settings.json');
    const exportedPath = await download.path();
    const text = await readFile(exportedPath, 'utf8');
    const exported = JSON.parse(text);
    expect(exported).toMatchObject({
      format: 'ragflow-keys-settings',
      settingsVersion: 2,
      preferencesVersion: 2,
      settings: { servers: [{ name: 'Exported', url: server.url, publicKeyPem: server.publicKeyPem.trim() }] },
      preferences: { clipboardClearSeconds: 0, contextMenuEnabled: false },
    });
    for (const secret of [ALICE.password, server.apiKeys(ALICE.email)[0]!, server.sessionToken(ALICE.email)!]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/"(password|authorization|token|keys|currentKey)"/i);

    // Undo everything, then import the file.
    await card(options, 'Exported').getByRole('button', { name: 'Remove' }).click();
    await options.getByLabel('Clear a copied key from the clipboard after').selectOption({ label: 'Never' });
    await options.getByLabel('Show “Paste RAGFlow key” in the right-click menu of text fields').check();
    await expect.poll(() => options.getByText('No servers yet').isVisible()).toBe(true);

    // The file as written by a browser where auto-clear was on: an import is no click to ask for
    // clipboard reading in, so the page says auto-clear does not work yet.
    await options.getByLabel('Import settings from a file').setInputFiles({
      name: 'ragflow-keys-settings.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({ ...exported, preferences: { ...exported.preferences, clipboardClearSeconds: 10 } }),
      ),
    });
    await expect.poll(() => options.getByText('Settings imported.').isVisible()).toBe(true);
    expect(await card(options, 'Exported').isVisible()).toBe(true);
    expect(await options.getByLabel('Clear a copied key from the clipboard after').inputValue()).toBe('10');
    expect(await options.getByText('the browser no longer lets it read the clipboard').isVisible()).toBe(true);
    expect(
      await options.getByLabel('Show “Paste RAGFlow key” in the right-click menu of text fields').isChecked(),
    ).toBe(false);
    expect((await storedSettings()).value).toEqual(exported.settings);

    // An invalid file: every problem is listed by field, and nothing changes.
    exported.settings.servers[0].url = 'javascript:alert(1)';
    exported.preferences.clipboardClearSeconds = 45;
    await options.getByLabel('Import settings from a file').setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(exported)),
    });
    const problems = options.getByRole('alert').filter({ hasText: 'Nothing was imported' });
    await expect.poll(() => problems.isVisible()).toBe(true);
    expect(await problems.getByRole('listitem').allInnerTexts()).toEqual([
      'settings.servers[0].url: That is a script, not a server address. Enter the address of your RAGFlow server.',
      'preferences.clipboardClearSeconds: Choose one of these numbers of seconds: 0, 10, 30, 60, 120, 300.',
    ]);
    expect(await card(options, 'Exported').getByText(server.url, { exact: true }).isVisible()).toBe(true);
    expect((await storedSettings()).value.servers[0]).toMatchObject({ url: server.url });
  });
});

describe('the options page: preferences and language', () => {
  it('stores the preferences and says the language follows the browser', async () => {
    const page = await openOptions();
    // Off until the user turns it on (in a click of theirs, which asks for clipboard reading).
    expect(await page.getByLabel('Clear a copied key from the clipboard after').inputValue()).toBe('0');
    const choices = await page
      .getByLabel('Clear a copied key from the clipboard after')
      .locator('option')
      .allInnerTexts();
    expect(choices).toEqual(['Never', '10 s', '30 s', '1 min', '2 min', '5 min']);
    await page.getByLabel('Show “Paste RAGFlow key” in the right-click menu of text fields').uncheck();
    const worker = await extension.worker();
    await expect
      .poll(() =>
        worker.evaluate(async () => {
          type Local = { get(key: string): Promise<Record<string, unknown>> };
          const { local } = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage;
          return (await local.get('preferences')).preferences;
        }),
      )
      .toEqual({ clipboardClearSeconds: 0, contextMenuEnabled: false, recordPastes: true });
    const uiLanguage = await page.evaluate(() =>
      (globalThis as unknown as { chrome: { i18n: { getUILanguage(): string } } }).chrome.i18n.getUILanguage(),
    );
    const note = page.getByText("RAGFlow Keys uses your browser's language");
    expect(await note.textContent()).toMatch(new RegExp(`currently .*English.* \\(${uiLanguage}\\)\\.`));
  });
});

// Last in the file: the permission prompts asked for here stay open (this browser is headless, so
// nothing answers them); permission-prompt.e2e.test.ts answers them for real, in a headful one.
describe('the options page: host permissions', () => {
  it('shows which servers the browser lets us reach, and the popup leads to the one it does not', async () => {
    const local = await fake({ generation: 'restful' });
    // 127.0.0.2 is this machine too, but not in the manifest's host permissions.
    const elsewhere = 'http://127.0.0.2:9380';
    await extension.configureServers([
      { url: local.url, name: 'Local' },
      { url: elsewhere, name: 'Elsewhere' },
    ]);
    const options = await openOptions();
    await expect.poll(() => card(options, 'Local').getByTestId('access').textContent()).toBe('Access granted');
    await expect.poll(() => card(options, 'Elsewhere').getByTestId('access').textContent()).toContain('No access yet');
    expect(await card(options, 'Elsewhere').getByRole('button', { name: 'Grant access' }).isVisible()).toBe(true);
    expect(await card(options, 'Local').getByRole('button', { name: 'Grant access' }).count()).toBe(0);

    // The popup does not fail on that server: it links to it on the options page.
    const popup = await openPopup();
    await popup.getByLabel('Saved server').selectOption({ label: 'Elsewhere' });
    expect(await popup.getByLabel('Server URL').inputValue()).toBe(elsewhere);
    await popup.getByLabel('Email').fill(ALICE.email);
    await popup.getByLabel('Password', { exact: true }).fill(ALICE.password);
    await popup.getByRole('button', { name: 'Get API key' }).click();
    await expect
      .poll(() => popup.getByRole('alert').textContent())
      .toContain('needs your permission to talk to 127.0.0.2');
    const [opened] = await Promise.all([
      extension.context.waitForEvent('page'),
      popup.getByRole('button', { name: 'Grant access' }).click(),
    ]);
    pages.push(opened);
    await opened.waitForLoadState();
    expect(opened.url()).toBe(`${extension.pageUrl('options.html')}#server=${encodeURIComponent(elsewhere)}`);
    await expect.poll(() => opened.evaluate(() => document.activeElement?.textContent)).toBe('Grant access');
    expect(await card(opened, 'Elsewhere').getAttribute('class')).toContain('focused');
    // The click reaches the browser within the gesture: its prompt opens and the page waits for it
    // (a request outside a gesture would be refused at once, and the card would say "No access").
    await card(opened, 'Elsewhere').getByRole('button', { name: 'Grant access' }).click();
    await expect
      .poll(() => card(opened, 'Elsewhere').getByTestId('access').textContent())
      .toContain('Waiting for your answer');

    // Saving a server elsewhere asks the browser (the prompt stays open here) and saves it anyway.
    await addServer(options, { url: 'https://ragflow.invalid:8443/', name: 'Unanswered' });
    await expect
      .poll(() => card(options, 'Unanswered').getByTestId('access').textContent())
      .toContain('Waiting for your answer');
    expect((await storedSettings()).value.servers.map((server) => server.url)).toContain(
      'https://ragflow.invalid:8443',
    );
  });
});
