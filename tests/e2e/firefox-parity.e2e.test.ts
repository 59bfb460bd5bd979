/**
 * What Chromium's tests check, in Firefox ESR too (headful, real keys through xdotool): the paste
 * shortcut, the key manager (list, create, copy formats, verify, revoke) and the clipboard
 * auto-clear, which Firefox's background page does by itself (lib/clipboard/background-clipboard.ts).
 * The clipboard is read the way a user reads it: Ctrl+V into a field of a page.
 */
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { RagflowClient } from '../../lib/ragflow';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import {
  addonId,
  auditFirefoxForLeaks,
  configureFirefoxServers,
  FIREFOX_EXTENSION_DIR,
  type FirefoxLeakAudit,
  launchFirefox,
  navigate,
  openExtensionPage,
  signInThroughPopup,
  waitForText,
} from './support/firefox';
import { answerFirefoxPermissionPrompt, pressKeys } from './support/native-input';
import { startTestPages, type TestPages } from './support/test-pages';

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };

let firefox: Browser;
let leakAudit: FirefoxLeakAudit | undefined;
let server: FakeRagflow;
let pages: TestPages;
let popup: Page;
const openPages: Page[] = [];

/** As the key list shows a key: its first and last four characters. */
const masked = (token: string) => `ragflow-${token.slice(8, 12)}…${token.slice(-4)}`;
const eventually = <T>(check: () => Promise<T>, timeout = 10_000) => vi.waitFor(check, { timeout, interval: 200 });

beforeAll(async () => {
  [server, pages] = await Promise.all([startFakeRagflow({ generation: 'restful', users: [ALICE] }), startTestPages()]);
  firefox = await launchFirefox({ headless: false, prefs: { 'network.dns.forceResolve': '127.0.0.1' } });
  leakAudit = await auditFirefoxForLeaks(firefox);
  expect(await firefox.installExtension(FIREFOX_EXTENSION_DIR)).toBe(addonId());
  await configureFirefoxServers(firefox, [
    { name: 'Fake RAGFlow', url: server.url, publicKeyPem: server.publicKeyPem },
  ]);
  // The shortest clear, chosen where a user chooses it, with a real key press (from Never, the
  // default): Firefox then asks to let the extension read the clipboard, which is allowed.
  const options = await openExtensionPage(firefox, 'options.html');
  await options.waitForSelector('#clipboard-clear:not([disabled]) option[value="10"]');
  await options.bringToFront();
  await answerFirefoxPermissionPrompt(async () => {
    await options.focus('#clipboard-clear');
    await pressKeys('Down');
  }, 'allow');
  await options.waitForFunction(async () => {
    type Local = { get(key: string): Promise<Record<string, { clipboardClearSeconds?: number } | undefined>> };
    const { local } = (globalThis as unknown as { browser: { storage: { local: Local } } }).browser.storage;
    return (await local.get('preferences')).preferences?.clipboardClearSeconds === 10;
  });
  await options.close();

  ({ popup } = await signInThroughPopup(firefox, server.url, ALICE));
});

afterAll(async () => {
  leakAudit?.stop();
  await leakAudit?.auditLeaks().finally(() => firefox?.close());
  await Promise.all([server?.close(), pages?.close()]);
});

afterEach(async () => {
  await Promise.all(openPages.splice(0).map((page) => page.close()));
});

async function openFieldsPage(): Promise<Page> {
  const page = await firefox.newPage();
  openPages.push(page);
  await navigate(page, pages.url('fields.html'));
  await page.bringToFront();
  return page;
}

const fieldValue = (page: Page, selector: string) =>
  page.$eval(selector, (field) => (field as HTMLInputElement | HTMLTextAreaElement).value);

/** What the clipboard holds, pasted with Ctrl+V into a field of a page, as a user would. */
async function pastedClipboard(): Promise<string> {
  const page = await openFieldsPage();
  await page.focus('#textarea');
  // A full stop typed after the paste: once it shows, the paste before it was handled, even one
  // of an empty clipboard, which changes nothing.
  await pressKeys('ctrl+v', 'period');
  await page.waitForFunction(() => document.querySelector('textarea')?.value.endsWith('.'));
  const text = (await fieldValue(page, '#textarea')).slice(0, -1);
  await page.close();
  openPages.splice(openPages.indexOf(page), 1);
  return text;
}

/** Copies text as the user would: selected in a field of a page, Ctrl+C. */
async function copyByHand(text: string): Promise<void> {
  const page = await openFieldsPage();
  await page.$eval(
    '#textarea',
    (area, text) => {
      (area as HTMLTextAreaElement).value = text;
    },
    text,
  );
  await page.focus('#textarea');
  await pressKeys('ctrl+a', 'ctrl+c');
  await page.close();
  openPages.splice(openPages.indexOf(page), 1);
}

/** Whether the background still has a clear planned (it removes the plan when it runs). */
async function clearPending(): Promise<boolean> {
  const page = await openExtensionPage(firefox, 'manifest.json');
  try {
    return await page.evaluate(async () => {
      type Session = { get(key: string): Promise<Record<string, unknown>> };
      const { session } = (globalThis as unknown as { browser: { storage: { session: Session } } }).browser.storage;
      return 'clipboard.pendingClear' in (await session.get('clipboard.pendingClear'));
    });
  } finally {
    await page.close();
  }
}

