/**
 * Bad input through the real popup: each invalid value says what to fix in the alert region,
 * reaches no server, and leaves every field as typed; unusual but valid values get a key.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { englishMessage } from './support/messages';
import { cachedAccount, freshPopupState } from './support/session-cache';
import { expectNoPasswordStored } from './support/storage-audit';
import { fillSignInForm } from './support/popup-form';

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };
const PASSWORDS_TYPED = new Set<string>([ALICE.password]);

let extension: LoadedExtension;
let server: FakeRagflow;
/** The fake server under the name `localhost`, a separate server for settings and permissions. */
let localhostUrl: string;
const pages: Page[] = [];

beforeAll(async () => {
  extension = await launchExtension();
  server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  localhostUrl = `http://localhost:${server.port}`;
  await extension.configureServers([
    { url: server.url, publicKeyPem: server.publicKeyPem },
    { url: localhostUrl, publicKeyPem: server.publicKeyPem },
  ]);
});

afterAll(async () => {
  await extension?.close();
  await server?.close();
});

beforeEach(async () => {
  await freshPopupState(extension, [server.url, localhostUrl]);
});

afterEach(async () => {
  await expectNoPasswordStored(extension, PASSWORDS_TYPED);
  await Promise.all(pages.splice(0).map((page) => page.close()));
});

async function openPopup(): Promise<Page> {
  const page = await extension.openPopup();
  pages.push(page);
  await page.getByRole('button', { name: 'Get API key' }).waitFor();
  return page;
}

interface Typed {
  serverUrl: string;
  email: string;
  password: string;
}

async function fill(page: Page, typed: Typed): Promise<void> {
  if (typed.password !== '') PASSWORDS_TYPED.add(typed.password);
  await fillSignInForm(page, typed);
}

const fieldValues = async (page: Page): Promise<Typed> => ({
  serverUrl: await page.getByLabel('Server URL').inputValue(),
  email: await page.getByLabel('Email').inputValue(),
  password: await page.getByLabel('Password', { exact: true }).inputValue(),
});

const alertText = (page: Page) => page.getByTestId('alert').locator('p').textContent();
const apiKeyField = (page: Page) => page.getByLabel('API key', { exact: true });

const URL_2000 = `http://h.example/${'a'.repeat(2000 - 'http://h.example/'.length)}`;
const EMAIL_300 = `${'a'.repeat(300 - '@example.com'.length)}@example.com`;

describe('input that is invalid on its own', () => {
  it.each<[string, Partial<Typed>, string, string[]]>([
    ['an empty server URL', { serverUrl: '' }, 'errorUrlEmpty', []],
    ['a server URL of spaces', { serverUrl: '   ' }, 'errorUrlEmpty', []],
    ['a 2,000-character server URL', { serverUrl: URL_2000 }, 'errorUrlTooLong', []],
    ['javascript:alert(1)', { serverUrl: 'javascript:alert(1)' }, 'errorUrlJavascript', []],
    ['file:///etc/passwd', { serverUrl: 'file:///etc/passwd' }, 'errorUrlFile', []],
    ['http://u:p@host', { serverUrl: 'http://u:p@host' }, 'errorUrlCredentials', []],
    ['an empty email', { email: '' }, 'errorEmailRequired', []],
    ['an email without @', { email: 'alice.example.com' }, 'errorEmailMalformed', []],
    ['an email of 300 characters', { email: EMAIL_300 }, 'errorEmailTooLong', ['255']],
    ['an empty password', { password: '' }, 'errorPasswordRequired', []],
    ['a password of 184 UTF-8 bytes', { password: 'p'.repeat(184) }, 'errorPasswordTooLong', ['183']],
    ['46 emoji (184 UTF-8 bytes)', { password: '🔑'.repeat(46) }, 'errorPasswordTooLong', ['183']],
    ['a password of 10,000 characters', { password: 'x'.repeat(10_000) }, 'errorPasswordTooLong', ['183']],
  ])('%s: its sentence, no request, the form as typed', async (_name, input, messageKey, substitutions) => {
    const typed: Typed = { serverUrl: server.url, ...ALICE, ...input };
    const page = await openPopup();
    await fill(page, typed);
    server.resetCounts();
    await page.getByRole('button', { name: 'Get API key' }).click();

    await expect.poll(() => alertText(page)).toBe(englishMessage(messageKey, substitutions));
    expect(server.count()).toBe(0);
    expect(await fieldValues(page)).toEqual(typed);
    expect(await page.getByRole('button', { name: 'Get API key' }).isEnabled()).toBe(true);
  });
});

