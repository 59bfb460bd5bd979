/**
 * The leak audit that runs after every end-to-end test can fail: each test here puts a secret
 * of the fake server where it must not be and sees the audit name it, without printing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'wxt/browser';

import { type FakeRagflow, secretsSeenByFakeServers, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { launchFirefoxExtension } from './support/firefox';
import { LeakError } from './support/leak-audit';

/** The extension API as the service worker sees it (`chrome`), for `worker.evaluate`. */
type Chrome = typeof Browser;

const ALICE = { email: 'alice@example.com', password: 'alice-audit-password' };

let server: FakeRagflow;
let key: string;

beforeAll(async () => {
  server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  [key] = server.seedKeys(ALICE.email, 1) as [string];
});

afterAll(async () => {
  await server?.close();
});

/** The audit's complaint when `extension` closes; the browser is closed either way. */
async function leakReportOnClose(extension: LoadedExtension): Promise<string> {
  const outcome = await extension.close().then(
    () => 'no leak reported',
    (error: unknown) => (error instanceof LeakError ? error.message : `not a leak report: ${String(error)}`),
  );
  // Closed despite the failure: the browser is gone.
  expect(extension.context.pages()).toEqual([]);
  return outcome;
}

describe('the leak audit', () => {
  it('knows the secrets the fake server saw', () => {
    const seen = secretsSeenByFakeServers();
    expect(seen.passwords).toContain(ALICE.password);
    expect(seen.apiKeys).toContain(key);
  });

  it('fails on an API key in storage.local, naming it by a prefix only', async () => {
    const extension = await launchExtension();
    const worker = await extension.worker();
    await worker.evaluate(async (key) => {
      const { chrome } = globalThis as unknown as { chrome: Chrome };
      await chrome.storage.local.set({ 'stray.item': { note: 'a key where it must not be', key } });
    }, key);
    const report = await leakReportOnClose(extension);
    expect(report).toContain('API key "ragflow-');
    expect(report).toContain('Chromium storage.local item "stray.item"');
    expect(report).not.toContain(key);
  });

  it('accepts the same key in storage.session', async () => {
    const extension = await launchExtension();
    const worker = await extension.worker();
    await worker.evaluate(async (key) => {
      const { chrome } = globalThis as unknown as { chrome: Chrome };
      await chrome.storage.session.set({ 'cached.item': { key } });
    }, key);
    expect(await extension.storageDump()).toContain(key);
    expect(await leakReportOnClose(extension)).toBe('no leak reported');
  });

  it('fails on a password in storage.session, and in IndexedDB', async () => {
    const extension = await launchExtension();
    const worker = await extension.worker();
    await worker.evaluate(async (password) => {
      const { chrome } = globalThis as unknown as { chrome: Chrome };
      await chrome.storage.session.set({ remembered: password });
      const opening = indexedDB.open('stray-db');
      opening.onupgradeneeded = () => opening.result.createObjectStore('things');
      const db = await new Promise<IDBDatabase>((resolve) => (opening.onsuccess = () => resolve(opening.result)));
      const writing = db.transaction('things', 'readwrite');
      // As bytes: the audit decodes binary values too.
      writing.objectStore('things').put(new TextEncoder().encode(`pw=${password}`), 'one');
      await new Promise((done) => (writing.oncomplete = done));
      db.close();
    }, ALICE.password);
    const report = await leakReportOnClose(extension);
    expect(report).toContain('password "alice…" (20 characters) in Chromium storage.session item "remembered"');
    expect(report).toContain('password "alice…" (20 characters) in Chromium IndexedDB "stray-db" store "things"');
    expect(report).not.toContain(ALICE.password);
  });

  it('fails on a key logged by the service worker, and on an uncaught error carrying one', async () => {
    const extension = await launchExtension();
    const worker = await extension.worker();
    await worker.evaluate((key) => {
      console.info('debug', { key });
      setTimeout(() => {
        throw new Error(`failed with ${key}`);
      });
    }, key);
    // The error is thrown a task later: wait until the capture has it too, then close.
    await expect
      .poll(() => extension.auditLeaks().catch((error: Error) => error.message))
      .toContain('(uncaught error,');
    const report = await leakReportOnClose(extension);
    expect(report).toMatch(
      /API key "ragflow-[\w-]{4}…" \(51 characters\) in Chromium console of service worker .*\(console call,/,
    );
    expect(report).toMatch(/in Chromium console of service worker .*\(uncaught error,/);
    expect(report).not.toContain(key);
  });

  it('fails on a session token printed by an extension page', async () => {
    const token = server.signInWebApp(ALICE.email);
    const extension = await launchExtension();
    const page = await extension.openPage('options.html');
    await page.evaluate((token) => console.warn(`token ${token}`), token);
    await page.close();
    const report = await leakReportOnClose(extension);
    expect(report).toContain('session token');
    expect(report).toContain('options.html');
    expect(report).not.toContain(token);
  });
});

describe('the leak audit in Firefox', () => {
  it('fails on a key in storage.local and on a session token printed by a page', async () => {
    const token = server.signInWebApp(ALICE.email);
    const firefox = await launchFirefoxExtension();
    const options = await firefox.openPage('options.html');
    await options.evaluate(async (key: string) => {
      type Local = { set(items: object): Promise<void> };
      const api = (globalThis as unknown as { browser: { storage: { local: Local } } }).browser;
      await api.storage.local.set({ 'stray.item': key });
    }, key);
    await options.close();
    // Firefox reports no console message of extension pages over WebDriver BiDi: a web page.
    const page = await firefox.browser.newPage();
    await page.goto(`data:text/html,<script>console.log(${JSON.stringify(`token ${token}`)})</script>`);
    await page.close();

    const report = await firefox.close().then(
      () => 'no leak reported',
      (error: unknown) => (error instanceof LeakError ? error.message : `not a leak report: ${String(error)}`),
    );
    expect(firefox.browser.connected).toBe(false);
    expect(report).toContain('API key "ragflow-');
    expect(report).toContain('in Firefox storage.local item "stray.item"');
    expect(report).toMatch(/session token .* in Firefox console of .*\(console call,/);
    expect(report).not.toContain(key);
    expect(report).not.toContain(token);
  });
});
