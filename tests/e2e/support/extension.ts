import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

import { type BrowserContext, type CDPSession, chromium, type Page, type Worker } from 'playwright-core';
import { expect, vi } from 'vitest';

import { captureConsole } from './console-capture';
import { settingsItems, type TestServer } from './server-settings';
import { assertNoLeaks, auditWhileOpen, placesOfConsole, placesOfStorage } from './leak-audit';
import { dumpExtensionStorage, type StorageSnapshot } from './storage-dump';

export const EXTENSION_DIR = resolve('.output/chrome-mv3');

/** Debian's Chromium, which still honours --load-extension (branded Chrome ≥ 137 does not). */
export function chromiumPath(): string {
  // Chromium rather than branded Chrome, which ignores --load-extension from version 137.
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .flatMap((dir) => ['chromium', 'chromium-browser'].map((name) => join(dir, name)));
  const candidates = [process.env.CHROME_PATH, ...onPath, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((path): path is string => Boolean(path && existsSync(path)));
  if (!found) throw new Error('Chromium not found: install the Debian package `chromium` or set CHROME_PATH');
  return found;
}

export interface LoadedExtension {
  context: BrowserContext;
  extensionId: string;
  /** The current service worker; refreshed after a restart (Playwright's handle goes stale). */
  worker(): Promise<Worker>;
  pageUrl(path: string): string;
  openPopup(): Promise<Page>;
  /** Every storage area of the extension, and its IndexedDB databases, as text. */
  storageDump(): Promise<string>;
  storageSnapshot(): Promise<StorageSnapshot>;
  /**
   * Throws when a password or its ciphertext is in the extension's storage or in anything the
   * browser printed, or an API key or session token anywhere but `storage.session`. Runs after
   * every test while the browser is open, and in {@link close}.
   */
  auditLeaks(): Promise<void>;
  /** Opens an extension page (options.html, say) in a tab of its own. */
  openPage(path: string): Promise<Page>;
  /**
   * Stops the service worker, as Chrome does when it is idle (through the DevTools protocol), and
   * returns once the browser reports it stopped. The next event (a message, a command, a menu
   * click) starts a new one. Do not evaluate in the worker until then: Playwright's handle
   * stays listed (microsoft/playwright#39475), and an evaluation waits for a worker that runs.
   */
  stopServiceWorker(): Promise<void>;
  /** Whether the context menu holds an item with this id (an update of nothing fails otherwise). */
  menuHasItem(id: string): Promise<boolean>;
  /** Whether the extension's own popup (the toolbar button's) is open. */
  actionPopupIsOpen(): Promise<boolean>;
  /**
   * Closes the popup the extension opened itself, and waits until it is gone. It is no page of
   * Playwright's, but the DevTools protocol lists it among the browser's targets: close the
   * popup.html pages of Playwright's first, as this closes every target showing popup.html.
   */
  closeActionPopup(): Promise<void>;
  /** Drops the cached keys but keeps the session tokens: the "session alive" state. */
  forgetCachedKeys(): Promise<void>;
  /** Sets up servers as the options page would (a custom public key: the fake's own pair). */
  configureServers(servers: TestServer[], defaultServerIndex?: number): Promise<void>;
  /** Audits for leaks, then closes the browser; rejects (after closing it) on a leak. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  headless?: boolean;
  /** More Chromium switches, after the ones every test needs. */
  args?: string[];
  /** The browser's UI language (what `i18n.getUILanguage()` answers), e.g. `zh-CN`. */
  uiLanguage?: string;
  /** More unpacked extensions to load beside ours (folders with a manifest.json). */
  otherExtensions?: string[];
}

export async function launchExtension(options: LaunchOptions = {}): Promise<LoadedExtension> {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`No built extension in ${EXTENSION_DIR}: run npm run build first`);
  }
  const extensionDirs = [EXTENSION_DIR, ...(options.otherExtensions ?? [])].join(',');
  const userDataDir = await mkdtemp(join(tmpdir(), 'ragflow-keys-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: options.headless ?? true,
    viewport: { width: 360, height: 600 },
    ...(options.uiLanguage && {
      locale: options.uiLanguage,
      // Chromium on Linux takes its UI language from LANGUAGE as well as from --lang.
      env: { ...process.env, LANGUAGE: options.uiLanguage.replace('-', '_') },
    }),
    args: [
      `--disable-extensions-except=${extensionDirs}`,
      `--load-extension=${extensionDirs}`,
      '--no-sandbox',
      '--disable-gpu',
      // The network here is closed: no calls home, no component updates.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...(options.uiLanguage ? [`--lang=${options.uiLanguage}`] : []),
      ...(options.args ?? []),
    ],
  });

  // Before anything runs in the browser, so that nothing it prints is missed.
  const consoleCapture = await captureConsole(context);
  let contextClosed = false;
  context.on('close', () => {
    contextClosed = true;
  });

  // Our worker is the one named background.js until the id is known (other extensions a test
  // loads name theirs otherwise), then the one of our origin.
  let ourOrigin: string | undefined;
  const isOurs = (candidate: Worker) =>
    ourOrigin ? candidate.url().startsWith(`${ourOrigin}/`) : candidate.url().endsWith('/background.js');
  async function worker(): Promise<Worker> {
    const current = context.serviceWorkers().find(isOurs);
    return current ?? (await context.waitForEvent('serviceworker', { predicate: isOurs }));
  }

  /** A DevTools-protocol session on a page of the browser (the protocol needs one to attach to). */
  async function withBrowserSession<T>(task: (cdp: CDPSession) => Promise<T>): Promise<T> {
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    try {
      return await task(cdp);
    } finally {
      await cdp.detach().catch(() => {
        // The page closed meanwhile: the session went with it.
      });
    }
  }

  async function actionPopupIsOpen(): Promise<boolean> {
    const sw = await worker();
    return sw.evaluate(async () => {
      type Runtime = { getContexts(filter: { contextTypes: string[] }): Promise<unknown[]> };
      const { runtime } = (globalThis as unknown as { chrome: { runtime: Runtime } }).chrome;
      return (await runtime.getContexts({ contextTypes: ['POPUP'] })).length > 0;
    });
  }

  const extensionId = new URL((await worker()).url()).host;
  ourOrigin = `chrome-extension://${extensionId}`;
  const pageUrl = (path: string) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`;
  async function openPage(path: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(pageUrl(path));
    return page;
  }

  /**
   * Read in the service worker when it runs. A stopped worker (the browser stops idle ones, and
   * some tests stop it on purpose) is not woken for this: an extension page reads the same
   * storage, and the manifest is a page of the extension's origin that runs none of its code.
   */
  async function storageSnapshot(): Promise<StorageSnapshot> {
    const running = context.serviceWorkers().find(isOurs);
    if (running) {
      try {
        return await running.evaluate(dumpExtensionStorage);
      } catch {
        // It stopped in the meantime; read from a page instead.
      }
    }
    const page = await context.newPage();
    try {
      await page.goto(pageUrl('manifest.json'));
      return await page.evaluate(dumpExtensionStorage);
    } finally {
      await page.close();
    }
  }

  async function auditLeaks(): Promise<void> {
    const printed = placesOfConsole(consoleCapture.entries(), 'Chromium');
    // A browser the test (or the user of the demo) already closed has no storage left to read.
    const storage = contextClosed ? [] : placesOfStorage(await storageSnapshot(), 'Chromium');
    assertNoLeaks([...storage, ...printed]);
  }

  const stopAuditing = auditWhileOpen({ auditLeaks });

  return {
    context,
    extensionId,
    worker,
    pageUrl,
    openPopup: () => openPage('popup.html'),
    openPage,
    async storageDump() {
      return JSON.stringify(await storageSnapshot());
    },
    storageSnapshot,
    auditLeaks,
    async stopServiceWorker() {
      const scriptUrl = `chrome-extension://${extensionId}/background.js`;
      await withBrowserSession(async (cdp) => {
        const stopped = new Promise<void>((resolve) => {
          cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
            const ours = versions.filter((version) => version.scriptURL === scriptUrl);
            if (ours.length > 0 && ours.every((version) => version.runningStatus === 'stopped')) resolve();
          });
        });
        await cdp.send('ServiceWorker.enable');
        await cdp.send('ServiceWorker.stopAllWorkers');
        await stopped;
      });
    },
    actionPopupIsOpen,
    async menuHasItem(id) {
      const sw = await worker();
      return sw.evaluate(async (id) => {
        type ContextMenus = { update(id: string, properties: object): Promise<void> };
        const { contextMenus } = (globalThis as unknown as { chrome: { contextMenus: ContextMenus } }).chrome;
        return contextMenus.update(id, {}).then(
          () => true,
          () => false,
        );
      }, id);
    },
    async closeActionPopup() {
      const popupUrl = pageUrl('popup.html');
      await withBrowserSession(async (cdp) => {
        const { targetInfos } = await cdp.send('Target.getTargets');
        const popups = targetInfos.filter((target) => target.url === popupUrl);
        for (const { targetId } of popups) await cdp.send('Target.closeTarget', { targetId });
      });
      await vi.waitFor(async () => expect(await actionPopupIsOpen(), 'the popup did not close').toBe(false), {
        timeout: 10_000,
        interval: 100,
      });
    },
    async forgetCachedKeys() {
      const sw = await worker();
      await sw.evaluate(async () => {
        type Entry = { currentKey?: string };
        type Session = {
          get(keys: null): Promise<Record<string, Entry>>;
          set(items: object): Promise<void>;
          remove(keys: string[]): Promise<void>;
        };
        const { session } = (globalThis as unknown as { chrome: { storage: { session: Session } } }).chrome.storage;
        const items = await session.get(null);
        for (const [key, value] of Object.entries(items)) {
          if (key.startsWith('account:')) await session.set({ [key]: { ...value, currentKey: undefined } });
        }
        // Each account's key has an item of its own beside the entry (lib/keys/cached-key.ts).
        await session.remove(Object.keys(items).filter((key) => key.startsWith('key:')));
      });
    },
    async configureServers(servers, defaultServerIndex) {
      const sw = await worker();
      await sw.evaluate(
        async (items) => {
          type Local = { set(items: object): Promise<void> };
          const { local } = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage;
          await local.set(items);
        },
        settingsItems(servers, defaultServerIndex),
      );
    },
    async close() {
      stopAuditing();
      let leak: unknown;
      try {
        await auditLeaks();
      } catch (error) {
        leak = error;
      }
      await consoleCapture.stop();
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
      if (leak) throw leak;
    },
  };
}
