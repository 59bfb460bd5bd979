/**
 * Hostile neighbours, with a key cached in the session: a web page and another extension message
 * ours with every name of the protocol and get nothing; a paste changes only its target field and
 * leaves the key nowhere else in the page; the page cannot load our pages. Headful (the paste is
 * the real keyboard shortcut), like paste.e2e.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { insertIntoField } from '../../lib/paste/insert-into-field';
import { reportFocus } from '../../lib/paste/focus-probe';
import { clearClipboardRequest } from '../../lib/clipboard/offscreen-channel';
import { type BackgroundServices, createHandlers } from '../../lib/background/handlers';
import type { EventName } from '../../lib/messaging/protocol';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { EXTENSION_DIR, launchExtension, type LoadedExtension } from './support/extension';
import { assertNoLeaks, knownSecrets } from './support/leak-audit';
import { pressKeys } from './support/native-input';
import { startTestPages, TEST_HOST_RESOLVER_RULES, type TestPages } from './support/test-pages';
import { fillSignInForm } from './support/popup-form';

const ALICE = { email: 'alice@example.com', password: 'alice-hostile-pw-1' };

/**
 * Every message name of the bus, so that a new one is covered without touching this test: the
 * requests are the keys of the background's handler map (made here with no services: only its
 * names are read), the events those of `EventMap`, which the compiler holds this list to.
 */
function protocolNames(): { requests: string[]; events: string[] } {
  // Every service, and every method of one, is this stub: the map is listed, never called.
  const stub: BackgroundServices = new Proxy({} as BackgroundServices, { get: () => stub });
  const events = { 'keys.progress': true } satisfies Record<EventName, true>;
  return { requests: Object.keys(createHandlers(stub)), events: Object.keys(events) };
}

/**
 * A manifest and a background of a second extension that messages ours. The background offers a
 * `probe` function that the test calls with our id: an extension learns another's id as easily.
 */
const NEIGHBOUR_MANIFEST = {
  manifest_version: 3,
  name: 'Nosy neighbour',
  version: '1.0',
  background: { service_worker: 'neighbour-worker.js' },
};
const NEIGHBOUR_WORKER = `
self.probe = async (targetId, messages) => {
  const outcomes = [];
  for (const message of messages) {
    try {
      const answer = await chrome.runtime.sendMessage(targetId, message);
      outcomes.push({ via: 'sendMessage', name: message.name ?? message.type, answer: answer ?? null });
    } catch (error) {
      outcomes.push({ via: 'sendMessage', name: message.name ?? message.type, error: String(error.message) });
    }
    outcomes.push(await new Promise((resolve) => {
      const port = chrome.runtime.connect(targetId, { name: 'probe' });
      const name = message.name ?? message.type;
      port.onMessage.addListener((answer) => resolve({ via: 'connect', name, answer }));
      port.onDisconnect.addListener(() =>
        resolve({ via: 'connect', name, error: chrome.runtime.lastError?.message ?? 'disconnected' }));
      port.postMessage(message);
    }));
  }
  return outcomes;
};
`;

/** What a web page's script runs: the same probe through the page's `chrome.runtime`, if any. */
async function probeFromPage(args: { targetId: string; messages: object[] }) {
  const runtime = (globalThis as { chrome?: { runtime?: Record<string, unknown> } }).chrome?.runtime;
  if (typeof runtime?.sendMessage !== 'function') return [{ via: 'page', error: 'no chrome.runtime.sendMessage' }];
  type Port = {
    onMessage: { addListener(listener: (answer: unknown) => void): void };
    onDisconnect: { addListener(listener: () => void): void };
    postMessage(message: object): void;
  };
  const api = runtime as {
    sendMessage(id: string, message: object): Promise<unknown>;
    connect(id: string): Port;
    lastError?: { message?: string };
  };
  const outcomes: object[] = [];
  for (const message of args.messages) {
    try {
      outcomes.push({ via: 'sendMessage', answer: (await api.sendMessage(args.targetId, message)) ?? null });
    } catch (error) {
      outcomes.push({ via: 'sendMessage', error: String((error as Error).message) });
    }
    outcomes.push(
      await new Promise((resolve) => {
        try {
          const port = api.connect(args.targetId);
          port.onMessage.addListener((answer) => resolve({ via: 'connect', answer }));
          port.onDisconnect.addListener(() => resolve({ via: 'connect', error: api.lastError?.message ?? 'closed' }));
          port.postMessage(message);
        } catch (error) {
          resolve({ via: 'connect', error: String((error as Error).message) });
        }
      }),
    );
  }
  return outcomes;
}

