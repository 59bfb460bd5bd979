/**
 * Broken servers through the real popup, with the fake RAGFlow's faults: each fault says its own
 * sentence, the Get API key button works again, no key is cached from the failed flow, and once
 * the fault is gone a retry in the same popup gets the key.
 *
 * DNS: a `.invalid` host needs host permission, which only the browser's own prompt grants; here
 * the popup leads to granting it (tested below), and permission-prompt.e2e.test.ts answers that
 * prompt and then fails on the name itself. In this headless file, a DNS failure on a host the
 * extension may reach comes from Chromium's resolver rules: this file's browser cannot resolve
 * `localhost`, and the fake server is reached as 127.0.0.1 everywhere else.
 */
import { createServer } from 'node:net';

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { Fault, Operation } from '../fake-ragflow';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES } from '../../lib/ragflow/client';
import { launchExtension, type LoadedExtension } from './support/extension';
import { englishMessage } from './support/messages';
import { cachedAccount, freshPopupState } from './support/session-cache';
import { expectNoPasswordStored } from './support/storage-audit';
import { fillSignInForm } from './support/popup-form';

const PASSWORD = 'broken-servers-pw-1';

let extension: LoadedExtension;
let server: FakeRagflow;
/** A port nobody listens on (until the refused case starts a server there for its retry). */
let closedPort: number;
/** The fake server as `localhost`, which this browser cannot resolve. */
let unresolvableUrl: string;
const pages: Page[] = [];

beforeAll(async () => {
  extension = await launchExtension({ args: ['--host-resolver-rules=MAP localhost ~NOTFOUND'] });
  server = await startFakeRagflow({ generation: 'restful' });
  closedPort = await freePort();
  unresolvableUrl = `http://localhost:${server.port}`;
  // Every fake server of this process shares one key pair.
  await extension.configureServers(
    [server.url, `http://127.0.0.1:${closedPort}`, unresolvableUrl].map((url) => ({
      url,
      publicKeyPem: server.publicKeyPem,
    })),
  );
});

afterAll(async () => {
  await extension?.close();
  await server?.close();
});

beforeEach(async () => {
  server.clearFaults();
  server.resetCounts();
  await freshPopupState(extension, [server.url, `http://127.0.0.1:${closedPort}`, unresolvableUrl]);
});

afterEach(async () => {
  await expectNoPasswordStored(extension, [PASSWORD]);
  await Promise.all(pages.splice(0).map((page) => page.close()));
});

let accounts = 0;
/** A new account on the fake server for each case, so that no case sees another's keys. */
function newAccount(): string {
  const email = `user${++accounts}@example.com`;
  server.addUser({ email, password: PASSWORD });
  return email;
}

async function popupFor(serverUrl: string, email: string): Promise<Page> {
  const page = await extension.openPopup();
  pages.push(page);
  await fillSignInForm(page, { serverUrl, email, password: PASSWORD });
  return page;
}

const getKeyButton = (page: Page) => page.getByRole('button', { name: 'Get API key' });
const alertText = (page: Page) => page.getByTestId('alert').locator('p').textContent();
const apiKeyField = (page: Page) => page.getByLabel('API key', { exact: true });

/** After a failure: the sentence, the button back, the form as typed, no key cached. */
async function expectFailure(page: Page, typed: { serverUrl: string; email: string }, message: string) {
  // The hang takes the client's whole timeout to become a sentence.
  await expect.poll(() => alertText(page), { timeout: DEFAULT_TIMEOUT_MS + 10_000 }).toBe(message);
  await expect.poll(() => getKeyButton(page).isEnabled()).toBe(true);
  expect(await page.getByLabel('Server URL').inputValue()).toBe(typed.serverUrl);
  expect(await page.getByLabel('Email').inputValue()).toBe(typed.email);
  expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe(PASSWORD);
  expect(await apiKeyField(page).count()).toBe(0);
  expect((await cachedAccount(extension, typed.serverUrl, typed.email))?.currentKey).toBeUndefined();
}

/** The retry in the same popup gets the account's key. */
async function expectRetryGetsKey(page: Page, keyServer: FakeRagflow, email: string) {
  await getKeyButton(page).click();
  await expect.poll(() => apiKeyField(page).inputValue()).toMatch(/^ragflow-/);
  expect(await apiKeyField(page).inputValue()).toBe(keyServer.apiKeys(email)[0]);
}

