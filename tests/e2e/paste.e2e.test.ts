/**
 * "Paste RAGFlow key" in headful Chromium: a real right-click, the real context menu chosen with
 * the keyboard, the real shortcut, on local pages that the extension may script only through the
 * grant of that click or keypress. Needs an X display (npm run test:e2e starts Xvfb without one).
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';

import { normalizeServerUrl } from '../../lib/ragflow/server-url';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { popupForActiveTab as openPopupForActiveTab } from './support/active-tab-popup';
import { launchExtension, type LoadedExtension } from './support/extension';
import { chooseFromContextMenu, PASTE_ITEM, pasteSubmenuItem, pressKeys } from './support/native-input';
import { startTestPages, TEST_HOST_RESOLVER_RULES, type TestPages } from './support/test-pages';
import { fillSignInForm } from './support/popup-form';

/** The extension API as the service worker sees it (`chrome`), for `worker.evaluate`. */
type Chrome = typeof Browser;

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };

let extension: LoadedExtension;
let serverA: FakeRagflow;
let serverB: FakeRagflow;
let pages: TestPages;
const openPages: Page[] = [];

beforeAll(async () => {
  extension = await launchExtension({ headless: false, args: [TEST_HOST_RESOLVER_RULES] });
  [serverA, serverB, pages] = await Promise.all([
    startFakeRagflow({ generation: 'restful', users: [ALICE] }),
    startFakeRagflow({ generation: 'restful', users: [ALICE] }),
    startTestPages(),
  ]);
  await extension.configureServers([{ url: serverA.url, publicKeyPem: serverA.publicKeyPem }]);
  await signIn(serverA);
});

afterAll(async () => {
  await extension?.close();
  await Promise.all([serverA?.close(), serverB?.close(), pages?.close()]);
});

afterEach(async () => {
  // Playwright's pages first: what is left showing popup.html is the extension's own popup.
  await Promise.all(openPages.splice(0).map((page) => page.close()));
  await extension.closeActionPopup();
});

/** Waits until `check` passes; usable in hooks, unlike expect.poll. */
function eventually<T>(check: () => Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 10_000, interval: 100 });
}

/**
 * Points the popup at a server, as the last one used. The popup offers no server switch while it
 * shows a key; the options page is where servers are chosen.
 */
async function rememberServerInPopup(server: FakeRagflow): Promise<void> {
  const worker = await extension.worker();
  await worker.evaluate(async (serverUrl) => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    await chrome.storage.local.set({ 'popup.serverUrl': serverUrl });
  }, server.url);
}

/** Gets a key through the popup, as a user would: it lands in the session cache. */
async function signIn(server: FakeRagflow): Promise<string> {
  await rememberServerInPopup(server);
  const popup = await extension.openPopup();
  try {
    await fillSignInForm(popup, { serverUrl: server.url, ...ALICE });
    await popup.getByRole('button', { name: 'Get API key' }).click();
    const key = popup.getByLabel('API key', { exact: true });
    await eventually(async () => expect(await key.inputValue()).toBe(server.apiKeys(ALICE.email)[0]));
    return await key.inputValue();
  } finally {
    await popup.close();
  }
}

async function openTestPage(name: string): Promise<Page> {
  const page = await extension.context.newPage();
  openPages.push(page);
  await page.goto(pages.url(name));
  await page.bringToFront();
  return page;
}

function keyOf(server: FakeRagflow): string {
  const key = server.apiKeys(ALICE.email)[0];
  if (!key) throw new Error('no key on this server yet');
  return key;
}

async function activeTabId(): Promise<number> {
  const worker = await extension.worker();
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return tab?.id ?? -1;
  });
}

/** The notice on the toolbar button of the active tab: its badge and its tooltip. */
async function toolbarNotice(): Promise<{ badge: string; title: string }> {
  const tabId = await activeTabId();
  const worker = await extension.worker();
  return worker.evaluate(async (tabId) => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    const [badge, title] = await Promise.all([
      chrome.action.getBadgeText({ tabId }),
      chrome.action.getTitle({ tabId }),
    ]);
    return { badge, title };
  }, tabId);
}

