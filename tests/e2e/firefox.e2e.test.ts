import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { type FirefoxExtension, launchFirefoxExtension, waitForText } from './support/firefox';

// The Firefox build in a real Firefox (Debian's firefox-esr): see ./support/firefox.ts.
const ALICE = { email: 'alice@example.com', password: 'alice-pässword-1' };

let firefox: FirefoxExtension;
let server: FakeRagflow;
const openPage = (path: string) => firefox.openPage(path);

beforeAll(async () => {
  server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  firefox = await launchFirefoxExtension();

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
  await firefox?.close();
  await server?.close();
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
