/**
 * The functions the extension injects, run directly in real Chromium pages (headless, no
 * extension) against EditContext editors: Monaco in both of its inputs, and a bare EditContext
 * element, built from npm by tests/e2e/editors/build.ts. Each result is read from the editor's
 * own model, not from the DOM. Playwright sends each function as its source text, as
 * `scripting.executeScript` does, so this also proves them self-contained.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { insertIntoEditContext } from '../../lib/paste/edit-context';
import { insertIntoField, PINNED_FIELDS_SLOT, pinFocusedField } from '../../lib/paste/insert-into-field';
import type { EditorPage } from './editors/build';
import { startEditorPages, type EditorPages } from './support/editor-pages';
import { chromiumPath } from './support/extension';
import { TEST_HOST_RESOLVER_RULES } from './support/test-pages';

const KEY = 'ragflow-AbC123xyz';

let browser: Browser;
let page: Page;
let editors: EditorPages;

beforeAll(async () => {
  [browser, editors] = await Promise.all([
    chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', TEST_HOST_RESOLVER_RULES],
    }),
    startEditorPages(),
  ]);
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await editors?.close();
});

/** Opens an editor page, fills it with `text` and puts the caret at `caret`. */
async function openEditor(name: EditorPage, text: string, caret: number, query?: string): Promise<void> {
  await page.goto(editors.url(name, query));
  await page.waitForFunction(() => window.editorUnderTest !== undefined);
  await page.evaluate(([text, caret]) => window.editorUnderTest!.setUp(text, caret), [text, caret] as const);
}

const editorText = () => page.evaluate(() => window.editorUnderTest!.text());

/**
 * Runs an injected function with its arguments as `scripting.executeScript` does: its source
 * text, called with JSON values (page.evaluate passes one argument only).
 */
function inject<Args extends unknown[], Result>(
  func: (...args: Args) => Promise<Result>,
  ...args: Args
): Promise<Result> {
  const call = `(${func.toString()})(${args.map((arg) => JSON.stringify(arg)).join(', ')})`;
  return page.evaluate(call) as Promise<Result>;
}

/** What the background does: the field insertion, then the EditContext one it hands over to. */
async function paste(withPin: boolean) {
  const pin = withPin
    ? { slot: PINNED_FIELDS_SLOT, id: await page.evaluate(pinFocusedField, PINNED_FIELDS_SLOT) }
    : undefined;
  const first = await inject(insertIntoField, KEY, pin);
  if (first.ok || !('handOver' in first)) return { first, result: first };
  return { first, result: await inject(insertIntoEditContext, KEY, pin) };
}

describe('Monaco', () => {
  it('with its EditContext input (the default): the key goes in at the caret', async () => {
    await openEditor('monaco', 'before after', 7, 'input=edit-context');
    const { first, result } = await paste(true);
    expect(first).toEqual({ ok: false, handOver: 'edit-context' });
    expect(result).toEqual({ ok: true });
    expect(await editorText()).toBe(`before ${KEY}after`);
  });

  it('with its EditContext input: the key replaces the selection', async () => {
    await openEditor('monaco', 'keep OLD keep', 5, 'input=edit-context');
    await page.evaluate(() => {
      // Select "OLD" as a user would, with Shift+Right three times.
      const area = document.activeElement as HTMLElement;
      for (let i = 0; i < 3; i++) {
        area.dispatchEvent(
          new KeyboardEvent('keydown', {
            key: 'ArrowRight',
            code: 'ArrowRight',
            keyCode: 39,
            shiftKey: true,
            bubbles: true,
          }),
        );
      }
    });
    const { result } = await paste(false);
    expect(result).toEqual({ ok: true });
    expect(await editorText()).toBe(`keep ${KEY} keep`);
  });

  it('with its textarea input: execCommand reaches it', async () => {
    await openEditor('monaco', 'before after', 7, 'input=textarea');
    const { first } = await paste(true);
    expect(first).toEqual({ ok: true });
    expect(await editorText()).toBe(`before ${KEY}after`);
  });
});

describe('a bare EditContext element', () => {
  it('takes the key as typing, at the caret', async () => {
    await openEditor('edit-context', 'AZ', 1);
    const { result } = await paste(true);
    expect(result).toEqual({ ok: true });
    expect(await editorText()).toBe(`A${KEY}Z`);
  });

  it('that takes no text from outside: refused, and its text left as it was', async () => {
    await openEditor('edit-context', 'AZ', 1, 'listens=none');
    const { result } = await paste(true);
    expect(result).toEqual({ ok: false, reason: 'editor-refused' });
    expect(
      await page.evaluate(
        () => (document.activeElement as unknown as { editContext: { text: string } }).editContext.text,
      ),
    ).toBe('AZ');
  });

  it('is not pasted into when the focus moved to another field before the key came', async () => {
    await openEditor('edit-context', 'AZ', 1);
    const id = await page.evaluate(pinFocusedField, PINNED_FIELDS_SLOT);
    await page.evaluate(() => {
      const other = document.createElement('input');
      document.body.append(other);
      other.focus();
    });
    const pin = { slot: PINNED_FIELDS_SLOT, id };
    expect(await inject(insertIntoEditContext, KEY, pin)).toEqual({
      ok: false,
      reason: 'field-changed',
    });
    expect(await editorText()).toBe('AZ');
  });
});

describe('what Chromium does, as docs/browser-facts.md records it', () => {
  it('execCommand fires input and no beforeinput', async () => {
    await page.setContent('<input id="f">');
    const events = await page.$eval('#f', (input: HTMLInputElement) => {
      const seen: string[] = [];
      for (const type of ['beforeinput', 'input']) input.addEventListener(type, () => seen.push(type));
      input.focus();
      document.execCommand('insertText', false, 'X');
      return seen;
    });
    expect(events).toEqual(['input']);
  });

  it('Monaco with its EditContext input: execCommand is refused, and the element is not contentEditable', async () => {
    await openEditor('monaco', 'AZ', 1, 'input=edit-context');
    const facts = await page.evaluate(() => {
      const focused = document.activeElement as HTMLElement & { editContext?: unknown };
      return {
        className: focused.className,
        editContext: Boolean(focused.editContext),
        contentEditable: focused.isContentEditable,
        execCommand: document.execCommand('insertText', false, 'X'),
      };
    });
    expect(facts).toEqual({
      className: 'native-edit-context',
      editContext: true,
      contentEditable: false,
      execCommand: false,
    });
    expect(await editorText()).toBe('AZ');
  });
});