let extension: LoadedExtension;
let server: FakeRagflow;
let pages: TestPages;
let neighbourDir: string;
let key: string;

/** Every message a neighbour could try, each filled with what would unlock the cached key. */
function allMessages(): object[] {
  const { requests, events } = protocolNames();
  const request = {
    serverUrl: server.url,
    email: ALICE.email,
    token: key,
    pageUrl: server.url,
    fingerprint: '0'.repeat(64),
    alsoLogOutOfServer: false,
  };
  return [
    ...requests.map((name) => ({ type: 'request', name, request })),
    ...events.map((name) => ({ type: 'event', name, payload: { step: 'getting-key' } })),
    // The offscreen document's one message (it answers the background only).
    clearClipboardRequest('0'.repeat(64)),
  ];
}

/** Whether an outcome is nothing: no answer, an error, or the bus's refusal. */
function isNothing(outcome: { answer?: unknown; error?: unknown }): boolean {
  if ('error' in outcome) return true;
  const answer = outcome.answer as { ok?: unknown } | null | undefined;
  return answer === null || answer === undefined || answer.ok === false;
}

beforeAll(async () => {
  neighbourDir = await mkdtemp(join(tmpdir(), 'ragflow-keys-neighbour-'));
  await writeFile(join(neighbourDir, 'manifest.json'), JSON.stringify(NEIGHBOUR_MANIFEST));
  await writeFile(join(neighbourDir, 'neighbour-worker.js'), NEIGHBOUR_WORKER);
  [server, pages] = await Promise.all([startFakeRagflow({ generation: 'restful', users: [ALICE] }), startTestPages()]);
  extension = await launchExtension({
    headless: false,
    args: [TEST_HOST_RESOLVER_RULES],
    otherExtensions: [neighbourDir],
  });
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
  key = await signIn();
});

afterAll(async () => {
  await extension?.close();
  await Promise.all([server?.close(), pages?.close()]);
  if (neighbourDir) await rm(neighbourDir, { recursive: true, force: true });
});

/** Gets a key through the popup, as a user would: it lands in the session cache. */
async function signIn(): Promise<string> {
  const popup = await extension.openPopup();
  try {
    await fillSignInForm(popup, { serverUrl: server.url, ...ALICE });
    await popup.getByRole('button', { name: 'Get API key' }).click();
    const field = popup.getByLabel('API key', { exact: true });
    await vi.waitFor(async () => expect(await field.inputValue()).toMatch(/^ragflow-/), { timeout: 10_000 });
    const cached = await field.inputValue();
    expect(server.apiKeys(ALICE.email)).toContain(cached);
    expect(await extension.storageDump()).toContain(cached);
    return cached;
  } finally {
    await popup.close();
  }
}

/** The outcomes as audited places: a secret in any of them is a leak. */
function expectNoSecretIn(outcomes: object[], who: string): void {
  assertNoLeaks([{ where: `what ${who} got back`, text: JSON.stringify(outcomes), mayHoldKeys: false }]);
}

