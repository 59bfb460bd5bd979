import { createServer } from 'node:net';

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, HOSTILE_KEY_TOKENS, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { englishMessage } from './support/messages';
import { dumpExtensionStorage } from './support/storage-dump';
import { expectNoPasswordStored } from './support/storage-audit';
import { fillSignInForm } from './support/popup-form';

const ALICE = { email: 'alice@example.com', password: 'alice-pässword-1' };
/** Every password typed in this file: none may ever reach any storage area. */
const PASSWORDS_TYPED = new Set<string>([ALICE.password]);

let extension: LoadedExtension;
let server: FakeRagflow;
const pages: Page[] = [];

beforeAll(async () => {
  extension = await launchExtension();
  server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
});

afterAll(async () => {
  await extension?.close();
  await server?.close();
});

afterEach(async () => {
  await expectNoPasswordStored(extension, PASSWORDS_TYPED);
  await Promise.all(pages.splice(0).map((page) => page.close()));
});

async function openPopup(): Promise<Page> {
  const page = await extension.openPopup();
  pages.push(page);
  return page;
}

async function fillForm(page: Page, fields: { serverUrl: string; email: string; password: string }) {
  PASSWORDS_TYPED.add(fields.password);
  await fillSignInForm(page, fields);
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Get API key' }).isVisible()).toBe(true);
}

const apiKeyField = (page: Page) => page.getByLabel('API key', { exact: true });

