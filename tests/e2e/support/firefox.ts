/**
 * The Firefox build (.output/firefox-mv3) in a real Firefox: Debian's firefox-esr, driven by
 * puppeteer-core over WebDriver BiDi, which stock Firefox speaks (Playwright's Firefox is a
 * patched build, and the network here is closed).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import puppeteer, { type Browser, type Page } from 'puppeteer-core';

import { settingsItems, type TestServer } from './server-settings';
import { assertNoLeaks, auditWhileOpen, type ConsoleEntry, placesOfConsole, placesOfStorage } from './leak-audit';
import { dumpExtensionStorage, type StorageSnapshot } from './storage-dump';

const run = promisify(execFile);

export const FIREFOX_EXTENSION_DIR = resolve('.output/firefox-mv3');

/**
 * Chosen here and handed to Firefox through a pref, so that the extension's pages have a known
 * address: Firefox otherwise picks a random moz-extension UUID at install.
 */
const EXTENSION_UUID = '5d3c1a52-0c7e-4b1e-9a8f-3f2a6b7c8d9e';

export const extensionPageUrl = (path: string) => `moz-extension://${EXTENSION_UUID}/${path}`;

export function firefoxPath(): string {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  const found = candidates.find((path): path is string => Boolean(path && existsSync(path)));
  if (!found) throw new Error('Firefox not found: install the Debian package `firefox-esr` or set FIREFOX_PATH');
  return found;
}

/** The add-on id of the Firefox build (its gecko id). */
export function addonId(): string {
  const manifestPath = join(FIREFOX_EXTENSION_DIR, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`No Firefox build in ${FIREFOX_EXTENSION_DIR}: run npm run build:firefox first`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) throw new Error('The Firefox manifest has no browser_specific_settings.gecko.id');
  return id;
}

export interface LaunchFirefoxOptions {
  headless: boolean;
  /** A profile to start with, kept afterwards (a fresh throwaway one without it). */
  profileDir?: string;
  /** More prefs, after the ones every test needs. */
  prefs?: Record<string, unknown>;
}

export async function launchFirefox(options: LaunchFirefoxOptions): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: options.headless,
    protocol: 'webDriverBiDi',
    // WebDriver BiDi refuses to navigate to moz-extension: pages, and to reach the browser
    // window's own document (its context menu), unless the test is allowed privileged access;
    // the profile is a throwaway one.
    args: ['-remote-allow-system-access', ...(options.profileDir ? ['--profile', options.profileDir] : [])],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [addonId()]: EXTENSION_UUID }),
      ...options.prefs,
    },
  });
}

/** A raw WebDriver BiDi command, for what Puppeteer has no API for. */
export interface BidiSession {
  send(method: string, params: object): Promise<{ result: unknown }>;
}

/** The WebDriver BiDi browsing context behind a Puppeteer page (not part of its public API). */
interface BidiContext {
  navigate(url: string, wait: 'none' | 'interactive' | 'complete'): Promise<unknown>;
  userContext: { browser: { session: BidiSession } };
}

function browsingContextOf(page: Page): BidiContext {
  const context = (page.mainFrame() as unknown as { browsingContext?: Partial<BidiContext> }).browsingContext;
  if (typeof context?.navigate !== 'function' || !context.userContext) {
    throw new Error('This Puppeteer has no BiDi browsing context');
  }
  return context as BidiContext;
}

/** The browser's WebDriver BiDi session, through any of its pages. */
export function bidiSession(page: Page): BidiSession {
  return browsingContextOf(page).userContext.browser.session;
}

/**
 * Loads `url` in `page`. Firefox sends no navigation events for a moz-extension: page, so
 * page.goto() would wait for them until it times out; the BiDi navigate command itself answers
 * once the page has loaded.
 */
export async function navigate(page: Page, url: string): Promise<void> {
  await browsingContextOf(page).navigate(url, 'complete');
  await page.waitForFunction((expected: string) => document.location.href === expected, {}, url);
}

/** Opens an extension page (popup.html, options.html) in a tab of its own. */
export async function openExtensionPage(browser: Browser, path: string): Promise<Page> {
  const page = await browser.newPage();
  await navigate(page, extensionPageUrl(path));
  return page;
}

/**
 * Runs `body` in an extension page, where `browser` is the extension API: the options page, in
 * Firefox's first tab, which stays in the background. Opening a tab instead would close the popup
 * the extension may have opened.
 */
