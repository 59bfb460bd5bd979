/**
 * Marks the benchmark reads from inside a page, so that its timings leave out Playwright's own
 * round trips: `performance.now()` at the click that starts an action, and at the frame in which
 * its result is on screen. Installed before the page's own scripts (an init script).
 */

/** Which click starts an action, and what on screen ends it. */
export interface MarkSpec {
  /** The text of the button whose click starts the action. */
  clickText?: string;
  /** A key (`ragflow-…`) in a field, or that many rows in the key list. */
  done: { kind: 'key' } | { kind: 'rows'; count: number };
}

export interface PageMarks {
  /** `performance.now()` at the click; undefined for an action that starts with the page. */
  click?: number;
  /** `performance.now()` in the frame that first shows the result. */
  done?: number;
}

/** The init script. It runs in the page: everything it needs is in its argument. */
export function installMarks(spec: MarkSpec): void {
  const marks: PageMarks = {};
  (globalThis as unknown as { __benchMarks: PageMarks }).__benchMarks = marks;
  if (spec.clickText !== undefined) {
    document.addEventListener(
      'click',
      (event) => {
        const button = (event.target as Element | null)?.closest?.('button');
        if (button?.textContent?.trim() === spec.clickText) marks.click = performance.now();
      },
      true,
    );
  }
  const shown = (): boolean => {
    if (spec.done.kind === 'key') {
      return [...document.querySelectorAll('input')].some((input) => input.value.startsWith('ragflow-'));
    }
    return document.querySelectorAll('ul.key-list > li').length >= spec.done.count;
  };
  // Looked at in every frame: the first frame callback that finds the result is the frame that
  // paints it (a frame callback runs just before its frame's paint).
  const look = (now: number) => {
    const started = spec.clickText === undefined || marks.click !== undefined;
    if (started && shown()) {
      marks.done = now;
      return;
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}
