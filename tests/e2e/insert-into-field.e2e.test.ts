/**
 * The function the extension injects into a page, run in a real Chromium page directly (headless,
 * no extension): the field kinds and refusals that the context-menu tests do not reach, and the
 * fallback taken when a page refuses `execCommand`. Playwright sends it to the page as its source
 * text, as `scripting.executeScript` does, so it also proves the function is self-contained.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { type FieldPin, insertIntoField, PINNED_FIELDS_SLOT, pinFocusedField } from '../../lib/paste/insert-into-field';
import { chromiumPath } from './support/extension';

const KEY = 'ragflow-AbC123xyz';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  await page.setContent('<!doctype html><body></body>');
});

/** Puts `html` in the page, focuses `selector` (if any), and runs the injected function. */
async function insertInto(html: string, selector?: string) {
  await page.setContent(`<!doctype html><body>${html}</body>`);
  if (selector) await page.focus(selector);
  return page.evaluate(insertIntoField, KEY);
}

const fieldValue = (selector: string) => page.$eval(selector, (field) => (field as HTMLInputElement).value);

/** Makes the page refuse `execCommand`, as some pages and embedded editors do. */
const refuseExecCommand = () => page.evaluate(() => (document.execCommand = () => false));

describe('insertIntoField', () => {
  it.each(['text', 'search', 'url', 'tel', 'email', 'password'])('pastes into an input of type %s', async (type) => {
    expect(await insertInto(`<input id="f" type="${type}">`, '#f')).toEqual({ ok: true });
    expect(await fieldValue('#f')).toBe(KEY);
  });

  it('inserts at the caret and replaces the selection', async () => {
    await page.setContent('<input id="f" value="before SELECTED after">');
    await page.$eval('#f', (input: HTMLInputElement) => {
      input.focus();
      input.setSelectionRange(7, 15);
    });
    expect(await page.evaluate(insertIntoField, KEY)).toEqual({ ok: true });
    expect(await fieldValue('#f')).toBe(`before ${KEY} after`);
  });

  it('keeps the page’s undo history', async () => {
    expect(await insertInto('<input id="f" value="x">', '#f')).toEqual({ ok: true });
    await page.evaluate(() => document.execCommand('undo'));
    expect(await fieldValue('#f')).toBe('x');
  });

  it('refuses a read-only field and leaves it alone', async () => {
    expect(await insertInto('<textarea id="f" readonly>as it was</textarea>', '#f')).toEqual({
      ok: false,
      reason: 'read-only',
    });
    expect(await fieldValue('#f')).toBe('as it was');
  });

  it('two insertions at once into one field (the menu and the shortcut together) both land and both confirm', async () => {
    await page.setContent('<input id="f">');
    await page.addScriptTag({ content: `window.insertIntoField = ${insertIntoField.toString()};` });
    const outcomes = await page.evaluate((key) => {
      (document.getElementById('f') as HTMLInputElement).focus();
      const { insertIntoField: insert } = window as unknown as { insertIntoField: typeof insertIntoField };
      // Started in one task, as two executeScript calls into one frame can be.
      return Promise.all([insert(key), insert(key)]);
    }, KEY);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    expect(await fieldValue('#f')).toBe(KEY + KEY);
  });

  it('refuses a disabled field', async () => {
    // Chromium blurs a field soon after it is disabled: disable and paste in one task.
    await page.setContent('<input id="f" value="as it was">');
    await page.addScriptTag({ content: `window.insertIntoField = ${insertIntoField.toString()};` });
    const outcome = await page.evaluate((key) => {
      const field = document.getElementById('f') as HTMLInputElement;
      field.focus();
      field.disabled = true;
      return (window as unknown as { insertIntoField: typeof insertIntoField }).insertIntoField(key);
    }, KEY);
    expect(outcome).toEqual({ ok: false, reason: 'disabled' });
    expect(await fieldValue('#f')).toBe('as it was');
  });

  it('refuses inputs that cannot hold a key', async () => {
    expect(await insertInto('<input id="f" type="number">', '#f')).toEqual({ ok: false, reason: 'not-editable' });
    expect(await insertInto('<input id="f" type="checkbox">', '#f')).toEqual({ ok: false, reason: 'not-editable' });
    expect(await insertInto('<button id="f">OK</button>', '#f')).toEqual({ ok: false, reason: 'not-editable' });
  });

  it('says there is no field when nothing is focused', async () => {
    expect(await insertInto('<input id="f">')).toEqual({ ok: false, reason: 'no-field' });
    expect(await fieldValue('#f')).toBe('');
  });

  it('pastes into a contenteditable, replacing the selected word', async () => {
    await page.setContent('<div id="f" contenteditable="true">one <b>two</b> three</div>');
    await page.$eval('#f', (editable) => {
      editable.focus();
      const range = document.createRange();
      range.selectNodeContents(editable.querySelector('b')!);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
    });
    expect(await page.evaluate(insertIntoField, KEY)).toEqual({ ok: true });
    expect(await page.$eval('#f', (editable) => editable.textContent)).toBe(`one ${KEY} three`);
  });

  it('pastes into a document in design mode (rich-text editors in a frame)', async () => {
    await page.setContent('<p>text</p>');
    await page.evaluate(() => {
      document.designMode = 'on';
      document.body.focus();
      getSelection()!.collapse(document.querySelector('p')!.firstChild, 4);
    });
    expect(await page.evaluate(insertIntoField, KEY)).toEqual({ ok: true });
    expect(await page.$eval('p', (paragraph) => paragraph.textContent)).toBe(`text${KEY}`);
  });

  it('pastes into an input inside an open shadow root', async () => {
    await page.setContent('<div id="host"></div>');
    await page.evaluate(() => {
      const root = document.getElementById('host')!.attachShadow({ mode: 'open' });
      root.innerHTML = '<input id="inner">';
      root.getElementById('inner')!.focus();
    });
    expect(await page.evaluate(insertIntoField, KEY)).toEqual({ ok: true });
    expect(
      await page.evaluate(
        () => (document.getElementById('host')!.shadowRoot!.getElementById('inner') as HTMLInputElement).value,
      ),
    ).toBe(KEY);
  });

  describe('when the page refuses execCommand', () => {
    it('sets the value with the native setter, then fires bubbling input and change', async () => {
      await page.setContent('<form><input id="f" value="ab"></form>');
      await refuseExecCommand();
      await page.evaluate(() => {
        const events: string[] = [];
        (window as unknown as { events: string[] }).events = events;
        for (const type of ['input', 'change'])
          document.querySelector('form')!.addEventListener(type, () => events.push(type));
        const input = document.getElementById('f') as HTMLInputElement;
        input.focus();
        input.setSelectionRange(1, 1);
      });
      expect(await page.evaluate(insertIntoField, KEY)).toEqual({ ok: true });
      expect(await fieldValue('#f')).toBe(`a${KEY}b`);
      expect(await page.evaluate(() => (window as unknown as { events: string[] }).events)).toEqual([
        'input',
        'change',
      ]);
      // The caret ends after the key, as after typing it.
      expect(await page.$eval('#f', (input: HTMLInputElement) => input.selectionStart)).toBe(1 + KEY.length);
    });

    it('is seen by a framework that tracks value assignments, as React does', async () => {
      await page.setContent('<input id="f">');
      await refuseExecCommand();
      // React's value tracker in small (react-dom inputValueTracking): it wraps the instance's
      // `value` setter to record what scripts assign, and on `input` reports a change only when
      // the DOM value differs from the recorded one. `field.value = key` would hide the change.
      await page.evaluate(() => {
        const input = document.getElementById('f') as HTMLInputElement;
        const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!;
        let tracked = input.value;
        Object.defineProperty(input, 'value', {
          configurable: true,
          get: () => native.get!.call(input),
          set: (next: string) => {
            tracked = next;
            native.set!.call(input, next);
          },
        });
        const seen: string[] = [];
        (window as unknown as { seen: string[] }).seen = seen;
        input.addEventListener('input', () => {
          if (input.value !== tracked) {
            tracked = input.value;
            seen.push(input.value);
          }
        });
        input.focus();
      });
      expect(await page.evaluate(insertIntoField, KEY)).toEqual({ ok: true });
      expect(await page.evaluate(() => (window as unknown as { seen: string[] }).seen)).toEqual([KEY]);
    });

    it('inserts into a contenteditable at the selection', async () => {
      await page.setContent('<div id="f" contenteditable="true">left right</div>');
      await refuseExecCommand();
      await page.$eval('#f', (editable) => {
        editable.focus();
        getSelection()!.collapse(editable.firstChild, 5);
      });
      expect(await page.evaluate(insertIntoField, KEY)).toEqual({ ok: true });
      expect(await page.$eval('#f', (editable) => editable.textContent)).toBe(`left ${KEY}right`);
    });
  });

  it('reports a field that does not keep the key as unconfirmed', async () => {
    // A controlled field whose framework puts its own value back after every change.
    await page.setContent('<input id="f" value="fixed">');
    await page.evaluate(() => {
      const input = document.getElementById('f') as HTMLInputElement;
      input.addEventListener('input', () => (input.value = 'fixed'));
      input.focus();
    });
    expect(await page.evaluate(insertIntoField, KEY)).toEqual({ ok: false, reason: 'unconfirmed' });
    expect(await fieldValue('#f')).toBe('fixed');
  });
});

