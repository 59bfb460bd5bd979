import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { type FirefoxExtension, inExtensionPage, launchFirefoxExtension, waitForText } from './support/firefox';
import { answerFirefoxPermissionPrompt } from './support/native-input';
import { settingsItems } from './support/server-settings';

// The Firefox build in a real Firefox (Debian's firefox-esr): see ./support/firefox.ts.
const ALICE = { email: 'alice@example.com', password: 'alice-pässword-1' };
/** Signs in with a key of his own only. */
const BOB = { email: 'bob@example.com', password: 'bob-never-typed-1' };
// Host names Firefox resolves to this machine (network.dns.localDomains), where the fake servers
// listen: to the extension they are other hosts than the manifest's localhost and 127.0.0.1.
const ALLOWED_HOST = 'ragflow.test';
const DECLINED_HOST = 'declined.test';

let firefox: FirefoxExtension;
let server: FakeRagflow;
const otherServers: FakeRagflow[] = [];
const openPage = (path: string) => firefox.openPage(path);

beforeAll(async () => {
  server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  firefox = await launchFirefoxExtension({
    // Headful (under Xvfb through run.sh): the permission prompt exists only in a window.
    headless: false,
    prefs: { 'network.dns.localDomains': `${ALLOWED_HOST},${DECLINED_HOST}` },
  });

  // The settings the options page would save: the fake server with its own public key (the
  // fake's key pair, not RAGFlow's), written from an extension page, where `browser` is the API.
  const page = await openPage('options.html');
  await page.evaluate(
    async (items: object) => {
      type Local = { set(items: object): Promise<void> };
      await (globalThis as unknown as { browser: { storage: { local: Local } } }).browser.storage.local.set(items);
    },
    settingsItems([{ name: 'Fake RAGFlow', url: server.url, publicKeyPem: server.publicKeyPem }]),
  );
  await page.close();
});

afterAll(async () => {
  await firefox?.close();
  await server?.close();
  await Promise.all(otherServers.map((other) => other.close()));
});

describe('the Firefox build in Firefox', () => {
  it('lists the preset server on the options page, with its host access granted at install', async () => {
    const page = await openPage('options.html');
    await waitForText(page, 'Fake RAGFlow');
    // Firefox treats MV3 host permissions as optional; this checks it granted the manifest's ones.
    await waitForText(page, 'Access granted');
    expect(await page.evaluate(() => document.body.innerText)).toContain(server.url);
    await page.close();
  });

  it('gets an API key through the popup form', async () => {
    const page = await openPage('popup.html');
    await page.locator('#server-url').fill(`${server.url}/`);
    await page.locator('#email').fill(ALICE.email);
    await page.locator('#password').fill(ALICE.password);
    // Before a first password sign-in the popup reads the server's public config, then warns.
    await waitForText(page, 'signs you out of the RAGFlow web app');
    await page.locator('button[type="submit"]').click();

    await page.waitForFunction(() =>
      document.querySelector<HTMLInputElement>('#api-key')?.value.startsWith('ragflow-'),
    );
    const key = await page.$eval('#api-key', (input) => (input as HTMLInputElement).value);
    expect(key).toBe(server.apiKeys(ALICE.email)[0]);
    await page.close();
  });

  it('signs in with an API key the user already has, without a login; refuses an unknown key in a sentence', async () => {
    server.addUser(BOB);
    const [own] = server.seedKeys(BOB.email, 1) as [string];
    // The popup opens on the account it last used (Alice's, above): forget that choice.
    await inExtensionPage(
      firefox.browser,
      async () => {
        type Local = { remove(keys: string[]): Promise<void> };
        const api = (globalThis as unknown as { browser: { storage: { local: Local } } }).browser;
        await api.storage.local.remove(['popup.serverUrl', 'popup.email']);
      },
      undefined,
    );
    server.resetCounts();

    const popup = await openPage('popup.html');
    await popup.locator('#server-url').fill(server.url);
    await signInWithApiKey(popup, own);
    // The key, or the alert that says why there is none (a failure then names it).
    const outcome = await popup.waitForFunction(
      () =>
        document.querySelector<HTMLInputElement>('[data-testid="api-key"]')?.value ||
        document.querySelector('[role="alert"]')?.textContent,
      { timeout: 10_000 },
    );
    expect(await outcome.jsonValue()).toBe(own);
    // Beside Sign out: signing out forgets the key here only.
    const kept = await popup
      .$eval('[data-testid="api-key-sign-in-kept"]', (hint) => hint.textContent)
      .catch(() => null);
    expect(kept).toContain('Nothing is logged out on the server');
    expect(server.count('login')).toBe(0);

    // Signed out (locally, without a logout request), the form takes a key the server does not know.
    await popup.locator('::-p-xpath(//button[text()="Sign out"])').click();
    await popup.waitForSelector('#server-url');
    expect(server.count('logout')).toBe(0);
    await signInWithApiKey(popup, `ragflow-${'0'.repeat(32)}`);
    await waitForText(popup, 'This server does not know this API key');
    expect(await popup.$eval('[role="alert"]', (alert) => alert.textContent)).toBe(
      'This server does not know this API key: it was revoked, or it belongs to another server.',
    );
    expect(server.count('login')).toBe(0);
    await popup.close();
  });
});

