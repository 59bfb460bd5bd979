/**
 * The functions of ours that run in a web page: `scripting.executeScript` serialises each with
 * `Function.prototype.toString` and runs it in the frame the user pasted into. So each must stay
 * self-contained: no imports, no module-level values, no helpers outside its body (a reference to
 * one would be a ReferenceError in the page). Only types may be shared, as they leave no code.
 */

import type { FieldVisibilityCheck, VisibilityFailure } from './field-visibility';

/** Why nothing was pasted; the background turns each into a notice for the user. */
export type InsertFailure =
  | VisibilityFailure
  | 'no-field'
  | 'read-only'
  | 'disabled'
  | 'not-editable'
  | 'unconfirmed'
  /** The focus left the field pinned at the user's click or keypress before the key came. */
  | 'field-changed';

export type InsertResult =
  | { ok: true }
  | { ok: false; reason: InsertFailure }
  /**
   * The focused field is an EditContext editor: nothing was inserted, and the pin (if any) is
   * left in place for `insertIntoEditContext` (edit-context.ts), which the background runs next.
   */
  | { ok: false; handOver: 'edit-context' };

/**
 * The name of the property, on the global object of the extension's isolated world in a frame,
 * that holds the fields pinned there. Every `executeScript` of the extension into one frame runs
 * in that same world (Chrome and Firefox alike), so a later call finds what an earlier one left;
 * the page runs in a world of its own, with its own global object, and sees none of it.
 */
export const PINNED_FIELDS_SLOT = 'ragflowKeysPinnedFields';

/** What {@link pinFocusedField} keeps in a frame's isolated world. */
interface PinnedFields {
  nextId: number;
  fields: Map<number, PinnedField>;
}

interface PinnedField {
  /** `null`: nothing had the focus. Weak: a pin must not keep a removed field alive. */
  element: WeakRef<Element> | null;
  /**
   * Whether this frame had the focus when pinned. Then it must still have it: the focus may have
   * moved to another frame, and the document of the frame left may keep its active element. Not otherwise: when pinned with the focus outside the page (the address bar), the
   * insertion reports "no field" as it always did.
   */
  frameHadFocus: boolean;
}

/** A field pinned in one frame, for {@link insertIntoField} to check there. */
export interface FieldPin {
  slot: string;
  id: number;
}

/**
 * Remembers the element that has the focus in this frame now, at the user's click or keypress,
 * while the key is still being fetched; carries no key. Returns the pin's id, for
 * {@link insertIntoField}: each paste gets its own, so that two pastes in flight at once (the
 * context menu and the shortcut) each check their own.
 */
export function pinFocusedField(slot: string): number {
  let focused: Element | null = document.activeElement;
  while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
  const world = globalThis as unknown as Record<string, PinnedFields | undefined>;
  let pinned = world[slot];
  if (!pinned) {
    pinned = { nextId: 1, fields: new Map() };
    // Not enumerable, not writable: out of the way of anything else that runs in this world.
    Object.defineProperty(globalThis, slot, { value: pinned });
  }
  const id = pinned.nextId++;
  pinned.fields.set(id, { element: focused ? new WeakRef(focused) : null, frameHadFocus: document.hasFocus() });
  return id;
}

/**
 * Inserts `text` at the caret of the focused field of this frame, replacing any selection.
 *
 * The field is the focused element: a right-click on a field focuses it, and a keyboard shortcut
 * acts on the focused field anyway. Focus inside an open shadow root shows on the document only
 * as the shadow host, so the search descends through `shadowRoot.activeElement`.
 *
 * With a `pin` (the key had to be fetched first, so time passed since the user's action), the
 * focused element must still be the one pinned then, still in the page, in a frame that still has
 * the focus: else the user has moved on to another field, and nothing is inserted. Focus that
 * came back to the pinned field counts as unchanged: that is the field the user chose.
 *
 * `execCommand('insertText')` is tried first: it keeps the page's undo history and fires a real
 * (trusted) `input` event, which frameworks handle as typing. Chromium 156 fires no `beforeinput`
 * for it (docs/browser-facts.md): editors that read only `beforeinput` (Lexical, ProseMirror) take
 * the text through their DOM observers instead, which tests/e2e/editors.e2e.test.ts checks against
 * each editor's own state. When it is refused or the
 * field does not end up holding the text, the value is set with the prototype's native setter and
 * bubbling `input` and `change` events follow: assigning `field.value` directly would update the
 * instance's own value tracker and React would swallow the event (facebook/react#10135).
 * Either way the field is read back before reporting success. `executeScript` waits for the
 * returned promise.
 */