const popupIsOpen = () => extension.actionPopupIsOpen();

async function popupForActiveTab(): Promise<Page> {
  const popup = await openPopupForActiveTab(extension);
  openPages.push(popup);
  return popup;
}

const menuHasItem = (id: string) => extension.menuHasItem(id);

const serverItemId = (server: FakeRagflow) => `paste-key:${normalizeServerUrl(server.url)}`;

/** The field's value, or a contenteditable's text. */
const fieldValue = (field: Locator) =>
  field.evaluate((element) =>
    element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement ? element.value : element.textContent,
  );

describe('paste from the context menu, one server known', () => {
  beforeAll(async () => {
    // One server: a single top-level item, standing for that server.
    await eventually(async () => expect(await menuHasItem(serverItemId(serverA))).toBe(true));
    expect(await menuHasItem('paste-key')).toBe(false);
  });

  it('pastes into a plain input', async () => {
    const page = await openTestPage('fields.html');
    const field = page.locator('#plain');
    await chooseFromContextMenu(field, PASTE_ITEM);
    await expect.poll(() => field.inputValue()).toBe(keyOf(serverA));
    expect(await toolbarNotice()).toEqual({ badge: '', title: 'RAGFlow Keys' });
  });

  it('replaces the selected text, keeping the rest', async () => {
    const page = await openTestPage('fields.html');
    const field = page.locator('#selection');
    // Select "OLD" in "keep OLD keep" and right-click on it: a click inside a selection keeps it.
    const middleOfOld = await field.evaluate((input: HTMLInputElement) => {
      input.focus();
      input.setSelectionRange(5, 8);
      const style = getComputedStyle(input);
      const context = document.createElement('canvas').getContext('2d')!;
      context.font = style.font;
      const before = context.measureText(input.value.slice(0, 5)).width;
      const word = context.measureText(input.value.slice(5, 8)).width;
      return {
        x: parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft) + before + word / 2,
        y: input.offsetHeight / 2,
      };
    });
    await chooseFromContextMenu(field, PASTE_ITEM, { position: middleOfOld });
    await expect.poll(() => field.inputValue()).toBe(`keep ${keyOf(serverA)} keep`);
  });

  it('pastes into a textarea', async () => {
    const page = await openTestPage('fields.html');
    const field = page.locator('#textarea');
    await chooseFromContextMenu(field, PASTE_ITEM);
    await expect.poll(() => field.inputValue()).toBe(keyOf(serverA));
  });

  it('pastes into a contenteditable', async () => {
    const page = await openTestPage('fields.html');
    const field = page.locator('#editable');
    await chooseFromContextMenu(field, PASTE_ITEM);
    await expect.poll(() => fieldValue(field)).toBe(keyOf(serverA));
  });

  it('pastes into a password input', async () => {
    const page = await openTestPage('fields.html');
    const field = page.locator('#password');
    await chooseFromContextMenu(field, PASTE_ITEM);
    await expect.poll(() => field.inputValue()).toBe(keyOf(serverA));
  });

  it('pastes into an input controlled by Preact, whose state follows', async () => {
    const page = await openTestPage('preact.html');
    const field = page.locator('#controlled');
    await chooseFromContextMenu(field, PASTE_ITEM);
    // The rendered state, not only the DOM value: the framework saw the change.
    await expect.poll(() => page.locator('#state').textContent()).toBe(keyOf(serverA));
    expect(await field.inputValue()).toBe(keyOf(serverA));
  });

  it('pastes into an input of a same-origin frame, and only there', async () => {
    const page = await openTestPage('fields.html');
    const field = page.frameLocator('#same-origin').locator('#framed');
    await chooseFromContextMenu(field, PASTE_ITEM);
    await expect.poll(() => field.inputValue()).toBe(keyOf(serverA));
    expect(await page.locator('#plain').inputValue()).toBe('');
  });

  it('pastes into an input inside an open shadow root', async () => {
    const page = await openTestPage('fields.html');
    // Playwright's CSS locators pierce open shadow roots.
    const field = page.locator('#shadow-host #in-shadow');
    await chooseFromContextMenu(field, PASTE_ITEM);
    await expect.poll(() => field.inputValue()).toBe(keyOf(serverA));
  });

  it('says it may not paste into a frame of another site, and pastes nothing', async () => {
    const page = await openTestPage('fields.html');
    const field = page.frameLocator('#cross-origin').locator('#framed');
    await field.waitFor();
    await chooseFromContextMenu(field, PASTE_ITEM);
    await expect.poll(toolbarNotice).toEqual({
      badge: '!',
      title: expect.stringContaining('may not paste into this part of the page'),
    });
    expect(await field.inputValue()).toBe('');
    await expect.poll(popupIsOpen).toBe(true);
    const popup = await popupForActiveTab();
    await expect
      .poll(() => popup.getByRole('alert').textContent())
      .toContain('may not paste into this part of the page');
    // The key is right there to copy by hand.
    expect(await popup.getByLabel('API key', { exact: true }).inputValue()).toBe(keyOf(serverA));
  });

  it('says the field is read-only, and changes nothing', async () => {
    const page = await openTestPage('fields.html');
    // Chromium offers no editable-context item on a read-only field; this one becomes read-only
    // while the menu is open, as a page may do.
    const field = page.locator('#turns-readonly');
    await chooseFromContextMenu(field, PASTE_ITEM);
    await expect.poll(toolbarNotice).toEqual({ badge: '!', title: 'Nothing was pasted: this field is read-only.' });
    expect(await field.inputValue()).toBe('unchanged');
    // The popup opens to say it too (and to offer the key to copy).
    await expect.poll(popupIsOpen).toBe(true);
  });
});