/** Opens "Use an API key" under the popup's form (its form loads then), and signs in with `apiKey`. */
async function signInWithApiKey(popup: Page, apiKey: string): Promise<void> {
  const field = 'details.api-key-sign-in #api-key';
  if (!(await popup.$(field))) await popup.locator('details.api-key-sign-in summary').click();
  await popup.locator(field).fill(apiKey);
  await popup.locator('details.api-key-sign-in button[type="submit"]').click();
}

/** Waits until the access line of the server card named `name` contains `text`. */
async function waitForAccess(page: Page, name: string, text: string): Promise<void> {
  await page
    .waitForFunction(
      (serverName: string, expected: string) => {
        const card = [...document.querySelectorAll('li')].find(
          (item) => item.querySelector('h3 span')?.textContent === serverName,
        );
        return card?.querySelector('[data-testid="access"]')?.textContent?.includes(expected) ?? false;
      },
      { timeout: 10_000 },
      name,
      text,
    )
    .catch((error: unknown) => {
      throw new Error(`The card of "${name}" never said "${text}"`, { cause: error });
    });
}

/** A button of the server card named `name`. */
const cardButton = (page: Page, name: string, label: string) =>
  page.locator(`::-p-xpath(//li[h3/span[text()=${JSON.stringify(name)}]]//button[text()=${JSON.stringify(label)}])`);

/** What Firefox itself answers, asked from an extension page. */
function hasPermission(page: Page, originPattern: string): Promise<boolean> {
  return page.evaluate((pattern: string) => {
    type Permissions = { contains(permissions: { origins: string[] }): Promise<boolean> };
    const api = (globalThis as unknown as { browser: { permissions: Permissions } }).browser;
    return api.permissions.contains({ origins: [pattern] });
  }, originPattern);
}

async function fillNewServer(page: Page, fields: { url: string; name: string; publicKeyPem: string }) {
  await page.locator('::-p-text(Add server)').click();
  await page.locator('#server-url').fill(fields.url);
  await page.locator('#server-name').fill(fields.name);
  await page.locator('#server-public-key').fill(fields.publicKeyPem);
}

