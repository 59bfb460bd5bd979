/**
 * `npm run bench`: sizes, timings and request counts of the built extension. Not a test: it
 * prints a table and writes bench-results/latest.json; nothing here asserts a timing.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { EXTENSION_DIR, launchExtension, type LoadedExtension } from '../e2e/support/extension';
import { filesOfPage, gzippedBytes } from '../support/bundle';
import { usualScript } from './usual-script';

const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const USER = { email: 'bench@example.com', password: 'bench-password' };
/** An account with a long key list, for the key list's render time. */
const MANY_KEYS = 200;
const MANY_KEYS_USER = { email: 'many-keys@example.com', password: 'many-keys-password' };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function timePopupOpen(extension: LoadedExtension, ready: 'form' | 'key'): Promise<number[]> {
  const timings: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await extension.context.newPage();
    const started = performance.now();
    await page.goto(extension.pageUrl('popup.html'));
    if (ready === 'form') {
      await page.getByRole('button', { name: 'Get API key' }).waitFor({ state: 'visible' });
    } else {
      await page.getByLabel('API key', { exact: true }).waitFor({ state: 'visible' });
    }
    timings.push(performance.now() - started);
    await page.close();
  }
  return timings;
}

/**
 * From opening the popup to the last row of a long key list on screen: the popup opens on the
 * cached key, "Manage keys" lists the keys from the server and renders them all.
 */
async function timeKeyList(extension: LoadedExtension): Promise<number[]> {
  const timings: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await extension.context.newPage();
    const started = performance.now();
    await page.goto(extension.pageUrl('popup.html'));
    await page.getByRole('button', { name: 'Manage keys' }).click();
    const rows = page.getByRole('list', { name: 'API keys of this account' }).getByRole('listitem');
    await rows.nth(MANY_KEYS - 1).waitFor({ state: 'visible' });
    timings.push(performance.now() - started);
    if ((await rows.count()) !== MANY_KEYS) throw new Error(`Expected ${MANY_KEYS} keys in the list`);
    await page.close();
  }
  return timings;
}

async function requestsFor(server: FakeRagflow, action: () => Promise<void>): Promise<number> {
  server.resetCounts();
  await action();
  return server.count();
}

async function getKeyThroughPopup(
  extension: LoadedExtension,
  server: FakeRagflow,
  password: string,
  email = USER.email,
): Promise<void> {
  const page = await extension.context.newPage();
  await page.goto(extension.pageUrl('popup.html'));
  await page.getByLabel('Server URL').fill(server.url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Get API key' }).click();
  await page.getByLabel('API key', { exact: true }).waitFor({ state: 'visible' });
  await page.close();
}

const LATENCY_MS = 50;
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 10);

