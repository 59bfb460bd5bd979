/**
 * Pasting into an editor that types through the EditContext API (Monaco's default input in
 * Chromium, and VS Code for the web with it). Its field is an element with an `editContext`,
 * not `contentEditable`: `execCommand('insertText')` returns false there and a `beforeinput` of
 * ours does nothing (docs/browser-facts.md). What does reach such an editor is what the browser
 * itself sends it: a `paste` event, or a `textupdate` event on the EditContext.
 *
 * Runs in the page through `scripting.executeScript`, like insert-into-field.ts, and under the
 * same rule: self-contained, no imports, no module-level values.
 */
import type { FieldPin, InsertFailure } from './insert-into-field';

export type EditContextResult =
  | { ok: true }
  /** `editor-refused`: the editor took the key neither way; nothing of ours is left in it. */
  | { ok: false; reason: InsertFailure | 'editor-refused' };

/**
 * Inserts `text` at the caret of the focused EditContext editor, replacing its selection, and
 * confirms it by reading the editor's own text back.
 *
 * `pin`: the same check as {@link insertIntoField}'s, which handed this field over with the pin
 * still in place; the field must still be the focused one, in a frame that kept the focus.
 *
 * 1. A synthetic `paste` event whose DataTransfer holds the text: Monaco takes it as a paste
 *    from the clipboard (it cancels the event and updates its model, then the EditContext's text).
 * 2. When nobody cancelled the paste: what the browser does when the user types, in the order it
 *    does it. The EditContext's text and selection are updated first, then `textupdate` fires
 *    (https://w3c.github.io/edit-context/#update-the-text). An editor that listens redraws from
 *    it; one that does not leaves the DOM untouched, so the key must show up in the page's DOM
 *    for this to count, and is taken back out of the EditContext otherwise.
 */
export async function insertIntoEditContext(text: string, pin?: FieldPin): Promise<EditContextResult> {
  interface EditContextLike extends EventTarget {
    readonly text: string;
    readonly selectionStart: number;
    readonly selectionEnd: number;
    updateText(start: number, end: number, text: string): void;
    updateSelection(start: number, end: number): void;
  }
  interface PinnedField {
    element: WeakRef<Element> | null;
    frameHadFocus: boolean;
  }
  // See insertIntoField: one insertion at a time per frame, on the same slot.
  const INSERTIONS_SLOT = 'ragflowKeysInsertions';
  const world = globalThis as unknown as Record<string, Promise<unknown> | undefined>;

  const insertNow = async (): Promise<EditContextResult> => {
    // A task, then a frame: editors that redraw in requestAnimationFrame have drawn by then. A
    // frame the browser does not draw (an iframe out of sight may get no animation frames) waits
    // no longer than a tenth of a second.
    const settled = () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          requestAnimationFrame(() => setTimeout(resolve, 0));
          setTimeout(resolve, 100);
        }, 0),
      );
    const countOf = (haystack: string) => (text === '' ? 0 : haystack.split(text).length - 1);

    let focused: Element | null = document.activeElement;
    while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
    if (pin) {
      const fields = (globalThis as unknown as Record<string, { fields: Map<number, PinnedField> } | undefined>)[
        pin.slot
      ]?.fields;
      const pinned = fields?.get(pin.id);
      fields?.delete(pin.id);
      if (pinned === undefined) return { ok: false, reason: 'field-changed' };
      const field = pinned.element?.deref();
      const frameKeptFocus = !pinned.frameHadFocus || document.hasFocus();
      if (!field?.isConnected || field !== focused || !frameKeptFocus) return { ok: false, reason: 'field-changed' };
    }
    const editContext = (focused as (Element & { editContext?: EditContextLike | null }) | null)?.editContext;
    if (!focused || !editContext) return { ok: false, reason: 'not-editable' };
    // The visibility check insertIntoField passed, again now (see there: the editor is what the
    // user sees, not Monaco's 0 px wide stand-in). Absent only outside the extension (a test page).
    const checks = globalThis as unknown as Record<string, ((field: Element) => InsertFailure | null) | undefined>;
    const unseen = checks.ragflowKeysFieldVisibility?.(focused.closest('.monaco-editor') ?? focused);
    if (unseen) return { ok: false, reason: unseen };

    const before = editContext.text;
    const occurrencesBefore = countOf(before);

    const data = new DataTransfer();
    data.setData('text/plain', text);
    const paste = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true });
    const taken = !focused.dispatchEvent(paste);
    await settled();
    if (countOf(editContext.text) > occurrencesBefore) return { ok: true };
    // The editor took the paste but its text does not show the key: trying again another way
    // could paste it twice.
    if (taken) return { ok: false, reason: 'unconfirmed' };

    const TextUpdate = (globalThis as { TextUpdateEvent?: new (type: string, init: object) => Event }).TextUpdateEvent;
    if (typeof TextUpdate !== 'function') return { ok: false, reason: 'editor-refused' };
    const start = Math.min(editContext.selectionStart, editContext.selectionEnd);
    const end = Math.max(editContext.selectionStart, editContext.selectionEnd);
    const replaced = before.slice(start, end);
    const caret = start + text.length;

    let drawn = false;
    const look = (records: MutationRecord[]) => {
      for (const record of records) {
        const added =
          record.type === 'characterData'
            ? (record.target.textContent ?? '')
            : Array.from(record.addedNodes, (node) => node.textContent ?? '').join('');
        if (added.includes(text)) drawn = true;
      }
    };
    const observer = new MutationObserver(look);
    observer.observe(document, { subtree: true, childList: true, characterData: true });
    try {
      editContext.updateText(start, end, text);
      editContext.updateSelection(caret, caret);
      editContext.dispatchEvent(
        new TextUpdate('textupdate', {
          updateRangeStart: start,
          updateRangeEnd: end,
          text,
          selectionStart: caret,
          selectionEnd: caret,
        }),
      );
      await settled();
      look(observer.takeRecords());
    } finally {
      observer.disconnect();
    }
    if (drawn && editContext.text === before.slice(0, start) + text + before.slice(end)) return { ok: true };
    if (editContext.text.slice(start, caret) === text) {
      // Nobody drew it: leave the editor's text as it was, not holding a key it does not show.
      editContext.updateText(start, caret, replaced);
      editContext.updateSelection(start, end);
    }
    return { ok: false, reason: 'editor-refused' };
  };

  const turn = (world[INSERTIONS_SLOT] ?? Promise.resolve()).then(insertNow, insertNow);
  if (world[INSERTIONS_SLOT] === undefined) {
    Object.defineProperty(globalThis, INSERTIONS_SLOT, { value: turn, writable: true });
  } else {
    world[INSERTIONS_SLOT] = turn;
  }
  return turn;
}