describe('a web page', () => {
  let page: Page;

  beforeAll(async () => {
    page = await extension.context.newPage();
    // On 127.0.0.1, which the extension has host access to: access to a page is not the page's
    // access to the extension.
    const url = new URL(pages.url('neighbours.html'));
    url.hostname = '127.0.0.1';
    await page.goto(url.href);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('gets nothing for any message, sent or through a port', async () => {
    const messages = allMessages();
    expect(messages.length).toBeGreaterThan(15);
    const outcomes = await page.evaluate(probeFromPage, { targetId: extension.extensionId, messages });
    expectNoSecretIn(outcomes, 'the page');
    expect(outcomes.filter((outcome) => !isNothing(outcome))).toEqual([]);
  });

  it('cannot load the extension’s pages: no web-accessible resources', async () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as object;
    expect(manifest).not.toHaveProperty('web_accessible_resources');
    expect(manifest).not.toHaveProperty('externally_connectable');

    const popupUrl = extension.pageUrl('popup.html');
    const fetched = await page.evaluate(
      (url) =>
        fetch(url).then(
          (response) => `fetched: ${response.status}`,
          (error: Error) => `refused: ${error.name}`,
        ),
      popupUrl,
    );
    expect(fetched).toBe('refused: TypeError');

    await page.evaluate((url) => {
      const frame = document.createElement('iframe');
      frame.id = 'framed-popup';
      frame.src = url;
      document.body.append(frame);
    }, popupUrl);
    const frame = await page.waitForSelector('#framed-popup').then((handle) => handle.contentFrame());
    // Chromium blocks the navigation (ERR_BLOCKED_BY_CLIENT): the frame shows its error page,
    // never the popup, so there is no popup running in it to show a key.
    await vi.waitFor(async () => expect(frame?.url()).not.toBe('about:blank'), { timeout: 10_000 });
    const inFrame = await frame!.evaluate(() => ({
      origin: location.origin,
      keyField: !!document.querySelector('#api-key'),
    }));
    expect(inFrame.origin).not.toBe(`chrome-extension://${extension.extensionId}`);
    expect(inFrame.keyField).toBe(false);
  });
});

describe('another extension', () => {
  it('gets nothing for any message, sent or through a port', async () => {
    const neighbour = extension.context
      .serviceWorkers()
      .find((worker) => worker.url().endsWith('/neighbour-worker.js'));
    expect(neighbour, 'the neighbour extension is not running').toBeDefined();
    const messages = allMessages();
    const outcomes = await neighbour!.evaluate(
      ({ targetId, messages }) =>
        (self as unknown as { probe(id: string, messages: object[]): Promise<object[]> }).probe(targetId, messages),
      { targetId: extension.extensionId, messages },
    );
    expect(outcomes).toHaveLength(messages.length * 2);
    expectNoSecretIn(outcomes, 'the other extension');
    expect(outcomes.filter((outcome) => !isNothing(outcome))).toEqual([]);
  });
});

describe('a paste into a page with other fields', () => {
  let page: Page;

  beforeAll(async () => {
    page = await extension.context.newPage();
    await page.goto(pages.url('neighbours.html'));
    await page.bringToFront();
  });

  afterAll(async () => {
    await page?.close();
  });

  /** Everything of the page a key could end up in, apart from the target field's value. */
  const pageOutsideTheTarget = () =>
    page.evaluate(() => {
      const texts: string[] = [];
      const visit = (root: Document | ShadowRoot) => {
        for (const element of Array.from(root.querySelectorAll('*'))) {
          for (const attribute of Array.from(element.attributes)) texts.push(`${attribute.name}=${attribute.value}`);
          if (
            (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) &&
            element.id !== 'target'
          ) {
            texts.push(`${element.id}.value=${element.value}`);
          }
          if (element.shadowRoot) {
            texts.push(element.shadowRoot.innerHTML);
            visit(element.shadowRoot);
          }
        }
      };
      visit(document);
      texts.push(document.documentElement.outerHTML, document.title, document.cookie, window.name);
      texts.push(JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }));
      return texts;
    });

  /** Every field's content, the target's included. */
  const fieldContents = () =>
    page.evaluate(() => {
      const shadowInput = document.getElementById('shadow-host')!.shadowRoot!.querySelector('input')!;
      const values = Object.fromEntries(
        Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')).map(
          (field) => [field.id, field.value],
        ),
      );
      return {
        ...values,
        'in-shadow': shadowInput.value,
        editable: document.getElementById('editable')!.textContent,
      };
    });

  it('changes only the target field, and the key is nowhere else in the page', async () => {
    const before = await fieldContents();
    const textBefore = (await pageOutsideTheTarget()).join('\n');
    expect(textBefore).not.toContain(key);

    await page.locator('#target').focus();
    // Caret at the end, after the page's own "API_KEY=".
    await page.locator('#target').press('End');
    await pressKeys('alt+shift+k');
    await expect.poll(() => page.locator('#target').inputValue()).toBe(`API_KEY=${key}`);

    expect(await fieldContents()).toEqual({ ...before, target: `API_KEY=${key}` });
    expect(
      await page.evaluate(() => (window as unknown as { fieldsThatSawInput: string[] }).fieldsThatSawInput),
    ).toEqual(['target']);
    const after = await pageOutsideTheTarget();
    expect(after.filter((text) => text.includes(key))).toEqual([]);
    expect(after.join('\n')).toBe(textBefore);
  });

  it('gets back from the page only whether the paste took, and the probe only where the focus is', async () => {
    // The functions the background runs in the page, run here directly with what they return.
    await page.locator('#prefilled').focus();
    const pasted = await page.evaluate(insertIntoField, key);
    expect(pasted).toEqual({ ok: true });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    expect(await page.evaluate(insertIntoField, key)).toEqual({ ok: false, reason: 'no-field' });
    const focus = await page.evaluate(reportFocus);
    expect(Object.keys(focus).sort()).toEqual(['focusInChildFrame', 'hasFocus']);
    expect(Object.values(focus).every((value) => typeof value === 'boolean')).toBe(true);
  });
});

it('leaves the key in storage.session alone: the audit knows it', () => {
  expect(knownSecrets().some((secret) => secret.value === key)).toBe(true);
});