async function clearSessionCache(extension: LoadedExtension): Promise<void> {
  const worker = await extension.worker();
  await worker.evaluate(async () => {
    type Session = { clear(): Promise<void> };
    await (globalThis as unknown as { chrome: { storage: { session: Session } } }).chrome.storage.session.clear();
  });
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/**
 * Time to a key with 50 ms added to every answer, the extension beside the usual script, on the
 * same (legacy: the only routes the script knows) server in the same run.
 */
async function timeToKeyWithLatency(extension: LoadedExtension) {
  const account = { email: 'latency@example.com', password: 'latency-password', nickname: 'latency' };
  const server = await startFakeRagflow({ generation: 'legacy', users: [account], latencyMs: LATENCY_MS });
  try {
    await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
    const cold: number[] = [];
    const requestsCold: number[] = [];
    for (let run = 0; run < LATENCY_RUNS; run++) {
      await clearSessionCache(extension);
      server.resetCounts();
      cold.push(await timed(() => getKeyThroughPopup(extension, server, account.password, account.email)));
      requestsCold.push(server.count());
    }
    const cached: number[] = [];
    for (let run = 0; run < LATENCY_RUNS; run++) {
      cached.push(
        await timed(async () => {
          const page = await extension.openPopup();
          await page.getByLabel('API key', { exact: true }).waitFor({ state: 'visible' });
          await page.close();
        }),
      );
    }
    const script: number[] = [];
    server.resetCounts();
    for (let run = 0; run < LATENCY_RUNS; run++) {
      script.push(await timed(() => usualScript(server.url, account, server.publicKeyPem)));
    }
    return {
      extensionColdMs: median(cold),
      extensionColdRequests: median(requestsCold),
      extensionCachedMs: median(cached),
      usualScriptMs: median(script),
      usualScriptRequests: server.count() / LATENCY_RUNS,
      usualScriptKeysMinted: server.apiKeys(account.email).length,
    };
  } finally {
    await server.close();
  }
}

/** Requests for a key when the account does not exist yet and the user creates it. */
async function requestsColdWithAccountCreation(extension: LoadedExtension): Promise<number> {
  const server = await startFakeRagflow({ generation: 'restful', users: [] });
  try {
    await clearSessionCache(extension);
    await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
    const page = await extension.context.newPage();
    await page.goto(extension.pageUrl('popup.html'));
    await page.getByLabel('Server URL').fill(server.url);
    await page.getByLabel('Email').fill('newcomer@example.com');
    await page.getByLabel('Password', { exact: true }).fill('newcomer-password');
    await page.getByRole('button', { name: 'Get API key' }).click();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByLabel('API key', { exact: true }).waitFor({ state: 'visible' });
    await page.close();
    return server.count();
  } finally {
    await server.close();
  }
}

/**
 * Service worker stopped → key pasted by the keyboard shortcut, in a headful browser (the
 * shortcut is the browser's own: xdotool presses it as a keyboard would). Undefined without a
 * display.
 */
async function timePasteAfterWorkerStop(server: FakeRagflow): Promise<number | undefined> {
  if (!process.env.DISPLAY) return undefined;
  const page = createServer((_request, response) => {
    response.setHeader('Content-Type', 'text/html');
    response.end('<!doctype html><title>paste</title><input id="field" aria-label="field">');
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
  const extension = await launchExtension({ headless: false });
  try {
    await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }], 0);
    await getKeyThroughPopup(extension, server, USER.password);
    const key = server.apiKeys(USER.email)[0];
    const tab = await extension.context.newPage();
    await tab.goto(pageUrl);
    const cdp = await extension.context.newCDPSession(tab);
    const timings: number[] = [];
    for (let run = 0; run < LATENCY_RUNS; run++) {
      await tab.bringToFront();
      await tab.locator('#field').fill('');
      await tab.locator('#field').focus();
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      const started = performance.now();
      await promisify(execFile)('xdotool', ['key', 'alt+shift+k']);
      await tab.waitForFunction(
        (expected) => (document.querySelector('#field') as HTMLInputElement).value === expected,
        key,
        {
          timeout: 10_000,
        },
      );
      timings.push(performance.now() - started);
    }
    return median(timings);
  } finally {
    await extension.close();
    page.close();
  }
}