/**
 * The pin and the insertion that checks it, as the extension runs them when the key has to be
 * fetched first: the pin at the user's action, the insertion when the key came. Each runs through
 * Playwright as its source text, in one world across calls, as executeScript does in the
 * extension's isolated world (the extension tests prove that world is kept between calls).
 */
describe('pinFocusedField, then insertIntoField with the pin', () => {
  const pinNow = async (): Promise<FieldPin> => ({
    slot: PINNED_FIELDS_SLOT,
    id: await page.evaluate(pinFocusedField, PINNED_FIELDS_SLOT),
  });
  /** With two arguments, which page.evaluate does not pass: through a script of the page. */
  const insertPinned = async (pin: FieldPin) => {
    await page.addScriptTag({ content: `window.insertIntoField = ${insertIntoField.toString()};` });
    return page.evaluate(
      ([key, pin]) => (window as unknown as { insertIntoField: typeof insertIntoField }).insertIntoField(key, pin),
      [KEY, pin] as const,
    );
  };

  beforeEach(async () => {
    await page.setContent('<input id="a"><input id="b"><div id="host"></div>');
    await page.evaluate(() => {
      const root = document.getElementById('host')!.attachShadow({ mode: 'open' });
      root.innerHTML = '<input id="inner">';
    });
  });

  it('pastes into the pinned field while it keeps the focus', async () => {
    await page.focus('#a');
    const pin = await pinNow();
    expect(await insertPinned(pin)).toEqual({ ok: true });
    expect(await fieldValue('#a')).toBe(KEY);
  });

  it('pastes nothing once the focus moved to another field', async () => {
    await page.focus('#a');
    const pin = await pinNow();
    await page.focus('#b');
    expect(await insertPinned(pin)).toEqual({ ok: false, reason: 'field-changed' });
    expect(await fieldValue('#a')).toBe('');
    expect(await fieldValue('#b')).toBe('');
  });

  it('pastes into the pinned field when the focus came back to it', async () => {
    await page.focus('#a');
    const pin = await pinNow();
    await page.focus('#b');
    await page.focus('#a');
    expect(await insertPinned(pin)).toEqual({ ok: true });
    expect(await fieldValue('#a')).toBe(KEY);
    expect(await fieldValue('#b')).toBe('');
  });

  it('pastes nothing when the pinned field was replaced by a new one, focused in its place', async () => {
    // A page that re-renders puts a new element where the pinned one was.
    await page.focus('#a');
    const pin = await pinNow();
    await page.evaluate(() => {
      const fresh = document.createElement('input');
      fresh.id = 'a';
      document.getElementById('a')!.replaceWith(fresh);
      fresh.focus();
    });
    expect(await insertPinned(pin)).toEqual({ ok: false, reason: 'field-changed' });
    expect(await fieldValue('#a')).toBe('');
  });

  it('tells fields of an open shadow root apart', async () => {
    await page.evaluate(() =>
      (document.getElementById('host')!.shadowRoot!.getElementById('inner') as HTMLInputElement).focus(),
    );
    const pin = await pinNow();
    expect(await insertPinned(pin)).toEqual({ ok: true });
    const inner = () =>
      page.evaluate(
        () => (document.getElementById('host')!.shadowRoot!.getElementById('inner') as HTMLInputElement).value,
      );
    expect(await inner()).toBe(KEY);

    const second = await pinNow();
    await page.focus('#a');
    expect(await insertPinned(second)).toEqual({ ok: false, reason: 'field-changed' });
    expect(await fieldValue('#a')).toBe('');
  });

  it('pastes nothing after a reload, whose page has no pin', async () => {
    await page.focus('#a');
    const pin = await pinNow();
    await page.reload();
    await page.setContent('<input id="a">');
    await page.focus('#a');
    expect(await insertPinned(pin)).toEqual({ ok: false, reason: 'field-changed' });
    expect(await fieldValue('#a')).toBe('');
  });

  it('checks each pin on its own: two pastes of the same field both land', async () => {
    await page.focus('#a');
    const first = await pinNow();
    const second = await pinNow();
    expect(first.id).not.toBe(second.id);
    expect(await insertPinned(first)).toEqual({ ok: true });
    expect(await insertPinned(second)).toEqual({ ok: true });
    expect(await fieldValue('#a')).toBe(KEY + KEY);
  });

  it('keeps its pins in a property that no enumeration of the global object lists', async () => {
    await page.focus('#a');
    await pinNow();
    expect(await page.evaluate((slot) => Object.keys(globalThis).includes(slot), PINNED_FIELDS_SLOT)).toBe(false);
  });
});
