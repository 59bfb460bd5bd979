/**
 * `npm run bench`: sizes, timings and request counts of the built extension. Not a test: it
 * prints a table and writes bench-results/latest.json; nothing here asserts a timing.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

import type { Locator, Page } from 'playwright-core';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { EXTENSION_DIR, launchExtension, type LoadedExtension } from '../e2e/support/extension';
import { fillSignInForm } from '../e2e/support/popup-form';
import { filesOfPage, gzippedBytes } from '../support/bundle';
import { knownPrime, realModulus, spkiPem } from '../support/rsa-keys';
import { installMarks, type MarkSpec, type PageMarks } from './page-marks';
import { usualScript } from './usual-script';

/** Interleaved runs of each timing: the medians compare runs made under the same load. */
const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const USER = { email: 'bench@example.com', password: 'bench-password' };
/** An account with a long key list, for the key list's render time. */
const MANY_KEYS = 200;
const MANY_KEYS_USER = { email: 'many-keys@example.com', password: 'many-keys-password' };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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
  await fillSignInForm(page, { serverUrl: server.url, email, password });
  await page.getByRole('button', { name: 'Get API key' }).click();
  await page.getByLabel('API key', { exact: true }).waitFor({ state: 'visible' });
  await page.close();
}

const LATENCY_MS = 50;

/**
 * What an opening of the popup reads in all once it is idle, gzipped: the files of its first view
 * (the budget), then what loads after it shows (the flows, the bus, the errors, the web-session
 * offer when it leads). From the browser's own requests (extension files have no resource
 * timing entries).
 */
async function popupReadOnceIdle(extension: LoadedExtension, shown: (page: Page) => Locator): Promise<number> {
  const page = await extension.context.newPage();
  const files = new Set<string>();
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname.slice(1);
    if (/\.(?:js|css)$/.test(path)) files.add(path);
  });
  try {
    await page.goto(extension.pageUrl('popup.html'));
    await shown(page).waitFor({ state: 'visible' });
    // Idle: no new file for half a second.
    for (let count = -1; files.size !== count; ) {
      count = files.size;
      await page.waitForTimeout(500);
    }
    return gzippedBytes(EXTENSION_DIR, [...files]);
  } finally {
    await page.close();
  }
}

async function clearSessionCache(extension: LoadedExtension): Promise<void> {
  const worker = await extension.worker();
  await worker.evaluate(async () => {
    type Session = { clear(): Promise<void> };
    await (globalThis as unknown as { chrome: { storage: { session: Session } } }).chrome.storage.session.clear();
  });
}

/**
 * Opens `url` in a new tab with the marks installed, does `act` there, and answers the time the
 * page measured: from the click (or from the page's navigation start, for an action that starts
 * with the page) to the frame that showed the result.
 */
async function timeInPage(
  extension: LoadedExtension,
  url: string,
  spec: MarkSpec,
  act: (page: Page) => Promise<void> = async () => undefined,
): Promise<number> {
  const page = await extension.context.newPage();
  try {
    await page.addInitScript(installMarks, spec);
    await page.goto(url);
    await act(page);
    const handle = await page.waitForFunction(
      () => {
        const marks = (globalThis as unknown as { __benchMarks?: PageMarks }).__benchMarks;
        return marks?.done !== undefined ? marks : undefined;
      },
      undefined,
      { timeout: 20_000 },
    );
    const marks = (await handle.jsonValue()) as PageMarks;
    return marks.done! - (marks.click ?? 0);
  } finally {
    await page.close();
  }
}

/**
 * Pages that do the same with no extension at all: the browser's own cost of opening a page and
 * painting a field, and of a click that fills a field. The extension's timings sit on top of it.
 */
