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

  it('falls back to the top frame when no frame has the focus', () => {
    expect(focusedFrame([frame(0, false), frame(5, false)])).toEqual({ frameId: 0 });
    expect(focusedFrame([])).toEqual({ frameId: 0 });
  });
});
