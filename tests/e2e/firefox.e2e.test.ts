import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { answerFirefoxPermissionPrompt } from './support/native-input';

// The Firefox build in a real Firefox (Debian's firefox-esr), driven over WebDriver BiDi, which
// stock Firefox speaks: Playwright's Firefox is a patched build, and the network here is closed.
const EXTENSION_DIR = resolve('.output/firefox-mv3');
const ALICE = { email: 'alice@example.com', password: 'alice-pässword-1' };
// Chosen here and handed to Firefox through a pref, so that the extension's pages have a known
// address: Firefox otherwise picks a random moz-extension UUID at install.
const EXTENSION_UUID = '5d3c1a52-0c7e-4b1e-9a8f-3f2a6b7c8d9e';
// Host names Firefox resolves to this machine (network.dns.localDomains), where the fake servers
// listen: to the extension they are other hosts than the manifest's localhost and 127.0.0.1.
const ALLOWED_HOST = 'ragflow.test';
const DECLINED_HOST = 'declined.test';

function firefoxPath(): string {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  const found = candidates.find((path): path is string => Boolean(path && existsSync(path)));
  if (!found) throw new Error('Firefox not found: install the Debian package `firefox-esr` or set FIREFOX_PATH');
  return found;
}

function addonId(): string {
  const manifestPath = join(EXTENSION_DIR, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`No Firefox build in ${EXTENSION_DIR}: run npm run build:firefox first`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) throw new Error('The Firefox manifest has no browser_specific_settings.gecko.id');
  return id;
}

const pageUrl = (path: string) => `moz-extension://${EXTENSION_UUID}/${path}`;

let browser: Browser;
let server: FakeRagflow;
const otherServers: FakeRagflow[] = [];

/** The WebDriver BiDi browsing context behind a Puppeteer page (not part of its public API). */
interface BidiContext {
  navigate(url: string, wait: 'none' | 'interactive' | 'complete'): Promise<unknown>;
}

async function openPage(path: string): Promise<Page> {
  const page = await browser.newPage();
  // Firefox sends no navigation events for a moz-extension: page, so page.goto() would wait for
  // them until it times out. The BiDi navigate command itself answers once the page has loaded.
  const context = (page.mainFrame() as unknown as { browsingContext?: Partial<BidiContext> }).browsingContext;
  if (typeof context?.navigate !== 'function') throw new Error('This Puppeteer has no BiDi browsing context');
  await context.navigate(pageUrl(path), 'complete');
  await page.waitForFunction((url: string) => document.location.href === url, {}, pageUrl(path));
  return page;
}

/** Waits until the page's visible text contains `text`. */
async function waitForText(page: Page, text: string): Promise<void> {
  // Well within the test's own timeout, so that a failure names the missing text.
  await page
    .waitForFunction((expected: string) => document.body.innerText.includes(expected), { timeout: 10_000 }, text)
    .catch((error: unknown) => {
      throw new Error(`"${text}" never appeared on the page`, { cause: error });
    });
}

beforeAll(async () => {
  const id = addonId();
  server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    // Headful (under Xvfb through run.sh): the permission prompt exists only in a window.
    headless: false,
    protocol: 'webDriverBiDi',
    // WebDriver BiDi refuses to navigate to moz-extension: pages unless the test is allowed
    // privileged access; the profile is a throwaway one.
    args: ['-remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [id]: EXTENSION_UUID }),
      'network.dns.localDomains': `${ALLOWED_HOST},${DECLINED_HOST}`,
    },
  });
  const installed = await browser.installExtension(EXTENSION_DIR);
  expect(installed).toBe(id);

  // The settings the options page would save: the fake server with its own public key (the
  // fake's key pair, not RAGFlow's), written from an extension page, where `browser` is the API.
  const page = await openPage('options.html');
  const settings = {
    servers: [
      {
        id: 'server-0',
        name: 'Fake RAGFlow',
        url: server.url,
        keyPolicy: 'reuse',
        sessionLifetime: { kind: 'until-browser-closes' },
        publicKeyPem: server.publicKeyPem,
      },
    ],
  };
  await page.evaluate(async (value: object) => {
    type Local = { set(items: object): Promise<void> };
    const api = (globalThis as unknown as { browser: { storage: { local: Local } } }).browser;
    // With the metadata WXT's storage keeps beside a versioned item: this is version 2.
    await api.storage.local.set({ settings: value, settings$: { v: 2 } });
  }, settings);
  await page.close();
});

afterAll(async () => {
  await browser?.close();
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
});

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
    await options.waitForFunction(() => !document.body.innerText.includes('Elsewhere'));
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
    await options.waitForFunction(() => !document.body.innerText.includes('Declined'));
    expect(await hasPermission(options, `http://${DECLINED_HOST}/*`)).toBe(false);
    await options.close();
  });
});
