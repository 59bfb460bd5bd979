/**
 * Finding the frame that holds the focus, for the keyboard shortcut (a context-menu click names
 * its frame; a command does not). The probe runs in every frame the extension may script and
 * carries no key: the key goes afterwards to the one frame chosen here.
 */

/** What one frame says about the focus. */
export interface FocusReport {
  /** The focus is in this frame or in a frame inside it. */
  hasFocus: boolean;
  /** The focused element of this frame is a frame element: the focus is further down. */
  focusInChildFrame: boolean;
}

/**
 * Runs in the page through `scripting.executeScript`, so it must stay self-contained (see
 * insert-into-field.ts).
 */
export function reportFocus(): FocusReport {
  let focused: Element | null = document.activeElement;
  while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
  return {
    hasFocus: document.hasFocus(),
    focusInChildFrame: focused instanceof HTMLIFrameElement || focused?.tagName === 'FRAME',
  };
}

export interface FrameFocus {
  frameId: number;
  report: FocusReport;
}

/**
 * The frame to paste into: the innermost focused one. `blocked` when the focus sits in a frame
 * that could not be probed (another site's frame, without host permission for it): pasting into
 * its parent instead would put the key somewhere the user did not choose. `noFocus` when no frame
 * has the focus.
 */
export function focusedFrame(frames: FrameFocus[]): { frameId: number } | { blocked: true } | { noFocus: true } {
  const focused = frames.filter((frame) => frame.report.hasFocus);
  const innermost = focused.find((frame) => !frame.report.focusInChildFrame);
  if (innermost) return { frameId: innermost.frameId };
  if (focused.length > 0) return { blocked: true };
  // No frame has the focus (it is in the address bar, say): the user is not looking at a field,
  // though the page still has a focused element, which may be one it focused itself on load.
  return { noFocus: true };
}