describe('a fault at or before the sign-in leaves nothing cached', () => {
  it.each<[string, Operation | '*', Fault, (url: string) => [string, string[]]]>([
    [
      'a hang (the timeout fires)',
      'login',
      'hang',
      (url) => ['errorTimeout', [url, String(DEFAULT_TIMEOUT_MS / 1000)]],
    ],
    ["a proxy's HTML 502", 'login', 'html502', () => ['errorServer', ['502']]],
    ['a web page (non-JSON 200) for every route', '*', 'non-json', (url) => ['errorNotRagflow', [url]]],
    ['a sign-in without the Authorization header', 'login', 'no-auth-header', () => ['errorMissingSessionToken', []]],
  ])('%s', async (_name, operation, fault, expected) => {
    const email = newAccount();
    const page = await popupFor(server.url, email);
    server.injectFault(operation, fault);
    await getKeyButton(page).click();

    const [messageKey, substitutions] = expected(server.url);
    await expectFailure(page, { serverUrl: server.url, email }, englishMessage(messageKey, substitutions));
    expect(await cachedAccount(extension, server.url, email)).toBeUndefined();

    server.clearFaults();
    await expectRetryGetsKey(page, server, email);
  });

  it('connection refused: a port nobody listens on', async () => {
    const email = newAccount();
    const serverUrl = `http://127.0.0.1:${closedPort}`;
    const page = await popupFor(serverUrl, email);
    await getKeyButton(page).click();
    await expectFailure(page, { serverUrl, email }, englishMessage('errorCannotConnect', [serverUrl]));
    expect(await cachedAccount(extension, serverUrl, email)).toBeUndefined();

    // The server comes up: the same popup gets the key.
    const late = await startFakeRagflow({
      generation: 'restful',
      port: closedPort,
      users: [{ email, password: PASSWORD }],
    });
    try {
      await expectRetryGetsKey(page, late, email);
    } finally {
      await late.close();
    }
  });

  it('DNS failure: a host name that does not resolve', async () => {
    const email = newAccount();
    const page = await popupFor(unresolvableUrl, email);
    await getKeyButton(page).click();
    // The fetch API tells a refused connection and an unknown name apart no more than "failed":
    // one sentence covers both, naming the address to check.
    await expectFailure(
      page,
      { serverUrl: unresolvableUrl, email },
      englishMessage('errorCannotConnect', [unresolvableUrl]),
    );
    expect(await cachedAccount(extension, unresolvableUrl, email)).toBeUndefined();
    expect(server.count()).toBe(0);

    // The address corrected in the same popup.
    await page.getByLabel('Server URL').fill(server.url);
    await expectRetryGetsKey(page, server, email);
  });

  it('a .invalid host: the popup leads to granting access, which only the browser can give', async () => {
    const email = newAccount();
    const page = await popupFor('http://ragflow.invalid:9380', email);
    await getKeyButton(page).click();
    await expect.poll(() => alertText(page)).toBe(englishMessage('errorNoHostAccess', ['ragflow.invalid']));
    expect(await page.getByRole('button', { name: 'Grant access' }).isVisible()).toBe(true);
    expect(await getKeyButton(page).isEnabled()).toBe(true);
  });
});

describe('a fault after the sign-in caches no key', () => {
  it('JSON without a code, listing the keys', async () => {
    const email = newAccount();
    const page = await popupFor(server.url, email);
    server.injectFault('tokens.list', 'no-code');
    await getKeyButton(page).click();
    await expectFailure(page, { serverUrl: server.url, email }, englishMessage('errorNotRagflow', [server.url]));

    server.clearFaults();
    await expectRetryGetsKey(page, server, email);
  });

  it('a 10 MB answer, creating the key: refused unread, the popup responsive throughout', async () => {
    const email = newAccount();
    const page = await popupFor(server.url, email);
    server.injectFault('tokens.create', 'huge');
    await getKeyButton(page).click();
    // The popup answers while the background deals with the flood.
    expect(await page.evaluate(() => (document.getElementById('email') as HTMLInputElement).value)).toBe(email);
    await expectFailure(
      page,
      { serverUrl: server.url, email },
      englishMessage('errorResponseTooLarge', [server.url, String(MAX_RESPONSE_BYTES / (1024 * 1024))]),
    );

    server.clearFaults();
    await expectRetryGetsKey(page, server, email);
  });

  it('a 401 in the middle of the flow: the refused session token is gone too', async () => {
    const email = newAccount();
    const page = await popupFor(server.url, email);
    server.injectFault('tokens.list', 'unauthorized');
    await getKeyButton(page).click();
    await expectFailure(page, { serverUrl: server.url, email }, englishMessage('errorSessionRejected'));
    expect(server.count('login')).toBeGreaterThan(0);
    expect((await cachedAccount(extension, server.url, email))?.authorization).toBeUndefined();

    server.clearFaults();
    await expectRetryGetsKey(page, server, email);
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
