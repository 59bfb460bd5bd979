/**
 * A paste that had to ask finishes by itself: the shortcut with no key (as after a browser
 * restart, the session cache being memory only) opens the popup, the user signs in there with
 * real keys, and the key goes into the field that asked, once the popup has closed, under the
 * checks of any paste. Headful Chromium, keys through xdotool.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { pressKeys } from './support/native-input';
import { fillSignInForm } from './support/popup-form';
import { startTestPages, TEST_HOST_RESOLVER_RULES, type TestPages } from './support/test-pages';

type Chrome = typeof Browser;

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };

let extension: LoadedExtension;
let server: FakeRagflow;
let pages: TestPages;
const openPages: Page[] = [];

beforeAll(async () => {
  [extension, server, pages] = await Promise.all([
    launchExtension({ headless: false, args: [TEST_HOST_RESOLVER_RULES] }),
    startFakeRagflow({ generation: 'restful', users: [ALICE] }),
    startTestPages(),
  ]);
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem, email: ALICE.email }]);
});

afterAll(async () => {
  await extension?.close();
  await Promise.all([server?.close(), pages?.close()]);
});

/** As after a browser restart: no session, no key, nothing pending. */
async function forgetSessions(): Promise<void> {
  const worker = await extension.worker();
  await worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    await chrome.storage.session.clear();
  });
}

beforeEach(forgetSessions);

/** Forgets the sessions and keys only. */
async function forgetAccounts(): Promise<void> {
  const worker = await extension.worker();
  await worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    // The entries and the key items beside them (lib/keys/cached-key.ts).
    const accounts = Object.keys(await chrome.storage.session.get(null)).filter(
      (key) => key.startsWith('account:') || key.startsWith('key:'),
    );
    await chrome.storage.session.remove(accounts);
  });
}

afterEach(async () => {
  await Promise.all(openPages.splice(0).map((page) => page.close()));
  await extension.closeActionPopup();
});

async function openFields(): Promise<Page> {
  const page = await extension.context.newPage();
  openPages.push(page);
  await page.goto(pages.url('fields.html'));
  await page.bringToFront();
  return page;
}

/** Types text as a keyboard would, into whatever has the X keyboard focus (the popup). */
async function typeText(text: string): Promise<void> {
  await promisify(execFile)('xdotool', ['type', '--delay', '20', text]);
}

const popupIsOpen = () => extension.actionPopupIsOpen();
const eventually = <T>(check: () => Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 100 });

/** The paste shortcut on a field with no key: the popup opens on the password, the field pinned. */
async function pasteWithNoKey(page: Page, field: string): Promise<void> {
  await page.locator(field).focus();
  await pressKeys('alt+shift+k');
  await eventually(async () => expect(await popupIsOpen()).toBe(true));
  await eventually(async () => expect(await pendingPaste()).not.toBeNull());
}

async function pendingPaste(): Promise<unknown> {
  const worker = await extension.worker();
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    return (await chrome.storage.session.get('paste.pending'))['paste.pending'] ?? null;
  });
}

async function toolbarTitle(): Promise<string> {
  const worker = await extension.worker();
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return chrome.action.getTitle({ tabId: tab!.id! });
  });
}

/**
 * Waits until the toolbar popup has the keyboard focus, in its password field: keys pressed
 * before it has are lost (the popup renders after its window opens).
 */
async function popupReadyForPassword(): Promise<void> {
  const ready = 'document.hasFocus() && document.activeElement?.id === "password"';
  await eventually(async () => expect(await inToolbarPopup(ready)).toBe(true));
}

/** Gets a key through popup.html in a tab of its own, as another sign-in would. */
async function signInElsewhere(): Promise<void> {
  const popup = await extension.openPopup();
  try {
    await fillSignInForm(popup, { serverUrl: server.url, ...ALICE });
    await popup.getByRole('button', { name: 'Get API key' }).click();
    await eventually(async () => expect(await popup.getByLabel('API key', { exact: true }).inputValue()).not.toBe(''));
  } finally {
    await popup.close();
  }
}

const keyOf = () => server.apiKeys(ALICE.email)[0];

