/**
 * "Paste RAGFlow key" into the editors people really paste into, each page built from the npm
 * library pinned in package.json (tests/e2e/editors/build.ts, once for the file), in one headful
 * Chromium. Each check reads the library's own state (React's state, the form's values, Vue's
 * ref, Svelte's rune, CodeMirror's and ProseMirror's documents, Lexical's editor state, Quill's
 * Delta, Monaco's model), not the DOM: it must hold exactly the text before the caret, the key,
 * and the text after, once. The shortcut is pressed everywhere, the caret in the middle; the
 * context menu is used where Chromium offers it (an input, a contentEditable, an EditContext
 * element; not Monaco, which shows its own menu), the caret at the end, where a right-click after
 * the text leaves it.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';

import type { EditorPage } from './editors/build';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { type EditorPages, startEditorPages } from './support/editor-pages';
import { launchExtension, type LoadedExtension } from './support/extension';
import { chooseFromContextMenu, PASTE_ITEM, pressKeys } from './support/native-input';
import { fillSignInForm } from './support/popup-form';
import { TEST_HOST_RESOLVER_RULES } from './support/test-pages';

type Chrome = typeof Browser;

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };

let extension: LoadedExtension;
let server: FakeRagflow;
let editors: EditorPages;
let key: string;
const openPages: Page[] = [];

beforeAll(async () => {
  [extension, server, editors] = await Promise.all([
    launchExtension({ headless: false, args: [TEST_HOST_RESOLVER_RULES] }),
    startFakeRagflow({ generation: 'restful', users: [ALICE] }),
    startEditorPages(),
  ]);
  await extension.configureServers([{ url: server.url, publicKeyPem: server.publicKeyPem }]);
  const popup = await extension.openPopup();
  await fillSignInForm(popup, { serverUrl: server.url, ...ALICE });
  await popup.getByRole('button', { name: 'Get API key' }).click();
  await vi.waitFor(async () => expect(await popup.getByLabel('API key', { exact: true }).inputValue()).not.toBe(''), {
    timeout: 10_000,
    interval: 100,
  });
  key = await popup.getByLabel('API key', { exact: true }).inputValue();
  await popup.close();
});

afterAll(async () => {
  await extension?.close();
  await Promise.all([server?.close(), editors?.close()]);
});

afterEach(async () => {
  await Promise.all(openPages.splice(0).map((page) => page.close()));
  await extension.closeActionPopup();
});

/** Opens an editor page in front, fills it with `text`, focused, the caret at `caret`. */
async function openEditor(name: EditorPage, text: string, caret: number, query?: string): Promise<Page> {
  const page = await extension.context.newPage();
  openPages.push(page);
  await page.goto(editors.url(name, query));
  await page.bringToFront();
  await page.waitForFunction(() => window.editorUnderTest !== undefined);
  await page.evaluate(([text, caret]) => window.editorUnderTest!.setUp(text, caret), [text, caret] as const);
  return page;
}

const editorText = (page: Page) => page.evaluate(() => window.editorUnderTest!.text());

/** The toolbar button's notice on the active tab. */
async function toolbarNotice(): Promise<{ badge: string; title: string }> {
  const worker = await extension.worker();
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    const tabId = tab!.id!;
    const [badge, title] = await Promise.all([
      chrome.action.getBadgeText({ tabId }),
      chrome.action.getTitle({ tabId }),
    ]);
    return { badge, title };
  });
}

/**
 * The popup opens after the notice, to say why (Chrome 127 and later). Waiting for it keeps it
 * from opening after the test's clean-up, over the next test's page: there it held the X focus,
 * and the next test's shortcut went to it, not to the page.
 */
async function expectPopupToSayWhy(): Promise<void> {
  await expect.poll(() => extension.actionPopupIsOpen()).toBe(true);
}

/**
 * Waits for the editor to hold `expected`, then checks it still does once the paste is over (the
 * toolbar says it worked): a second insertion would show then.
 */
async function expectEditorText(page: Page, expected: string): Promise<void> {
  await expect.poll(() => editorText(page)).toBe(expected);
  await expect.poll(toolbarNotice).toEqual({ badge: '', title: 'RAGFlow Keys' });
  expect(await editorText(page)).toBe(expected);
}