async function main(): Promise<void> {
  const sizes = {
    popupJsCssGzip: gzippedBytes(EXTENSION_DIR, filesOfPage(EXTENSION_DIR, 'popup.html')),
    optionsJsCssGzip: gzippedBytes(EXTENSION_DIR, filesOfPage(EXTENSION_DIR, 'options.html')),
    offscreenJsGzip: gzippedBytes(EXTENSION_DIR, filesOfPage(EXTENSION_DIR, 'offscreen.html')),
    backgroundGzip: gzippedBytes(EXTENSION_DIR, ['background.js']),
  };

  const server = await startFakeRagflow({ generation: 'restful', users: [USER, MANY_KEYS_USER] });
  server.seedKeys(MANY_KEYS_USER.email, MANY_KEYS);
  const extension = await launchExtension();
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
  try {
    const formReady = await timePopupOpen(extension, 'form');

    const cold = await requestsFor(server, () => getKeyThroughPopup(extension, server, USER.password));
    const keyShown = await timePopupOpen(extension, 'key');
    const cached = await requestsFor(server, async () => {
      const page = await extension.openPopup();
      await page.getByLabel('API key', { exact: true }).waitFor({ state: 'visible' });
      await page.close();
    });
    // Session alive: the session token is cached but the key was forgotten.
    await extension.forgetCachedKeys();
    const sessionAlive = await requestsFor(server, () => getKeyThroughPopup(extension, server, ''));

    // Last, as the popup then opens on this account: without a cached key it opens on its form.
    await extension.forgetCachedKeys();
    await getKeyThroughPopup(extension, server, MANY_KEYS_USER.password, MANY_KEYS_USER.email);
    const keyList = await timeKeyList(extension);
    const coldWithAccount = await requestsColdWithAccountCreation(extension);
    const latency = await timeToKeyWithLatency(extension);
    const pasteAfterWorkerStopMs = await timePasteAfterWorkerStop(server);

    const results = {
      date: new Date().toISOString(),
      runs: RUNS,
      sizes,
      popupOpenToFormReadyMs: { median: median(formReady), min: Math.min(...formReady), max: Math.max(...formReady) },
      popupOpenToCachedKeyMs: { median: median(keyShown), min: Math.min(...keyShown), max: Math.max(...keyShown) },
      popupOpenToKeyListMs: {
        keys: MANY_KEYS,
        median: median(keyList),
        min: Math.min(...keyList),
        max: Math.max(...keyList),
      },
      requests: { keyCached: cached, sessionAlive, cold, coldWithAccountCreation: coldWithAccount },
      timeToKeyWith50msLatency: latency,
      workerStoppedToKeyPastedMs: pasteAfterWorkerStopMs ?? null,
    };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/latest.json', `${JSON.stringify(results, null, 2)}\n`);

    const rows: [string, string][] = [
      ['popup JS+CSS, gzip', `${(sizes.popupJsCssGzip / 1024).toFixed(1)} KB (budget 20 KB)`],
      ['options JS+CSS, gzip', `${(sizes.optionsJsCssGzip / 1024).toFixed(1)} KB`],
      ['offscreen JS, gzip', `${(sizes.offscreenJsGzip / 1024).toFixed(1)} KB`],
      ['background, gzip', `${(sizes.backgroundGzip / 1024).toFixed(1)} KB`],
      [`popup open → form ready (median of ${RUNS})`, `${results.popupOpenToFormReadyMs.median.toFixed(0)} ms`],
      [`popup open → cached key shown (median of ${RUNS})`, `${results.popupOpenToCachedKeyMs.median.toFixed(0)} ms`],
      [
        `popup open → ${MANY_KEYS}-key list shown (median of ${RUNS})`,
        `${results.popupOpenToKeyListMs.median.toFixed(0)} ms`,
      ],
      ['requests: key cached', String(cached)],
      ['requests: session alive', String(sessionAlive)],
      ['requests: cold (config, login, list, create; detection ran as the popup opened)', String(cold)],
      ['requests: cold with account creation', String(coldWithAccount)],
      [
        `time to a key, ${LATENCY_MS} ms per request: extension, cold (median of ${LATENCY_RUNS})`,
        `${latency.extensionColdMs.toFixed(0)} ms, ${latency.extensionColdRequests} requests`,
      ],
      [
        `time to a key, ${LATENCY_MS} ms per request: extension, key cached`,
        `${latency.extensionCachedMs.toFixed(0)} ms, 0 requests`,
      ],
      [
        `time to a key, ${LATENCY_MS} ms per request: usual script (register, login, new key)`,
        `${latency.usualScriptMs.toFixed(0)} ms, ${latency.usualScriptRequests} requests, a new key each run (${latency.usualScriptKeysMinted} after ${LATENCY_RUNS} runs)`,
      ],
      [
        `service worker stopped → key pasted by shortcut (median of ${LATENCY_RUNS})`,
        pasteAfterWorkerStopMs === undefined ? 'not measured: no display' : `${pasteAfterWorkerStopMs.toFixed(0)} ms`,
      ],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    console.log(`| ${'measure'.padEnd(width)} | value |`);
    console.log(`| ${'-'.repeat(width)} | ----- |`);
    for (const [name, value] of rows) console.log(`| ${name.padEnd(width)} | ${value} |`);
    console.log('\nwritten: bench-results/latest.json');
  } finally {
    await extension.close();
    await server.close();
  }
}

await main();