describe('a paste that opened the popup to sign in', () => {
  it('puts the key into the field that asked, once the popup closes by itself, and only once', async () => {
    const page = await openFields();
    await pasteWithNoKey(page, '#plain');
    // The popup opens with the server and the email filled in: the password is where typing starts.
    await popupReadyForPassword();
    await typeText(ALICE.password);
    await pressKeys('Return');
    await eventually(async () => expect(await page.locator('#plain').inputValue()).toBe(keyOf()));
    expect(await popupIsOpen()).toBe(false);
    expect(await pendingPaste()).toBeNull();
    // A later key (a sign-in again, the session forgotten but nothing else) pastes nothing more.
    await forgetAccounts();
    await signInElsewhere();
    await page.bringToFront();
    expect(await page.locator('#plain').inputValue()).toBe(keyOf());
  });

  it('pastes nothing after the popup was closed without signing in', async () => {
    const page = await openFields();
    await pasteWithNoKey(page, '#plain');
    await popupReadyForPassword();
    await pressKeys('Escape');
    await eventually(async () => expect(await popupIsOpen()).toBe(false));
    await eventually(async () => expect(await pendingPaste()).toBeNull());
    await signInElsewhere();
    await page.bringToFront();
    expect(await page.locator('#plain').inputValue()).toBe('');
  });

  it('pastes nothing, and says why, when the field lost the focus meanwhile', async () => {
    const page = await openFields();
    await pasteWithNoKey(page, '#plain');
    // The page moves the focus while the popup is open (a re-render, a script).
    await page.evaluate(() => document.getElementById('textarea')!.focus());
    await popupReadyForPassword();
    await typeText(ALICE.password);
    await pressKeys('Return');
    await eventually(async () => expect(await toolbarTitle()).toContain('Nothing was pasted'));
    expect(await toolbarTitle()).toContain('the field changed');
    expect(await page.locator('#plain').inputValue()).toBe('');
    expect(await page.locator('#textarea').inputValue()).toBe('');
    // The popup opens again to say it, as for any paste that failed.
    await eventually(async () => expect(await popupIsOpen()).toBe(true));
  });
});

/**
 * Runs `expression` in the toolbar popup, which is no page of Playwright's: through the DevTools
 * protocol's target messages, from a session on any page. Only to wait for what the popup shows.
 */
async function inToolbarPopup(expression: string): Promise<unknown> {
  const page = extension.context.pages()[0]!;
  const cdp = await extension.context.newCDPSession(page);
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const popup = targetInfos.find((target) => target.url === extension.pageUrl('popup.html'));
    if (!popup) throw new Error('The toolbar popup is not open');
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: popup.targetId, flatten: false });
    const answer = new Promise<unknown>((resolve) => {
      cdp.on('Target.receivedMessageFromTarget', (event) => {
        const message = JSON.parse(event.message) as { id?: number; result?: { result?: { value?: unknown } } };
        if (message.id === 1) resolve(message.result?.result?.value);
      });
    });
    await cdp.send('Target.sendMessageToTarget', {
      sessionId,
      message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }),
    });
    return await answer;
  } finally {
    await cdp.detach();
  }
}

describe("a paste that opened the popup, answered with the web app's session", () => {
  let webServer: FakeRagflow;

  beforeAll(async () => {
    webServer = await startFakeRagflow({ generation: 'restful', users: [ALICE], nginx: true });
    await extension.configureServers([
      { url: webServer.url, publicKeyPem: webServer.publicKeyPem, email: ALICE.email },
    ]);
  });

  afterAll(async () => {
    await webServer?.close();
  });

  it('puts the key the session got into the field that asked, with no login', async () => {
    // The RAGFlow web app, signed in, in a tab of its own.
    const webApp = await extension.context.newPage();
    openPages.push(webApp);
    await webApp.goto(`${webServer.url}/`);
    const webToken = webServer.signInWebApp(ALICE.email);
    await webApp.evaluate((token) => localStorage.setItem('Authorization', token), webToken);

    const page = await openFields();
    await pasteWithNoKey(page, '#plain');
    const useSession =
      '[...document.querySelectorAll("button")].some((b) => b.textContent === "Use my RAGFlow session")';
    await eventually(async () => expect(await inToolbarPopup(useSession)).toBe(true));
    // The web app's session leads: its button has the focus, one Return away.
    const sessionFocused = 'document.hasFocus() && document.activeElement?.textContent === "Use my RAGFlow session"';
    await eventually(async () => expect(await inToolbarPopup(sessionFocused)).toBe(true));
    await pressKeys('Return');
    await eventually(async () =>
      expect(await page.locator('#plain').inputValue()).toBe(webServer.apiKeys(ALICE.email)[0]),
    );
    expect(webServer.count('login')).toBe(0);
    expect(await popupIsOpen()).toBe(false);
  });
});