describe("Firefox's permission prompt for a server elsewhere", () => {
  it('allowed: a portless origin is granted, a key comes from that server, and removing the server gives it back', async () => {
    const elsewhere = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
    otherServers.push(elsewhere);
    const url = `http://${ALLOWED_HOST}:${elsewhere.port}`;
    const options = await openPage('options.html');
    expect(await hasPermission(options, `http://${ALLOWED_HOST}/*`)).toBe(false);

    await fillNewServer(options, { url, name: 'Elsewhere', publicKeyPem: elsewhere.publicKeyPem });
    await answerFirefoxPermissionPrompt(() => options.locator('::-p-text(Save)').click(), 'allow');
    await waitForAccess(options, 'Elsewhere', 'Access granted');
    // A match pattern with a port is invalid in Firefox: the one asked for has none.
    expect(await hasPermission(options, `http://${ALLOWED_HOST}/*`)).toBe(true);

    // The popup opens on the account it last used (the test above, with a key cached): forget it.
    await options.evaluate(async () => {
      type Local = { remove(keys: string[]): Promise<void> };
      const api = (globalThis as unknown as { browser: { storage: { local: Local } } }).browser;
      await api.storage.local.remove(['popup.serverUrl', 'popup.email']);
    });
    const popup = await openPage('popup.html');
    await popup.waitForSelector('#server-choice');
    const choice = await popup.$eval(
      '#server-choice',
      (select, label) => [...(select as HTMLSelectElement).options].find((option) => option.text === label)?.value,
      'Elsewhere',
    );
    expect(choice).toBeTruthy();
    await popup.select('#server-choice', choice as string);
    expect(await popup.$eval('#server-url', (input) => (input as HTMLInputElement).value)).toBe(url);
    await popup.locator('#email').fill(ALICE.email);
    await popup.locator('#password').fill(ALICE.password);
    await waitForText(popup, 'signs you out of the RAGFlow web app');
    await popup.locator('button[type="submit"]').click();
    // Plain http beyond loopback: the popup first says what the network can read, and sends nothing.
    await waitForText(popup, 'speaks plain http');
    expect(elsewhere.count('login')).toBe(0);
    await popup.locator('.alert button').click();
    // The key, or the alert that says why there is none (a failure then names it).
    const outcome = await popup.waitForFunction(
      () =>
        document.querySelector<HTMLInputElement>('#api-key')?.value ||
        document.querySelector('[role="alert"]')?.textContent,
      { timeout: 10_000 },
    );
    const shown = await outcome.jsonValue();
    expect(shown).toMatch(/^ragflow-/);
    expect(shown).toBe(elsewhere.apiKeys(ALICE.email)[0]);
    expect(elsewhere.count('login')).toBe(1);
    await popup.close();

    await cardButton(options, 'Elsewhere', 'Remove').click();
    // Its card goes (the note that offers Undo still names it).
    await options.waitForFunction(
      () => ![...document.querySelectorAll('li.server')].some((card) => card.textContent?.includes('Elsewhere')),
    );
    expect(await hasPermission(options, `http://${ALLOWED_HOST}/*`)).toBe(false);
    await options.close();
  });

  it('denied: the page says so, and its Grant access button asks again', async () => {
    const options = await openPage('options.html');
    const url = `http://${DECLINED_HOST}:${server.port}`;

    await fillNewServer(options, { url, name: 'Declined', publicKeyPem: server.publicKeyPem });
    await answerFirefoxPermissionPrompt(() => options.locator('::-p-text(Save)').click(), 'deny');
    await waitForAccess(options, 'Declined', 'No access yet');
    expect(await hasPermission(options, `http://${DECLINED_HOST}/*`)).toBe(false);

    await answerFirefoxPermissionPrompt(() => cardButton(options, 'Declined', 'Grant access').click(), 'allow');
    await waitForAccess(options, 'Declined', 'Access granted');
    expect(await hasPermission(options, `http://${DECLINED_HOST}/*`)).toBe(true);

    await cardButton(options, 'Declined', 'Remove').click();
    // Its card goes (the note that offers Undo still names it).
    await options.waitForFunction(
      () => ![...document.querySelectorAll('li.server')].some((card) => card.textContent?.includes('Declined')),
    );
    expect(await hasPermission(options, `http://${DECLINED_HOST}/*`)).toBe(false);
    await options.close();
  });
});