/** A button of the popup by its text, in the key row showing `mask` (or anywhere). */
async function popupButton(label: string, mask?: string): Promise<ElementHandle<HTMLButtonElement>> {
  const handle = await popup.waitForFunction(
    (label: string, mask: string | null) => {
      const scope = mask
        ? [...document.querySelectorAll('li.key')].find((row) => row.textContent?.includes(mask))
        : document.body;
      return [...(scope?.querySelectorAll('button') ?? [])].find((button) => button.textContent?.trim() === label);
    },
    { timeout: 10_000 },
    label,
    mask ?? null,
  );
  return handle as ElementHandle<HTMLButtonElement>;
}

const listedMasks = () =>
  popup.$$eval('ul.key-list li.key code', (codes) => codes.map((code) => code.textContent ?? ''));
const rowText = (mask: string) =>
  popup.evaluate(
    (mask: string) =>
      [...document.querySelectorAll('li.key')].find((row) => row.textContent?.includes(mask))?.textContent,
    mask,
  );

describe('the paste shortcut in Firefox', () => {
  it('pastes the key into the focused field', async () => {
    const page = await openFieldsPage();
    await page.focus('#plain');
    await pressKeys('alt+shift+k');
    await eventually(async () => expect(await fieldValue(page, '#plain')).toBe(server.apiKeys(ALICE.email)[0]));
  });
});

describe('the key manager in Firefox', () => {
  it('lists the keys newest first, creates one, copies it in every format, verifies and revokes', async () => {
    server.seedKeys(ALICE.email, 1);
    await popup.bringToFront();
    await (await popupButton('Manage keys')).click();
    const newestFirst = () => [...server.apiKeys(ALICE.email)].reverse().map(masked);
    await eventually(async () => expect(await listedMasks()).toEqual(newestFirst()));

    await (await popupButton('Create new key')).click();
    await eventually(async () => expect(server.apiKeys(ALICE.email)).toHaveLength(3));
    await eventually(async () => expect(await listedMasks()).toEqual(newestFirst()));

    const token = server.apiKeys(ALICE.email).at(-1)!;
    const expected: [string, string][] = [
      ['Copy', token],
      ['.env', `RAGFLOW_API_KEY='${token}'\nRAGFLOW_BASE_URL='${server.url}'\n`],
      ['Python', `from ragflow_sdk import RAGFlow\n\nrag = RAGFlow(api_key="${token}", base_url="${server.url}")\n`],
      ['curl', `curl -H 'Authorization: Bearer ${token}' '${server.url}/api/v1/datasets?page=1&page_size=1'`],
    ];
    await (await popupButton('More', masked(token))).click();
    for (const [label, text] of expected) {
      await popup.bringToFront();
      await (await popupButton(label, masked(token))).click();
      await eventually(async () => expect(await pastedClipboard()).toBe(text));
    }

    const [, revokedElsewhere] = [...server.apiKeys(ALICE.email)].reverse();
    await new RagflowClient({ serverUrl: server.url }).deleteKey(server.sessionToken(ALICE.email)!, revokedElsewhere!);
    await popup.bringToFront();
    await (await popupButton('Verify', masked(token))).click();
    await eventually(async () => expect(await rowText(masked(token))).toContain('Valid: the server accepts this key.'));
    // Verify is under More: opening one row's menu closes the other's.
    await (await popupButton('More', masked(revokedElsewhere!))).click();
    await (await popupButton('Verify', masked(revokedElsewhere!))).click();
    await eventually(async () =>
      expect(await rowText(masked(revokedElsewhere!))).toContain('Invalid: the server rejects this key.'),
    );

    await (await popupButton('Revoke', masked(token))).click();
    await (await popupButton('Revoke', masked(token))).click();
    await eventually(async () => expect(server.apiKeys(ALICE.email)).not.toContain(token));
    await eventually(async () => expect(await listedMasks()).not.toContain(masked(token)));
  });
});

describe('clipboard auto-clear in Firefox, by the background page', () => {
  it('clears the copied key after the chosen time, and only if the clipboard still holds it', async () => {
    await popup.bringToFront();
    const key = await popup.$eval('#api-key', (input) => (input as HTMLInputElement).value);
    await (await popupButton('Copy')).click();
    await waitForText(popup, 'The clipboard is cleared of the key in 10 s.');
    expect(await pastedClipboard()).toBe(key);
    await eventually(async () => expect(await pastedClipboard()).toBe(''), 25_000);

    // Copied again, then something else copied by hand: that stays.
    await popup.bringToFront();
    await (await popupButton('Copy')).click();
    await eventually(async () => expect(await clearPending()).toBe(true));
    await copyByHand('my own notes');
    await eventually(async () => expect(await clearPending()).toBe(false), 25_000);
    expect(await pastedClipboard()).toBe('my own notes');
  });
});
