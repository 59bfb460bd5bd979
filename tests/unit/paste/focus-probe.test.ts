import { describe, expect, it } from 'vitest';

import { type FrameFocus, focusedFrame } from '@/lib/paste/focus-probe';

const frame = (frameId: number, hasFocus: boolean, focusInChildFrame = false): FrameFocus => ({
  frameId,
  report: { hasFocus, focusInChildFrame },
});

describe('focusedFrame', () => {
  it('is the top frame when the focus is there', () => {
    expect(focusedFrame([frame(0, true), frame(5, false)])).toEqual({ frameId: 0 });
  });

  it('is the innermost focused frame', () => {
    expect(focusedFrame([frame(0, true, true), frame(5, true, true), frame(9, true), frame(12, false)])).toEqual({
      frameId: 9,
    });
  });

  it('is blocked when the focus is in a frame that could not be probed', () => {
    // The top frame's focused element is a frame, and no probed frame holds the focus itself.
    expect(focusedFrame([frame(0, true, true), frame(5, false)])).toEqual({ blocked: true });
  });

  it('is no frame when none has the focus: the page may still hold a focused field of its choosing', () => {
    expect(focusedFrame([frame(0, false), frame(5, false)])).toEqual({ noFocus: true });
    expect(focusedFrame([])).toEqual({ noFocus: true });
  });
});