describe('the nickname of a new account', () => {
  /** Gets the popup to its create-account offer for an email the server does not know. */
  async function offerFor(email: string): Promise<Page> {
    const page = await openPopup();
    await fill(page, { serverUrl: server.url, email, password: 'new-account-pw' });
    await page.getByRole('button', { name: 'Get API key' }).click();
    await page.getByRole('button', { name: 'Create account' }).waitFor();
    return page;
  }

  it('of 200 characters: its sentence, no registration, the field as typed', async () => {
    const page = await offerFor('long.nickname@example.com');
    const nickname = 'n'.repeat(200);
    await page.getByLabel('Nickname').fill(nickname);
    server.resetCounts();
    await page.getByRole('button', { name: 'Create account' }).click();

    await expect.poll(() => alertText(page)).toBe(englishMessage('errorNicknameTooLong', ['90']));
    expect(server.count()).toBe(0);
    expect(await page.getByLabel('Nickname').inputValue()).toBe(nickname);
    expect(await page.getByLabel('Email').inputValue()).toBe('long.nickname@example.com');
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('new-account-pw');
  });

  it('left empty: the account gets the default nickname', async () => {
    const email = 'empty.nickname@example.com';
    const page = await offerFor(email);
    await page.getByLabel('Nickname').fill('');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => apiKeyField(page).inputValue()).toMatch(/^ragflow-/);
    expect(await apiKeyField(page).inputValue()).toBe(server.apiKeys(email)[0]);
    expect(server.nickname(email)).toBe('empty.nickname');
  });

  it('that looks like markup is sent as text, never run or rendered', async () => {
    const email = 'markup@example.com';
    const markup = '<script>window.__ran = "script"</script><img src=x onerror="window.__ran = \'img\'">';
    const page = await offerFor(email);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByLabel('Nickname').fill(markup);
    expect(await page.getByLabel('Nickname').inputValue()).toBe(markup);
    await page.getByRole('button', { name: 'Create account' }).click();

    await expect.poll(() => apiKeyField(page).inputValue()).toMatch(/^ragflow-/);
    expect(await apiKeyField(page).inputValue()).toBe(server.apiKeys(email)[0]);
    expect(server.nickname(email)).toBe(markup);
    const dom = await page.evaluate(() => ({
      ran: (window as unknown as { __ran?: string }).__ran ?? null,
      injected: document.querySelectorAll('img[src="x"], body script').length,
      markupInHtml: document.documentElement.outerHTML.includes('window.__ran'),
    }));
    expect(dom).toEqual({ ran: null, injected: 0, markupInHtml: false });
    expect(dialogs).toEqual([]);
  });
});

describe('input that is unusual but valid', () => {
  it.each<[string, () => Typed]>([
    ['localhost:PORT', () => ({ serverUrl: `localhost:${server.port}`, ...ALICE })],
    ['a server URL with a trailing /#frag', () => ({ serverUrl: `${server.url}/#frag`, ...ALICE })],
    [
      'a password of exactly 183 UTF-8 bytes',
      () => ({ serverUrl: server.url, email: 'p183@example.com', password: `${'ü'.repeat(91)}x` }),
    ],
    [
      'a password of 45 emoji (180 bytes)',
      () => ({ serverUrl: server.url, email: 'emoji@example.com', password: '🔑'.repeat(45) }),
    ],
    ['a non-ASCII email', () => ({ serverUrl: server.url, email: 'jösé.ñandú@exämple.com', password: 'josé-pw' })],
  ])('%s gets a key', async (_name, typedFor) => {
    const typed = typedFor();
    if (typed.email !== ALICE.email) server.addUser({ email: typed.email, password: typed.password });
    const page = await openPopup();
    await fill(page, typed);
    await page.getByRole('button', { name: 'Get API key' }).click();

    await expect.poll(() => apiKeyField(page).inputValue()).toMatch(/^ragflow-/);
    expect(server.apiKeys(typed.email)).toContain(await apiKeyField(page).inputValue());
  });

  it.each([
    ['an IPv6 loopback address', 'http://[::1]:9380', '[::1]'],
    ['an internationalised host name', 'http://bücher.example', 'xn--bcher-kva.example'],
  ])('%s leads to granting access, as any server without it', async (_name, serverUrl, host) => {
    const page = await openPopup();
    await fill(page, { serverUrl, ...ALICE });
    await page.getByRole('button', { name: 'Get API key' }).click();
    await expect.poll(() => alertText(page)).toBe(englishMessage('errorNoHostAccess', [host]));
    expect(await page.getByRole('button', { name: 'Grant access' }).isVisible()).toBe(true);
    expect(await cachedAccount(extension, serverUrl, ALICE.email)).toBeUndefined();
  });
});

describe('typing as the form shows', () => {
  it('stays in the field the user went to, also within the frame in which the form appeared', async () => {
    const page = await extension.context.newPage();
    pages.push(page);
    // The user goes to the Server URL the moment it shows, before the next frame is painted: a
    // quick click, a password manager, or a test's fill (which focuses, then types).
    await page.addInitScript(() => {
      new MutationObserver((_records, observer) => {
        const field = document.getElementById('server-url');
        if (!(field instanceof HTMLInputElement)) return;
        observer.disconnect();
        field.focus();
        field.select();
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(extension.pageUrl('popup.html'));
    await page.getByRole('button', { name: 'Get API key' }).waitFor();
    // Two frames later, what the popup does after its first paint has run. Its own focus on open
    // (the first empty field: the Email, under the preselected server) must not have moved the user.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.keyboard.type('http://[::1]:9380');

    expect(await fieldValues(page)).toEqual({ serverUrl: 'http://[::1]:9380', email: '', password: '' });
  });
});
