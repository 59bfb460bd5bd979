/**
 * `npm run bench`: sizes, timings and request counts of the built extension. Not a test: it
 * prints a table and writes bench-results/latest.json; nothing here asserts a timing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { EXTENSION_DIR, launchExtension, type LoadedExtension } from '../e2e/support/extension';
import { filesOfPage, gzippedBytes } from '../support/bundle';

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

async function main(): Promise<void> {
  const sizes = {
    popupJsCssGzip: gzippedBytes(EXTENSION_DIR, filesOfPage(EXTENSION_DIR, 'popup.html')),
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
      requests: { keyCached: cached, sessionAlive, cold },
    };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/latest.json', `${JSON.stringify(results, null, 2)}\n`);

    const rows: [string, string][] = [
      ['popup JS+CSS, gzip', `${(sizes.popupJsCssGzip / 1024).toFixed(1)} KB (budget 20 KB)`],
      ['background, gzip', `${(sizes.backgroundGzip / 1024).toFixed(1)} KB`],
      [`popup open → form ready (median of ${RUNS})`, `${results.popupOpenToFormReadyMs.median.toFixed(0)} ms`],
      [`popup open → cached key shown (median of ${RUNS})`, `${results.popupOpenToCachedKeyMs.median.toFixed(0)} ms`],
      [
        `popup open → ${MANY_KEYS}-key list shown (median of ${RUNS})`,
        `${results.popupOpenToKeyListMs.median.toFixed(0)} ms`,
      ],
      ['requests: key cached', String(cached)],
      ['requests: session alive', String(sessionAlive)],
      ['requests: cold (detect, login, list, create)', String(cold)],
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
