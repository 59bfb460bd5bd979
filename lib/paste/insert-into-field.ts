/**
 * The one function of ours that runs in a web page: `scripting.executeScript` serialises it with
 * `Function.prototype.toString` and runs it in the frame the user pasted into, with the key as its
 * only argument. So it must stay self-contained: no imports, no module-level values, no helpers
 * outside its body (a reference to one would be a ReferenceError in the page).
 */

/** Why nothing was pasted; the background turns each into a notice for the user. */
export type InsertFailure = 'no-field' | 'read-only' | 'disabled' | 'not-editable' | 'unconfirmed';

export type InsertResult = { ok: true } | { ok: false; reason: InsertFailure };

/**
 * Inserts `text` at the caret of the focused field of this frame, replacing any selection.
 *
 * The field is the focused element: a right-click on a field focuses it, and a keyboard shortcut
 * acts on the focused field anyway. Focus inside an open shadow root shows on the document only
 * as the shadow host, so the search descends through `shadowRoot.activeElement`.
 *
 * `execCommand('insertText')` is tried first: it keeps the page's undo history and fires a real
 * `beforeinput` and `input` event, which frameworks handle as typing. When it is refused or the
 * field does not end up holding the text, the value is set with the prototype's native setter and
 * bubbling `input` and `change` events follow: assigning `field.value` directly would update the
 * instance's own value tracker and React would swallow the event (facebook/react#10135).
 * Either way the field is read back before reporting success. `executeScript` waits for the
 * returned promise.
 */
export async function insertIntoField(text: string): Promise<InsertResult> {
  // Types whose value is free text: others (number, date, color…) cannot hold a key.
  const textInputTypes = ['text', 'search', 'url', 'tel', 'email', 'password'];
  // Editors that handle `beforeinput` themselves (Lexical, Slate) and frameworks that re-render
  // (Preact batches in a microtask) settle after the event: read back only then.
  const settled = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

  let focused: Element | null = document.activeElement;
  while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
  if (!focused || focused === document.body || focused === document.documentElement) {
    // A body in design mode or made contenteditable (rich-text editors in a frame) is a field.
    if (!(focused instanceof HTMLElement && focused.isContentEditable)) return { ok: false, reason: 'no-field' };
  }

  const countOf = (haystack: string) => (text === '' ? 0 : haystack.split(text).length - 1);

  if (focused instanceof HTMLInputElement || focused instanceof HTMLTextAreaElement) {
    const field = focused;
    if (field instanceof HTMLInputElement && !textInputTypes.includes(field.type)) {
      return { ok: false, reason: 'not-editable' };
    }
    // `:disabled` also covers a field in a disabled fieldset, whose own `disabled` stays false.
    if (field.matches(':disabled')) return { ok: false, reason: 'disabled' };
    if (field.readOnly) return { ok: false, reason: 'read-only' };

    const before = field.value;
    // `selectionStart` is null for email inputs, which expose no selection: append there.
    const start = field.selectionStart ?? before.length;
    const end = field.selectionEnd ?? before.length;
    const expected = before.slice(0, start) + text + before.slice(end);

    let inserted = false;
    try {
      inserted = document.execCommand('insertText', false, text);
    } catch {
      // Some pages replace execCommand; the native setter below does not depend on it.
    }
    if (inserted) await settled();
    if (inserted && field.value === expected) return { ok: true };

    const prototype = field instanceof HTMLInputElement ? HTMLInputElement.prototype : HTMLTextAreaElement.prototype;
    const setValue = Object.getOwnPropertyDescriptor(prototype, 'value')?.set;
    if (!setValue) return { ok: false, reason: 'unconfirmed' };
    setValue.call(field, expected);
    try {
      const caret = start + text.length;
      field.setSelectionRange(caret, caret);
    } catch {
      // Email inputs have no selection API; the caret stays where the browser put it.
    }
    field.dispatchEvent(
      new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: text }),
    );
    field.dispatchEvent(new Event('change', { bubbles: true }));
    await settled();
    return field.value === expected ? { ok: true } : { ok: false, reason: 'unconfirmed' };
  }

  if (focused instanceof HTMLElement && focused.isContentEditable) {
    const host = focused;
    const occurrencesBefore = countOf(host.textContent ?? '');
    // The selection of a shadow tree is only visible from its root (Chromium; not yet standard).
    const root = host.getRootNode() as Document | (ShadowRoot & { getSelection?: () => Selection | null });
    const selection = root.getSelection?.() ?? document.getSelection();
    if (selection && (selection.rangeCount === 0 || !host.contains(selection.getRangeAt(0).commonAncestorContainer))) {
      // No caret inside the field: put it at the end rather than paste somewhere else.
      const range = document.createRange();
      range.selectNodeContents(host);
      range.collapse(false);
      selection.removeAllRanges();
      selection.addRange(range);
    }

    let inserted = false;
    try {
      inserted = document.execCommand('insertText', false, text);
    } catch {
      // Handled below like a refusal.
    }
    if (inserted) {
      await settled();
      // The browser or the editor took the text; inserting it by hand too could paste it twice.
      return countOf(host.textContent ?? '') > occurrencesBefore ? { ok: true } : { ok: false, reason: 'unconfirmed' };
    }
    if (!selection || selection.rangeCount === 0) return { ok: false, reason: 'unconfirmed' };

    const range = selection.getRangeAt(0);
    range.deleteContents();
    const node = document.createTextNode(text);
    range.insertNode(node);
    range.setStartAfter(node);
    range.collapse(true);
    selection.removeAllRanges();
    selection.addRange(range);
    host.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: text }));
    await settled();
    return countOf(host.textContent ?? '') > occurrencesBefore ? { ok: true } : { ok: false, reason: 'unconfirmed' };
  }

  // A focused element that takes no text: a button, a link, a closed shadow root's host.
  return { ok: false, reason: 'not-editable' };
}