export async function insertIntoField(text: string, pin?: FieldPin): Promise<InsertResult> {
  /**
   * One insertion at a time per frame. Each reads the field back after a task (`settled`); a
   * second paste landing in between (the context menu and the shortcut pressed together) would
   * make the first look refused, and its fallback would then overwrite the second's text. Each
   * waits for the one before it, on a property of this frame's isolated world, like the pins.
   */
  const INSERTIONS_SLOT = 'ragflowKeysInsertions';
  const world = globalThis as unknown as Record<string, Promise<unknown> | undefined>;

  const insertNow = async (): Promise<InsertResult> => {
    // Types whose value is free text: others (number, date, color…) cannot hold a key.
    const textInputTypes = ['text', 'search', 'url', 'tel', 'email', 'password'];
    // Editors that take the text through their DOM observers (Lexical, ProseMirror: execCommand
    // sends them no `beforeinput`, docs/browser-facts.md) and frameworks that re-render (Preact
    // batches in a microtask) settle after the event: read back only then.
    const settled = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

    let focused: Element | null = document.activeElement;
    while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
    let keepPin = () => {};
    if (pin) {
      const fields = (globalThis as unknown as Record<string, PinnedFields | undefined>)[pin.slot]?.fields;
      const pinned = fields?.get(pin.id);
      fields?.delete(pin.id);
      // No pin at all: the frame was reloaded or navigated since, and its isolated world with it.
      if (pinned === undefined) return { ok: false, reason: 'field-changed' };
      const field = pinned.element === null ? null : (pinned.element.deref() ?? 'gone');
      const stillThere = field === null || (field !== 'gone' && field.isConnected);
      const frameKeptFocus = !pinned.frameHadFocus || document.hasFocus();
      if (!stillThere || field !== focused || !frameKeptFocus) return { ok: false, reason: 'field-changed' };
      keepPin = () => fields?.set(pin.id, pinned);
    }
    if (!focused || focused === document.body || focused === document.documentElement) {
      // A body in design mode or made contenteditable (rich-text editors in a frame) is a field.
      if (!(focused instanceof HTMLElement && focused.isContentEditable)) return { ok: false, reason: 'no-field' };
    }
    // Only into a field the user can see: the check the extension injects just before, into this
    // world (field-visibility.ts); absent only where this runs outside the extension (a test page).
    // Monaco (and VS Code for the web) types through a stand-in placed at the caret inside the
    // editor, a 1×1 px textarea or a 0 px wide EditContext element (docs/browser-facts.md): what
    // the user sees there is the editor, which is what must pass.
    // Only Monaco's stand-ins are looked at through their editor: any other field inside a
    // `.monaco-editor` (a page's own) must pass by itself.
    const checks = globalThis as unknown as Record<string, FieldVisibilityCheck | undefined>;
    const monacoStandIn =
      Boolean((focused as Element & { editContext?: unknown }).editContext) ||
      (focused instanceof HTMLTextAreaElement && focused.classList.contains('inputarea'));
    const seen = (monacoStandIn && focused.closest('.monaco-editor')) || focused;
    const unseen = checks.ragflowKeysFieldVisibility?.(seen);
    if (unseen) return { ok: false, reason: unseen };
    // An EditContext editor (Monaco's default input in Chromium, VS Code for the web) is no
    // input and not contentEditable: execCommand returns false there (docs/browser-facts.md).
    if ((focused as Element & { editContext?: unknown }).editContext) {
      keepPin();
      return { ok: false, handOver: 'edit-context' };
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
      if (
        selection &&
        (selection.rangeCount === 0 || !host.contains(selection.getRangeAt(0).commonAncestorContainer))
      ) {
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
        return countOf(host.textContent ?? '') > occurrencesBefore
          ? { ok: true }
          : { ok: false, reason: 'unconfirmed' };
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
      host.dispatchEvent(
        new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: text }),
      );
      await settled();
      return countOf(host.textContent ?? '') > occurrencesBefore ? { ok: true } : { ok: false, reason: 'unconfirmed' };
    }

    // A focused element that takes no text: a button, a link, a closed shadow root's host.
    return { ok: false, reason: 'not-editable' };
  };

  const turn = (world[INSERTIONS_SLOT] ?? Promise.resolve()).then(insertNow, insertNow);
  if (world[INSERTIONS_SLOT] === undefined) {
    // Not enumerable: out of the way of anything else that runs in this world.
    Object.defineProperty(globalThis, INSERTIONS_SLOT, { value: turn, writable: true });
  } else {
    world[INSERTIONS_SLOT] = turn;
  }
  return turn;
}