async function startControlPages(): Promise<{ url: (name: 'open' | 'click' | 'type') => string; close(): void }> {
  const pages: Record<string, string> = {
    '/open': '<!doctype html><title>control</title><input aria-label="API key" value="ragflow-control">',
    '/click':
      '<!doctype html><title>control</title><input id="key" aria-label="API key">' +
      "<button onclick=\"document.getElementById('key').value = 'ragflow-control'\">Get API key</button>",
    '/type':
      '<!doctype html><title>control</title><input id="field" aria-label="field">' +
      '<script>document.getElementById("field").addEventListener("input", () => ' +
      '{ window.__inputAt ??= performance.timeOrigin + performance.now(); });</script>',
  };
  const server = createServer((request, response) => {
    response.setHeader('Content-Type', 'text/html');
    response.end(pages[request.url ?? ''] ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: (name) => `http://127.0.0.1:${port}/${name}`, close: () => server.close() };
}

/** The epoch time, to the microsecond, on the clock the browser's `performance.timeOrigin` uses. */
const epochNow = () => performance.timeOrigin + performance.now();

/**
 * Key pressed → the page's `input` event, in a page that records its time: for the paste
 * shortcut with the service worker stopped, and for a plain key press (the control: xdotool, X
 * and the browser's own input path).
 */
async function timeKeyToInput(page: Page, keys: string, expected: string): Promise<number> {
  await page.bringToFront();
  await page.locator('#field').fill('');
  await page.evaluate(() => {
    (globalThis as unknown as { __inputAt?: number }).__inputAt = undefined;
  });
  await page.locator('#field').focus();
  const pressedAt = epochNow();
  await promisify(execFile)('xdotool', ['key', keys]);
  await page.waitForFunction(
    (value) => (document.querySelector('#field') as HTMLInputElement).value === value,
    expected,
    { timeout: 10_000 },
  );
  const inputAt = await page.evaluate(() => (globalThis as unknown as { __inputAt?: number }).__inputAt);
  if (inputAt === undefined) throw new Error('the page saw no input');
  return inputAt - pressedAt;
}

interface Timings {
  controlOpen: number[];
  cachedKey: number[];
  cachedKeyWorkerAsleep: number[];
  controlClick: number[];
  coldKey: number[];
  coldKeyRequests: number[];
  script: number[];
  scriptRequests: number;
  scriptKeysMinted: number;
}

/**
 * The timings that compare with the usual script, interleaved run by run, on one legacy server
 * (the only routes the script knows) with 50 ms added to every answer.
 */
async function timeAgainstScript(extension: LoadedExtension, control: { url(name: string): string }): Promise<Timings> {
  const account = { email: 'latency@example.com', password: 'latency-password', nickname: 'latency' };
  const server = await startFakeRagflow({ generation: 'legacy', users: [account], latencyMs: LATENCY_MS });
  const popupUrl = extension.pageUrl('popup.html');
  const keySpec: MarkSpec = { done: { kind: 'key' } };
  const clickSpec: MarkSpec = { clickText: 'Get API key', done: { kind: 'key' } };
  const signIn = async (page: Page) => {
    await fillSignInForm(page, { serverUrl: server.url, ...account });
    await page.getByRole('button', { name: 'Get API key' }).click();
  };
  const timings: Timings = {
    controlOpen: [],
    cachedKey: [],
    cachedKeyWorkerAsleep: [],
    controlClick: [],
    coldKey: [],
    coldKeyRequests: [],
    script: [],
    scriptRequests: 0,
    scriptKeysMinted: 0,
  };
  try {
    await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
    // The server is known from here on (its detection is remembered), as after any first contact.
    await timeInPage(extension, popupUrl, clickSpec, signIn);
    const keysBefore = server.apiKeys(account.email).length;
    let scriptRequests = 0;
    for (let run = 0; run < RUNS; run++) {
      timings.controlOpen.push(await timeInPage(extension, control.url('open'), keySpec));
      timings.cachedKey.push(await timeInPage(extension, popupUrl, keySpec));
      await extension.stopServiceWorker();
      timings.cachedKeyWorkerAsleep.push(await timeInPage(extension, popupUrl, keySpec));
      timings.controlClick.push(
        await timeInPage(extension, control.url('click'), clickSpec, (page) =>
          page.getByRole('button', { name: 'Get API key' }).click(),
        ),
      );
      await clearSessionCache(extension);
      server.resetCounts();
      timings.coldKey.push(await timeInPage(extension, popupUrl, clickSpec, signIn));
      timings.coldKeyRequests.push(server.count());
      server.resetCounts();
      const started = performance.now();
      await usualScript(server.url, account, server.publicKeyPem);
      timings.script.push(performance.now() - started);
      scriptRequests += server.count();
    }
    timings.scriptRequests = scriptRequests / RUNS;
    // The extension reuses its one key: every other key on the server is the script's.
    timings.scriptKeysMinted = server.apiKeys(account.email).length - keysBefore;
    return timings;
  } finally {
    await server.close();
  }
}

/** From the click on "Manage keys" to the frame that shows all rows of a long key list. */
async function timeKeyList(extension: LoadedExtension): Promise<number[]> {
  const timings: number[] = [];
  const spec: MarkSpec = { clickText: 'Manage keys', done: { kind: 'rows', count: MANY_KEYS } };
  for (let run = 0; run < RUNS; run++) {
    timings.push(
      await timeInPage(extension, extension.pageUrl('popup.html'), spec, (page) =>
        page.getByRole('button', { name: 'Manage keys' }).click(),
      ),
    );
  }
  return timings;
}

/**
 * The options page: Save of a server with a custom public key → the key's verdict shown (its
 * error, or the form closed), in a new page each run, so that no key is known to the page yet.
 */
async function timeKeyVerdicts(extension: LoadedExtension): Promise<Record<string, number>> {
  const valid2048 = realModulus(2048);
  const keys: Record<string, string> = {
    'prime modulus, 4096 bits': spkiPem(knownPrime(4096), 65537n),
    'small factor (3)': spkiPem(3n * knownPrime(2200), 65537n),
    'exponent 3': spkiPem(valid2048, 3n),
    'not RSA (EC P-256)': generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString(),
    'valid, 2048 bits': spkiPem(valid2048, 65537n),
    'valid, 4096 bits': spkiPem(realModulus(4096), 65537n),
  };
  const timings: Record<string, number[]> = Object.fromEntries(Object.keys(keys).map((name) => [name, []]));
  // A new address for each Save: a valid key is saved, and a second server there would be refused.
  let port = 20_000;
  for (let run = 0; run < RUNS; run++) {
    for (const [name, pem] of Object.entries(keys)) {
      const page = await extension.openPage('options.html');
      await page.getByRole('button', { name: 'Add server' }).click();
      await page.getByLabel('Server URL').fill(`http://localhost:${port++}`);
      await page.getByLabel("Server's RSA public key (optional)").fill(pem);
      // Until the frame that shows the verdict, as in ./page-marks.ts: the check runs in the click.
      const elapsed = await page.evaluate(
        () =>
          new Promise<number>((done) => {
            const shown = () =>
              document.querySelector('#server-public-key-error') || !document.querySelector('form.server-form');
            const start = performance.now();
            const look = (now: number) => (shown() ? done(now - start) : requestAnimationFrame(look));
            document.querySelector<HTMLButtonElement>('form.server-form button[type=submit]')!.click();
            requestAnimationFrame(look);
          }),
      );
      timings[name]!.push(elapsed);
      await page.close();
    }
  }
  return Object.fromEntries(Object.entries(timings).map(([name, values]) => [name, median(values)]));
}

/**
 * Paste by the keyboard shortcut with the service worker stopped, beside a plain key press in
 * the same page, in a headful browser (the shortcut is the browser's own: xdotool presses it as a
 * keyboard would). Undefined without a display.
 */
async function timePasteAfterWorkerStop(
  server: FakeRagflow,
  control: { url(name: string): string },
): Promise<{ paste: number[]; keyPress: number[] } | undefined> {
  if (!process.env.DISPLAY) return undefined;
  const extension = await launchExtension({ headless: false });
  try {
    await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }], 0);
    await getKeyThroughPopup(extension, server, USER.password);
    const key = server.apiKeys(USER.email)[0]!;
    const tab = await extension.context.newPage();
    await tab.goto(control.url('type'));
    const paste: number[] = [];
    const keyPress: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      keyPress.push(await timeKeyToInput(tab, 'a', 'a'));
      await extension.stopServiceWorker();
      paste.push(await timeKeyToInput(tab, 'alt+shift+k', key));
    }
    return { paste, keyPress };
  } finally {
    await extension.close();
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
    await fillSignInForm(page, { serverUrl: server.url, email: 'newcomer@example.com', password: 'newcomer-password' });
    await page.getByRole('button', { name: 'Get API key' }).click();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByLabel('API key', { exact: true }).waitFor({ state: 'visible' });
    await page.close();
    return server.count();
  } finally {
    await server.close();
  }
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;

