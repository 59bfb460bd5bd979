/**
 * Whether the user can see the field a key is about to go into. A page can focus a field the user
 * cannot see (a 1×1 transparent input, focused on load) and wait for the paste shortcut; the
 * document also keeps its focused element while the user is in the address bar. So a key goes
 * only into a field of a document that has the focus, rendered, not transparent or hidden, at
 * least 8×8 px and on screen, in a frame that is itself that large.
 *
 * Like insert-into-field.ts, this runs in the page through `scripting.executeScript`, so it stays
 * self-contained. It is injected just before the insertion, into the same frame: it leaves the
 * check on the global object of the extension's isolated world there (see PINNED_FIELDS_SLOT in
 * insert-into-field.ts), where the insertion calls it on the field it is about to fill. The page
 * runs in a world of its own and can neither see nor replace it.
 */

/** Why a field counts as out of the user's sight. */
export type VisibilityFailure =
  /** The document does not have the focus: the user is in the address bar, another window… */
  | 'no-focus'
  /** Hidden, transparent, smaller than 8×8 px, or off screen. */
  | 'hidden-field';

/** The check the insertion calls; `null` when the user can see the field. */
export type FieldVisibilityCheck = (field: Element) => VisibilityFailure | null;

/**
 * The property of the isolated world that holds the check. insertIntoField names it again
 * literally, as an injected function cannot import (a unit test keeps the two equal).
 */
export const FIELD_VISIBILITY_SLOT = 'ragflowKeysFieldVisibility';

/** Installs the check in this frame's isolated world, once. */
export function installFieldVisibilityCheck(slot: string): boolean {
  const world = globalThis as unknown as Record<string, unknown>;
  if (typeof world[slot] === 'function') return true;

  /** Smaller than this, a field cannot be seen to have the focus. */
  const minSize = 8;
  /** Opacity, multiplied down the tree, under which a field cannot be seen. */
  const minOpacity = 0.1;

  const shown = (element: Element): boolean => {
    // display: none (on it or an ancestor), content-visibility, visibility and opacity 0 alike.
    const options = { opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true };
    if (typeof element.checkVisibility === 'function' && !element.checkVisibility(options)) return false;
    if (getComputedStyle(element).visibility !== 'visible') return false;
    let opacity = 1;
    for (let node: Element | null = element; node; ) {
      opacity *= Number(getComputedStyle(node).opacity);
      const root = node.getRootNode();
      node = node.parentElement ?? (root instanceof ShadowRoot ? root.host : null);
    }
    if (opacity < minOpacity) return false;
    const rect = element.getBoundingClientRect();
    return rect.width >= minSize && rect.height >= minSize;
  };

  const check: FieldVisibilityCheck = (field) => {
    if (!document.hasFocus()) return 'no-focus';
    if (!shown(field)) return 'hidden-field';
    const rect = field.getBoundingClientRect();
    const onScreen = rect.right > 0 && rect.bottom > 0 && rect.left < innerWidth && rect.top < innerHeight;
    if (!onScreen) return 'hidden-field';
    // A frame too small to see hides whatever it holds; a frame element of the same origin can
    // be checked from here too (another origin's is out of reach, its size still counts).
    if (innerWidth < minSize || innerHeight < minSize) return 'hidden-field';
    try {
      for (let frame = window.frameElement; frame; frame = frame.ownerDocument.defaultView?.frameElement ?? null) {
        if (!shown(frame)) return 'hidden-field';
      }
    } catch {
      // A parent of another origin: its frame element cannot be read.
    }
    return null;
  };

  // Not enumerable, not writable: out of the way of anything else that runs in this world.
  Object.defineProperty(globalThis, slot, { value: check });
  return true;
}