describe('paste with the keyboard shortcut', () => {
  it('is Alt+Shift+K, as the popup says', async () => {
    const popup = await extension.openPopup();
    openPages.push(popup);
    await expect.poll(() => popup.getByTestId('paste-shortcut').textContent()).toBe('Paste into a field: Alt+Shift+K');
  });

  it('pastes into the focused field', async () => {
    const page = await openTestPage('fields.html');
    const field = page.locator('#plain');
    await field.focus();
    await pressKeys('alt+shift+k');
    await expect.poll(() => field.inputValue()).toBe(keyOf(serverA));
  });

  it('pastes into the focused field of a same-origin frame, and only there', async () => {
    const page = await openTestPage('fields.html');
    const field = page.frameLocator('#same-origin').locator('#framed');
    await field.focus();
    await pressKeys('alt+shift+k');
    await expect.poll(() => field.inputValue()).toBe(keyOf(serverA));
    expect(await page.locator('#plain').inputValue()).toBe('');
  });

  it('says a read-only field is read-only, and changes nothing', async () => {
    const page = await openTestPage('fields.html');
    const field = page.locator('#readonly');
    await field.focus();
    await pressKeys('alt+shift+k');
    await expect.poll(toolbarNotice).toEqual({ badge: '!', title: 'Nothing was pasted: this field is read-only.' });
    expect(await field.inputValue()).toBe('unchanged');
    // The popup opens to say it too (and to offer the key to copy).
    await expect.poll(popupIsOpen).toBe(true);
  });

  it.each(['tiny', 'transparent', 'offscreen', 'in-transparent-parent', 'in-monaco-lookalike'])(
    'pastes nothing into a field the page focused but the user cannot see (%s), and says so',
    async (trap) => {
      const page = await openTestPage(`trap.html?trap=${trap}`);
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('trap');
      await pressKeys('alt+shift+k');
      await expect
        .poll(toolbarNotice)
        .toEqual({ badge: '!', title: expect.stringContaining('the focused field is hidden, transparent, tiny') });
      expect(await page.locator('#trap').inputValue()).toBe('');
      expect(await page.locator('#visible').inputValue()).toBe('');
      await expect.poll(popupIsOpen).toBe(true);
    },
  );

  it('pastes nothing when the address bar has the focus, though the page keeps a focused field', async () => {
    const page = await openTestPage('fields.html');
    const field = page.locator('#plain');
    await field.focus();
    // Playwright makes every page look focused; the test needs the browser's real answer.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
    await expect.poll(() => page.evaluate(() => document.hasFocus())).toBe(true);
    await pressKeys('ctrl+l');
    await expect.poll(() => page.evaluate(() => document.hasFocus())).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('plain');
    await pressKeys('alt+shift+k');
    await expect
      .poll(toolbarNotice)
      .toEqual({ badge: '!', title: expect.stringContaining('the page did not have the focus') });
    expect(await field.inputValue()).toBe('');
    // Awaited so that it cannot open over the next test's page and take its shortcut.
    await expect.poll(popupIsOpen).toBe(true);
  });

  it('says there is no field when none has the focus', async () => {
    const page = await openTestPage('fields.html');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await pressKeys('alt+shift+k');
    await expect
      .poll(toolbarNotice)
      .toEqual({ badge: '!', title: expect.stringContaining('click into a text field first') });
    await expect.poll(popupIsOpen).toBe(true);
  });
});