async function main(): Promise<void> {
  const sizes = {
    popupJsCssGzip: gzippedBytes(EXTENSION_DIR, filesOfPage(EXTENSION_DIR, 'popup.html')),
    optionsJsCssGzip: gzippedBytes(EXTENSION_DIR, filesOfPage(EXTENSION_DIR, 'options.html')),
    offscreenJsGzip: gzippedBytes(EXTENSION_DIR, filesOfPage(EXTENSION_DIR, 'offscreen.html')),
    backgroundGzip: gzippedBytes(EXTENSION_DIR, ['background.js']),
    pasteScriptGzip: gzippedBytes(EXTENSION_DIR, ['paste-in-page.js']),
    popupReadOnKeyGzip: 0,
    popupReadOnFormGzip: 0,
  };

  const control = await startControlPages();
  const server = await startFakeRagflow({ generation: 'restful', users: [USER, MANY_KEYS_USER] });
  server.seedKeys(MANY_KEYS_USER.email, MANY_KEYS);
  const extension = await launchExtension();
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
  try {
    const cold = await requestsFor(server, () => getKeyThroughPopup(extension, server, USER.password));
    const cached = await requestsFor(server, async () => {
      const page = await extension.openPopup();
      await page.getByLabel('API key', { exact: true }).waitFor({ state: 'visible' });
      await page.close();
    });
    sizes.popupReadOnKeyGzip = await popupReadOnceIdle(extension, (page) =>
      page.getByLabel('API key', { exact: true }),
    );
    // Session alive: the session token is cached but the key was forgotten.
    await extension.forgetCachedKeys();
    sizes.popupReadOnFormGzip = await popupReadOnceIdle(extension, (page) =>
      page.getByRole('button', { name: 'Get API key' }),
    );
    const sessionAlive = await requestsFor(server, () => getKeyThroughPopup(extension, server, ''));

    // The popup then opens on this account: without a cached key it opens on its form.
    await extension.forgetCachedKeys();
    await getKeyThroughPopup(extension, server, MANY_KEYS_USER.password, MANY_KEYS_USER.email);
    const keyList = await timeKeyList(extension);
    const coldWithAccount = await requestsColdWithAccountCreation(extension);
    const timings = await timeAgainstScript(extension, control);
    const pasting = await timePasteAfterWorkerStop(server, control);
    const keyVerdicts = await timeKeyVerdicts(extension);
    await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);

    const scriptMs = median(timings.script);
    const results = {
      date: new Date().toISOString(),
      runs: RUNS,
      latencyMsPerRequest: LATENCY_MS,
      sizes,
      requests: { keyCached: cached, sessionAlive, cold, coldWithAccountCreation: coldWithAccount },
      // Medians, in milliseconds, measured in the page (see tests/bench/page-marks.ts).
      inPageMs: {
        controlOpenToField: median(timings.controlOpen),
        popupOpenToCachedKey: median(timings.cachedKey),
        popupOpenToCachedKeyWorkerAsleep: median(timings.cachedKeyWorkerAsleep),
        controlClickToField: median(timings.controlClick),
        clickToKeyCold: median(timings.coldKey),
        manageKeysToRows: { keys: MANY_KEYS, median: median(keyList) },
        keyPressToInput: pasting ? median(pasting.keyPress) : null,
        workerStoppedShortcutToPasted: pasting ? median(pasting.paste) : null,
        optionsSaveToKeyVerdict: keyVerdicts,
      },
      clickToKeyColdRequests: median(timings.coldKeyRequests),
      usualScript: {
        ms: scriptMs,
        requests: timings.scriptRequests,
        keysMintedAfterRuns: timings.scriptKeysMinted,
      },
      ratiosToScript: {
        clickToKeyCold: median(timings.coldKey) / scriptMs,
        popupOpenToCachedKey: median(timings.cachedKey) / scriptMs,
        popupOpenToCachedKeyWorkerAsleep: median(timings.cachedKeyWorkerAsleep) / scriptMs,
      },
    };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/latest.json', `${JSON.stringify(results, null, 2)}\n`);

    const t = results.inPageMs;
    const rows: [string, string][] = [
      ['popup JS+CSS before its first view, gzip', `${(sizes.popupJsCssGzip / 1024).toFixed(1)} KB (budget 15 KB)`],
      [
        'popup JS+CSS read in all once idle: on the key / on the form',
        `${(sizes.popupReadOnKeyGzip / 1024).toFixed(1)} KB / ${(sizes.popupReadOnFormGzip / 1024).toFixed(1)} KB`,
      ],
      ['options JS+CSS, gzip', `${(sizes.optionsJsCssGzip / 1024).toFixed(1)} KB`],
      ['offscreen JS, gzip', `${(sizes.offscreenJsGzip / 1024).toFixed(1)} KB`],
      ['background, gzip', `${(sizes.backgroundGzip / 1024).toFixed(1)} KB (budget 32 KB)`],
      ['paste script injected into a frame, gzip', `${(sizes.pasteScriptGzip / 1024).toFixed(1)} KB`],
      ['requests: key cached', String(cached)],
      ['requests: session alive', String(sessionAlive)],
      ['requests: first contact (detection, login, list, create)', String(cold)],
      ['requests: cold with account creation', String(coldWithAccount)],
      [
        `usual script: register, login, new key (${LATENCY_MS} ms per request)`,
        `${ms(scriptMs)}, ${timings.scriptRequests} requests, a new key each run (${timings.scriptKeysMinted} after ${RUNS} runs)`,
      ],
      [
        'click → key, cold (login, list; in the page)',
        `${ms(t.clickToKeyCold)} (${ratio(t.clickToKeyCold, scriptMs)} the script), ${results.clickToKeyColdRequests} requests`,
      ],
      ['control: click → field filled, no extension', ms(t.controlClickToField)],
      [
        'popup open → cached key (from navigation start)',
        `${ms(t.popupOpenToCachedKey)} (${ratio(t.popupOpenToCachedKey, scriptMs)})`,
      ],
      [
        'popup open → cached key, service worker asleep',
        `${ms(t.popupOpenToCachedKeyWorkerAsleep)} (${ratio(t.popupOpenToCachedKeyWorkerAsleep, scriptMs)})`,
      ],
      ['control: page open → field shown, no extension', ms(t.controlOpenToField)],
      [`Manage keys → ${MANY_KEYS} rows shown`, ms(t.manageKeysToRows.median)],
      [
        'service worker stopped → key pasted by shortcut',
        t.workerStoppedShortcutToPasted === null ? 'not measured: no display' : ms(t.workerStoppedShortcutToPasted),
      ],
      [
        'control: key press → input event',
        t.keyPressToInput === null ? 'not measured: no display' : ms(t.keyPressToInput),
      ],
      ...Object.entries(t.optionsSaveToKeyVerdict).map(([name, value]): [string, string] => [
        `options: Save → verdict on a custom key: ${name}`,
        ms(value),
      ]),
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    console.log(`medians of ${RUNS} interleaved runs, ${LATENCY_MS} ms per request where the script is compared\n`);
    console.log(`| ${'measure'.padEnd(width)} | value |`);
    console.log(`| ${'-'.repeat(width)} | ----- |`);
    for (const [name, value] of rows) console.log(`| ${name.padEnd(width)} | ${value} |`);
    console.log('\nwritten: bench-results/latest.json');
  } finally {
    await extension.close();
    await server.close();
    control.close();
  }
}

await main();