/** The field each page's user clicks into, and where on it a right-click lands after the text. */
const FIELDS: Record<Exclude<EditorPage, 'monaco' | 'edit-context'>, string> = {
  react: '#field',
  'react-hook-form': '#field',
  vue: '#field',
  svelte: '#field',
  codemirror: '.cm-line',
  tiptap: '.ProseMirror p',
  lexical: '[contenteditable] p',
  quill: '.ql-editor p',
};

describe('the shortcut, the caret between two letters', () => {
  it.each(Object.keys(FIELDS) as (keyof typeof FIELDS)[])('%s', async (name) => {
    const page = await openEditor(name, 'AZ', 1);
    await pressKeys('alt+shift+k');
    await expectEditorText(page, `A${key}Z`);
  });

  it.each(['edit-context', 'textarea'])('Monaco with its %s input', async (input) => {
    const page = await openEditor('monaco', 'AZ', 1, `input=${input}`);
    await pressKeys('alt+shift+k');
    await expectEditorText(page, `A${key}Z`);
  });

  it('a bare EditContext editor', async () => {
    const page = await openEditor('edit-context', 'AZ', 1);
    await pressKeys('alt+shift+k');
    await expectEditorText(page, `A${key}Z`);
  });
});

describe('the context menu, the caret at the end', () => {
  it.each(Object.keys(FIELDS) as (keyof typeof FIELDS)[])('%s', async (name) => {
    const page = await openEditor(name, 'A', 1);
    const field = page.locator(FIELDS[name]).first();
    const box = (await field.boundingBox())!;
    await chooseFromContextMenu(field, PASTE_ITEM, { position: { x: box.width - 5, y: box.height / 2 } });
    await expectEditorText(page, `A${key}`);
  });

  it('a bare EditContext editor (Chromium counts it as editable; Monaco shows its own menu instead)', async () => {
    const page = await openEditor('edit-context', 'A', 1);
    const field = page.locator('#editor');
    const box = (await field.boundingBox())!;
    await chooseFromContextMenu(field, PASTE_ITEM, { position: { x: box.width - 5, y: box.height / 2 } });
    await expectEditorText(page, `A${key}`);
  });
});

describe('an editor the user cannot see', () => {
  it('a hidden EditContext editor gets nothing, and nothing goes on the clipboard for it', async () => {
    const page = await openEditor('edit-context', 'AZ', 1);
    // A page's trap: a 1×1 transparent editor with the focus.
    await page.locator('#editor').evaluate((editor: HTMLElement) => {
      Object.assign(editor.style, { width: '1px', height: '1px', opacity: '0', overflow: 'hidden' });
    });
    await pressKeys('alt+shift+k');
    await expect
      .poll(toolbarNotice)
      .toEqual({ badge: '!', title: expect.stringContaining('the focused field is hidden') });
    expect(await editorText(page)).toBe('AZ');
    await expectPopupToSayWhy();
  });

  it('Monaco hidden as a whole gets nothing, though its stand-in is as small either way', async () => {
    const page = await openEditor('monaco', 'AZ', 1, 'input=edit-context');
    await page.locator('#editor').evaluate((editor: HTMLElement) => {
      editor.style.opacity = '0';
    });
    await pressKeys('alt+shift+k');
    await expect
      .poll(toolbarNotice)
      .toEqual({ badge: '!', title: expect.stringContaining('the focused field is hidden') });
    expect(await editorText(page)).toBe('AZ');
    await expectPopupToSayWhy();
  });
});

describe('an EditContext editor that takes no text from extensions', () => {
  it('is left as it was; the notice says so, and Ctrl+V pastes the key from the clipboard', async () => {
    const page = await openEditor('edit-context', 'AZ', 1, 'listens=none');
    await pressKeys('alt+shift+k');
    await expect
      .poll(toolbarNotice)
      .toEqual({ badge: '!', title: expect.stringContaining('The key is on the clipboard instead: press Ctrl+V') });
    expect(await editorText(page)).toBe('AZ');
    await expectPopupToSayWhy();
    await extension.closeActionPopup();
    // Where the user would press Ctrl+V: a plain field of the same page.
    await page.bringToFront();
    await page.evaluate(() => {
      const area = document.createElement('textarea');
      area.id = 'plain';
      document.body.append(area);
      area.focus();
    });
    await pressKeys('ctrl+v');
    await expect.poll(() => page.locator('#plain').inputValue()).toBe(key);
  });
});