export async function inExtensionPage<T, A>(firefox: Browser, body: (arg: A) => Promise<T>, arg: A): Promise<T> {
  const [firstTab] = await firefox.pages();
  if (!firstTab) throw new Error('Firefox has no tab left');
  const optionsUrl = extensionPageUrl('options.html');
  if ((await firstTab.evaluate(() => location.href)) !== optionsUrl) await navigate(firstTab, optionsUrl);
  // Widened for Puppeteer's types, which cannot map a generic argument through the page.
  return (await firstTab.evaluate(body as (arg: unknown) => Promise<unknown>, arg)) as T;
}

/** Sets up servers as the options page would, like Chromium's configureServers (./extension.ts). */
export async function configureFirefoxServers(
  firefox: Browser,
  servers: TestServer[],
  defaultServerIndex?: number,
): Promise<void> {
  await inExtensionPage(
    firefox,
    async (items) => {
      type Local = { set(items: object): Promise<void> };
      await (globalThis as unknown as { browser: { storage: { local: Local } } }).browser.storage.local.set(items);
    },
    settingsItems(servers, defaultServerIndex),
  );
}

/**
 * Gets a key through the popup's form, as a user would, on `serverUrl` (made the popup's last
 * server first, so that it opens on the form rather than on another server's cached key). The
 * popup stays open on the key; the caller closes it.
 */
export async function signInThroughPopup(
  firefox: Browser,
  serverUrl: string,
  account: { email: string; password: string },
): Promise<{ popup: Page; key: string }> {
  await inExtensionPage(
    firefox,
    async (url) => {
      type Local = { set(items: object): Promise<void> };
      await (globalThis as unknown as { browser: { storage: { local: Local } } }).browser.storage.local.set({
        'popup.serverUrl': url,
      });
    },
    serverUrl,
  );
  const popup = await openExtensionPage(firefox, 'popup.html');
  await popup.locator('#server-url').fill(serverUrl);
  await popup.locator('#email').fill(account.email);
  await popup.locator('#password').fill(account.password);
  // Said before a first password sign-in on a server: the popup has looked at the server.
  await waitForText(popup, 'signs you out of the RAGFlow web app');
  await popup.locator('button[type="submit"]').click();
  await popup.waitForFunction(() => document.querySelector<HTMLInputElement>('#api-key')?.value.startsWith('ragflow-'));
  const key = await popup.$eval('#api-key', (input) => (input as HTMLInputElement).value);
  return { popup, key };
}

/** Waits until the page's visible text contains `text`. */
export async function waitForText(page: Page, text: string): Promise<void> {
  // Well within the test's own timeout, so that a failure names the missing text.
  await page
    .waitForFunction((expected: string) => document.body.innerText.includes(expected), { timeout: 10_000 }, text)
    .catch((error: unknown) => {
      throw new Error(`"${text}" never appeared on the page`, { cause: error });
    });
}

/**
 * The Firefox build packed as an .xpi in `artifactsDir`: Firefox installs only an archive
 * permanently. web-ext is the Firefox tool for it, and already runs for `npm run lint:firefox`.
 */
export async function packFirefoxBuild(artifactsDir: string): Promise<string> {
  const filename = 'ragflow-keys.xpi';
  await run(resolve('node_modules/.bin/web-ext'), [
    'build',
    '--source-dir',
    FIREFOX_EXTENSION_DIR,
    '--artifacts-dir',
    artifactsDir,
    '--filename',
    filename,
    '--overwrite-dest',
  ]);
  return join(artifactsDir, filename);
}

/**
 * Installs the .xpi for good, as "Install Add-on From File" does, so that it is still there after
 * a restart (a temporary add-on is gone). Firefox's own parameter `moz:permanent` of
 * webExtension.install does it, for an archive only; it needs a signed add-on unless the pref
 * `xpinstall.signatures.required` is false, which Firefox ESR honours.
 * https://firefox-source-docs.mozilla.org/remote/webdriver-bidi/Extensions.html
 */
export async function installPermanently(page: Page, xpiPath: string): Promise<string> {
  const { result } = await bidiSession(page).send('webExtension.install', {
    extensionData: { type: 'archivePath', path: xpiPath },
    'moz:permanent': true,
  });
  return (result as { extension: string }).extension;
}

