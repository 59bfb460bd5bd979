/**
 * The Firefox build in a real Firefox (Debian's firefox-esr), driven over WebDriver BiDi, which
 * stock Firefox speaks: Playwright's Firefox is a patched build, and the network here is closed.
 * Audited for leaks like the Chromium runs (./leak-audit.ts), as far as Firefox lets a test see:
 * the storage, read from an extension page, and the console of web pages. Firefox ESR reports no
 * console message of the extension's own pages nor of its background page over WebDriver BiDi
 * (`log.entryAdded` stays silent for moz-extension: documents), so those are not captured.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import puppeteer, { type Browser, type Page } from 'puppeteer-core';

import { assertNoLeaks, auditWhileOpen, type ConsoleEntry, placesOfConsole, placesOfStorage } from './leak-audit';
import { dumpExtensionStorage, type StorageSnapshot } from './storage-dump';

export const FIREFOX_EXTENSION_DIR = resolve('.output/firefox-mv3');
// Chosen here and handed to Firefox through a pref, so that the extension's pages have a known
// address: Firefox otherwise picks a random moz-extension UUID at install.
const EXTENSION_UUID = '5d3c1a52-0c7e-4b1e-9a8f-3f2a6b7c8d9e';

export function firefoxPath(): string {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  const found = candidates.find((path): path is string => Boolean(path && existsSync(path)));
  if (!found) throw new Error('Firefox not found: install the Debian package `firefox-esr` or set FIREFOX_PATH');
  return found;
}

function addonId(): string {
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

/** The WebDriver BiDi browsing context behind a Puppeteer page (not part of its public API). */
interface BidiContext {
  navigate(url: string, wait: 'none' | 'interactive' | 'complete'): Promise<unknown>;
}

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

export async function launchFirefoxExtension(): Promise<FirefoxExtension> {
  const id = addonId();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    protocol: 'webDriverBiDi',
    // WebDriver BiDi refuses to navigate to moz-extension: pages unless the test is allowed
    // privileged access; the profile is a throwaway one.
    args: ['-remote-allow-system-access'],
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [id]: EXTENSION_UUID }) },
  });

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

  const installed = await browser.installExtension(FIREFOX_EXTENSION_DIR);
  if (installed !== id) throw new Error(`Firefox installed ${installed}, not ${id}`);

  const pageUrl = (path: string) => `moz-extension://${EXTENSION_UUID}/${path.replace(/^\//, '')}`;
  async function openPage(path: string): Promise<Page> {
    const page = await browser.newPage();
    watch(page);
    // Firefox sends no navigation events for a moz-extension: page, so page.goto() would wait for
    // them until it times out. The BiDi navigate command itself answers once the page has loaded.
    const context = (page.mainFrame() as unknown as { browsingContext?: Partial<BidiContext> }).browsingContext;
    if (typeof context?.navigate !== 'function') throw new Error('This Puppeteer has no BiDi browsing context');
    await context.navigate(pageUrl(path), 'complete');
    await page.waitForFunction((url: string) => document.location.href === url, {}, pageUrl(path));
    return page;
  }

  /** From an extension page that runs none of the extension's code: the manifest. */
  async function storageSnapshot(): Promise<StorageSnapshot> {
    const page = await openPage('manifest.json');
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

  const stopAuditing = auditWhileOpen({ auditLeaks });
  return {
    browser,
    pageUrl,
    openPage,
    storageSnapshot,
    auditLeaks,
    async close() {
      stopAuditing();
      let leak: unknown;
      try {
        await auditLeaks();
      } catch (error) {
        leak = error;
      }
      await browser.close();
      if (leak) throw leak;
    },
  };
}