describe('the popup', () => {
  it('gets the first key through a login, in 3 requests once the popup has looked at the server', async () => {
    const page = await openPopup();
    await fillForm(page, { serverUrl: `${server.url}/`, ...ALICE });
    // Before a first password sign-in the popup reads the public config (detecting the routes on
    // the way), then warns that signing in signs the RAGFlow web app out.
    await expect.poll(() => page.getByText('signs you out of the RAGFlow web app').isVisible()).toBe(true);
    server.resetCounts();
    await page.getByRole('button', { name: 'Get API key' }).click();

    await expect.poll(() => apiKeyField(page).inputValue()).toMatch(/^ragflow-/);
    expect(await apiKeyField(page).inputValue()).toBe(server.apiKeys(ALICE.email)[0]);
    expect(await page.getByText(server.url, { exact: true }).isVisible()).toBe(true);
    expect(server.requests.map((request) => request.operation)).toEqual(['login', 'tokens.list', 'tokens.create']);
  });

  it('shows the cached key at once on reopening, with zero requests', async () => {
    server.resetCounts();
    const page = await openPopup();
    await expect.poll(() => apiKeyField(page).inputValue()).toBe(server.apiKeys(ALICE.email)[0]);
    // The key is masked until asked for, but the field holds all of it.
    expect(await apiKeyField(page).getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Show' }).click();
    // Shown in full, on two lines rather than cut off at the edge.
    expect(await apiKeyField(page).evaluate((field) => field.tagName)).toBe('TEXTAREA');
    expect(await apiKeyField(page).inputValue()).toBe(server.apiKeys(ALICE.email)[0]);
    expect(server.count()).toBe(0);
  });

  it('with a live session and no password, lists and reuses the key in 1 request', async () => {
    await extension.forgetCachedKeys();
    server.resetCounts();
    const page = await openPopup();
    await expect.poll(() => page.getByLabel('Email').inputValue()).toBe(ALICE.email);
    await page.getByRole('button', { name: 'Get API key' }).click();
    await expect.poll(() => apiKeyField(page).inputValue()).toBe(server.apiKeys(ALICE.email)[0]);
    expect(server.requests.map((request) => request.operation)).toEqual(['tokens.list']);
  });

  it('copies the key and says so', async () => {
    await extension.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await openPopup();
    await expect.poll(() => apiKeyField(page).inputValue()).toMatch(/^ragflow-/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.getByText('Copied').first().isVisible()).toBe(true);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(server.apiKeys(ALICE.email)[0]);
    await signOut(page);
  });

  it('offers to create the account when the email is not registered, then gets a key', async () => {
    const page = await openPopup();
    const carol = { serverUrl: server.url, email: 'carol.smith@example.com', password: 'carol-password-2' };
    await fillForm(page, carol);
    await page.getByRole('button', { name: 'Get API key' }).click();

    await expect.poll(() => page.getByRole('alert').textContent()).toContain('No account with this email');
    expect(server.count('register')).toBe(0);
    const nickname = page.getByLabel('Nickname');
    await expect.poll(() => nickname.inputValue()).toBe('carol.smith');
    await page.getByRole('button', { name: 'Create account' }).click();

    await expect.poll(() => apiKeyField(page).inputValue()).toMatch(/^ragflow-/);
    expect(await apiKeyField(page).inputValue()).toBe(server.apiKeys(carol.email)[0]);
    expect(server.count('register')).toBe(1);
    await signOut(page);
  });

  it('says the password is wrong and keeps the form filled', async () => {
    const page = await openPopup();
    await fillForm(page, { serverUrl: server.url, email: ALICE.email, password: 'not-her-password' });
    await page.getByRole('button', { name: 'Get API key' }).click();

    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong password');
    expect(await page.getByLabel('Email').inputValue()).toBe(ALICE.email);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('not-her-password');
    expect(await page.getByRole('button', { name: 'Get API key' }).isEnabled()).toBe(true);
  });

  it('says the server cannot be reached when it is down', async () => {
    const closedPort = await freePort();
    const page = await openPopup();
    await fillForm(page, { serverUrl: `http://127.0.0.1:${closedPort}`, ...ALICE });
    await page.getByRole('button', { name: 'Get API key' }).click();

    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('Cannot reach');
    expect(await page.getByRole('button', { name: 'Get API key' }).isEnabled()).toBe(true);
  });

  it('says registration is closed instead of offering an account', async () => {
    const closed = await startFakeRagflow({ generation: 'legacy', registerEnabled: false, users: [] });
    try {
      const page = await openPopup();
      await fillForm(page, { serverUrl: closed.url, email: 'dan@example.com', password: 'dan-password-3' });
      await page.getByRole('button', { name: 'Get API key' }).click();

      await expect.poll(() => page.getByRole('alert').textContent()).toContain('No account with this email');
      await expect.poll(() => page.getByText(/does not allow new accounts/).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Create account' }).count()).toBe(0);
      expect(closed.count('register')).toBe(0);
    } finally {
      await closed.close();
    }
  });

  it('names each step while it works, with the button disabled', async () => {
    const slow = await startFakeRagflow({ generation: 'mixed', users: [ALICE], latencyMs: 400 });
    try {
      await extension.configureServers([
        { url: server.url, publicKeyPem: server.publicKeyPem },
        { url: slow.url, publicKeyPem: slow.publicKeyPem },
      ]);
      const page = await openPopup();
      await fillForm(page, { serverUrl: slow.url, ...ALICE });
      const seen = new Set<string>();
      const watching = (async () => {
        while (!(await apiKeyField(page).isVisible())) {
          // One snapshot of the page, so that the step and the button are seen at the same moment.
          const { step, buttonDisabled } = await page.evaluate(() => {
            const indicator = document.querySelector('[data-testid="step-indicator"]');
            const button = [...document.querySelectorAll('button')].find(
              (candidate) => candidate.textContent?.trim() === 'Get API key',
            );
            return { step: indicator?.textContent?.trim() ?? '', buttonDisabled: button ? button.disabled : null };
          });
          if (step) seen.add(step);
          if (step && buttonDisabled !== null) expect(buttonDisabled).toBe(true);
          await page.waitForTimeout(50);
        }
      })();
      await page.getByRole('button', { name: 'Get API key' }).click();
      await watching;
      expect([...seen]).toEqual(
        expect.arrayContaining(['Connecting to the server…', 'Signing in…', 'Getting the API key…']),
      );
      await signOut(page);
    } finally {
      await slow.close();
    }
  });

  it('for a server without access, leads to the options page instead of failing', async () => {
    const page = await openPopup();
    await fillForm(page, { serverUrl: 'https://rag.example.invalid/ragflow', ...ALICE });
    await page.getByRole('button', { name: 'Get API key' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('needs your permission to talk to rag.example.invalid');

    const opened = extension.context.waitForEvent('page');
    await page.getByRole('button', { name: 'Grant access' }).click();
    const options = await opened;
    pages.push(options);
    await options.waitForLoadState();
    expect(options.url()).toBe(
      `${extension.pageUrl('options.html')}#server=${encodeURIComponent('https://rag.example.invalid/ragflow')}`,
    );
    // Not saved yet: the page offers to add it, its address filled in; saving asks for access.
    await expect.poll(() => options.getByLabel('Server URL').inputValue()).toBe('https://rag.example.invalid/ragflow');
    expect(await options.getByRole('button', { name: 'Save' }).isVisible()).toBe(true);
  });

  it('remembers server URL and email, never the password', async () => {
    const page = await openPopup();
    expect(await page.getByLabel('Server URL').inputValue()).not.toBe('');
    expect(await page.getByLabel('Email').inputValue()).not.toBe('');
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
  });

  it('offers the saved servers with the default preselected, and links to the settings', async () => {
    await extension.configureServers(
      [
        { url: server.url, name: 'Main', publicKeyPem: server.publicKeyPem },
        { url: 'http://localhost:9', name: 'Spare', email: 'spare@example.com' },
      ],
      1,
    );
    // A first run: no server used yet, so the default is preselected.
    const worker = await extension.worker();
    await worker.evaluate(async () => {
      type Local = { remove(keys: string[]): Promise<void> };
      const { local } = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage;
      await local.remove(['popup.serverUrl', 'popup.email']);
    });
    try {
      const page = await openPopup();
      const picker = page.getByLabel('Saved server');
      await expect.poll(() => picker.inputValue()).toBe('server-1');
      expect(await picker.locator('option').allInnerTexts()).toEqual(['Main', 'Spare', 'Another server…']);
      expect(await page.getByLabel('Server URL').inputValue()).toBe('http://localhost:9');
      expect(await page.getByLabel('Email').inputValue()).toBe('spare@example.com');

      await picker.selectOption({ label: 'Main' });
      expect(await page.getByLabel('Server URL').inputValue()).toBe(server.url);
      await picker.selectOption({ label: 'Another server…' });
      expect(await page.getByLabel('Server URL').inputValue()).toBe('');
      // Free typing stays: a saved server typed by hand is recognised in the picker.
      await page.getByLabel('Server URL').fill(`${server.url}/`);
      expect(await picker.inputValue()).toBe('server-0');

      const [options] = await Promise.all([
        extension.context.waitForEvent('page'),
        page.getByRole('button', { name: 'Settings' }).click(),
      ]);
      pages.push(options);
      await options.waitForLoadState();
      expect(options.url()).toBe(extension.pageUrl('options.html'));
      await expect.poll(() => options.getByRole('listitem', { name: 'Spare', exact: true }).isVisible()).toBe(true);
    } finally {
      await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
    }
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('the popup against a hostile server', () => {
  it('shows, stores and pastes no "key" that is not in RAGFlow form, and says why', async () => {
    const hostile = await startFakeRagflow({ generation: 'restful', users: [ALICE], hostileKeys: true });
    try {
      await extension.configureServers([
        { url: server.url, publicKeyPem: server.publicKeyPem },
        { url: hostile.url, publicKeyPem: hostile.publicKeyPem },
      ]);
      const page = await openPopup();
      await fillForm(page, { serverUrl: hostile.url, ...ALICE });
      await page.getByRole('button', { name: 'Get API key' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toBe(englishMessage('errorInvalidApiKey', [hostile.url]));
      expect(await apiKeyField(page).count()).toBe(0);
      expect(hostile.apiKeys(ALICE.email)).toEqual([HOSTILE_KEY_TOKENS[0]]);
      const stored = JSON.stringify(await (await extension.worker()).evaluate(dumpExtensionStorage));
      expect(stored).not.toContain('$(touch');
      expect(await page.content()).not.toContain('$(touch');
    } finally {
      await hostile.close();
    }
  });
});