/**
 * Quits Firefox the way its own Quit does (WebDriver BiDi browser.close) and waits until the
 * process has exited by itself: Puppeteer's browser.close() kills it right after asking, which
 * could cut short the writes a restart relies on. Answers the exit code.
 */
export async function quitFirefox(browser: Browser): Promise<number | null> {
  const process = browser.process();
  if (!process) throw new Error('This Firefox was not started by the test');
  const exited = new Promise<number | null>((resolveExit) => {
    if (process.exitCode !== null) resolveExit(process.exitCode);
    else process.once('exit', (code) => resolveExit(code));
  });
  const [page] = await browser.pages();
  if (!page) throw new Error('Firefox has no page left to send the command through');
  await bidiSession(page).send('browser.close', {});
  return exited;
}

/**
 * The leak audit (./leak-audit.ts) of a Firefox, as far as Firefox lets a test see: the storage,
 * read from an extension page, and the console of web pages. Firefox ESR reports no console
 * message of the extension's own pages nor of its background page over WebDriver BiDi
 * (`log.entryAdded` stays silent for moz-extension: documents), so those are not captured.
 * Registered to run after every test while the browser is open, like Chromium's.
 */
export interface FirefoxLeakAudit {
  storageSnapshot(): Promise<StorageSnapshot>;
  auditLeaks(): Promise<void>;
  /** No more audits after each test: before a deliberate quit, or in close(). */
  stop(): void;
}

export async function auditFirefoxForLeaks(browser: Browser): Promise<FirefoxLeakAudit> {
  const printed: ConsoleEntry[] = [];
  const watched = new WeakSet<Page>();
  const watch = (page: Page | null) => {
    if (!page || watched.has(page)) return;
    watched.add(page);
    page.on('console', (message) => printed.push({ kind: 'console call', source: page.url(), text: message.text() }));
    page.on('pageerror', (error) =>
      printed.push({ kind: 'uncaught error', source: page.url(), text: `${error.message}\n${error.stack}` }),
    );
  };
  for (const page of await browser.pages()) watch(page);
  browser.on('targetcreated', (target) => void target.page().then(watch, () => undefined));

  /** From an extension page that runs none of the extension's code: the manifest. */
  async function storageSnapshot(): Promise<StorageSnapshot> {
    const page = await openExtensionPage(browser, 'manifest.json');
    try {
      return await page.evaluate(dumpExtensionStorage);
    } finally {
      await page.close();
    }
  }

  async function auditLeaks(): Promise<void> {
    const storage = browser.connected ? placesOfStorage(await storageSnapshot(), 'Firefox') : [];
    assertNoLeaks([...storage, ...placesOfConsole(printed, 'Firefox')]);
  }

  return { storageSnapshot, auditLeaks, stop: auditWhileOpen({ auditLeaks }) };
}

/** A fresh Firefox (headless unless asked) with the build installed as a temporary add-on, audited for leaks. */
export interface FirefoxExtension {
  browser: Browser;
  pageUrl(path: string): string;
  /** Opens an extension page (options.html, say) in a tab of its own, loaded. */
  openPage(path: string): Promise<Page>;
  storageSnapshot(): Promise<StorageSnapshot>;
  /** As Chromium's (./extension.ts): runs after every test while open, and in {@link close}. */
  auditLeaks(): Promise<void>;
  /** Audits for leaks, then closes Firefox; rejects (after closing it) on a leak. */
  close(): Promise<void>;
}

export async function launchFirefoxExtension(
  options: Partial<Pick<LaunchFirefoxOptions, 'headless' | 'prefs'>> = {},
): Promise<FirefoxExtension> {
  const id = addonId();
  const browser = await launchFirefox({ headless: options.headless ?? true, prefs: options.prefs });
  const audit = await auditFirefoxForLeaks(browser);
  const installed = await browser.installExtension(FIREFOX_EXTENSION_DIR);
  if (installed !== id) throw new Error(`Firefox installed ${installed}, not ${id}`);

  return {
    browser,
    pageUrl: extensionPageUrl,
    openPage: (path) => openExtensionPage(browser, path.replace(/^\//, '')),
    storageSnapshot: audit.storageSnapshot,
    auditLeaks: audit.auditLeaks,
    async close() {
      audit.stop();
      let leak: unknown;
      try {
        await audit.auditLeaks();
      } catch (error) {
        leak = error;
      }
      await browser.close();
      if (leak) throw leak;
    },
  };
}