describe('paste from the context menu, several servers known', () => {
  beforeAll(async () => {
    await extension.configureServers([
      { url: serverA.url, publicKeyPem: serverA.publicKeyPem },
      { url: serverB.url, publicKeyPem: serverB.publicKeyPem },
    ]);
    await signIn(serverB);
    // A parent item, with one child per server in the order of the settings.
    await eventually(async () => expect(await menuHasItem('paste-key')).toBe(true));
    expect(await menuHasItem(serverItemId(serverA))).toBe(true);
    expect(await menuHasItem(serverItemId(serverB))).toBe(true);
    expect(keyOf(serverA)).not.toBe(keyOf(serverB));
  });

  it("pastes the chosen server's key, never the other's", async () => {
    const page = await openTestPage('fields.html');
    const first = page.locator('#plain');
    const second = page.locator('#textarea');
    await chooseFromContextMenu(first, pasteSubmenuItem(1));
    await expect.poll(() => first.inputValue()).toBe(keyOf(serverB));
    await chooseFromContextMenu(second, pasteSubmenuItem(0));
    await expect.poll(() => second.inputValue()).toBe(keyOf(serverA));
  });

  it('with no key cached for the chosen server, pastes nothing and opens the popup on it', async () => {
    // Sign out of B in the popup (it opens on B, the server used last).
    const signOutPage = await extension.openPopup();
    await signOutPage.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => signOutPage.getByRole('button', { name: 'Get API key' }).isVisible()).toBe(true);
    await signOutPage.close();
    // The popup would open on A, unless the paste points it at B.
    await rememberServerInPopup(serverA);

    const page = await openTestPage('fields.html');
    const field = page.locator('#plain');
    serverB.resetCounts();
    await chooseFromContextMenu(field, pasteSubmenuItem(1));

    await expect.poll(popupIsOpen).toBe(true);
    const serverName = new URL(serverB.url).host;
    expect(await toolbarNotice()).toEqual({
      badge: '!',
      title: `No RAGFlow key for ${serverName} yet. Sign in with RAGFlow Keys, then paste again.`,
    });
    expect(await field.inputValue()).toBe('');
    // Nothing was asked of the server: signing in is the user's move.
    expect(serverB.count()).toBe(0);

    const popup = await popupForActiveTab();
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain(`No RAGFlow key for ${serverName}`);
    expect(await popup.getByLabel('Server URL').inputValue()).toBe(normalizeServerUrl(serverB.url));
  });
});
