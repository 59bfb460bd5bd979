import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { CLIPBOARD_CLEAR_ALARM, createClipboardAutoClear } from '@/lib/clipboard/auto-clear';
import { clearIfUnchanged } from '@/lib/clipboard/clear-if-unchanged';
import { clipboardFingerprint, isClipboardFingerprint } from '@/lib/clipboard/fingerprint';

const KEY = 'ragflow-Rk8Yq3ZkN2xW0cV7bT5mP1sL9dF4gH6jA2eU8iO0';
const OTHER_KEY = 'ragflow-Zz9Yq3ZkN2xW0cV7bT5mP1sL9dF4gH6jA2eU8iO1';

let seconds: number;
let cleared: string[];

function autoClear(overrides: { supported?: boolean; mayReadClipboard?: () => Promise<boolean> } = {}) {
  return createClipboardAutoClear({
    clearAfterSeconds: async () => seconds,
    supported: overrides.supported ?? true,
    mayReadClipboard: overrides.mayReadClipboard ?? (async () => true),
    clearIfUnchanged: async (fingerprint) => {
      cleared.push(fingerprint);
      return true;
    },
  });
}

/** Every storage.session item, to check what the background keeps. */
const session = () => fakeBrowser.storage.session.get(null);

beforeEach(() => {
  fakeBrowser.reset();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  seconds = 10;
  cleared = [];
});

afterEach(() => vi.useRealTimers());

describe('clipboard auto-clear in the background', () => {
  it('clears after the chosen time, once, and forgets the plan', async () => {
    const fingerprint = await clipboardFingerprint(KEY);
    const plan = await autoClear().schedule(fingerprint);
    expect(plan).toEqual({ status: 'scheduled', seconds: 10 });
    expect((await fakeBrowser.alarms.get(CLIPBOARD_CLEAR_ALARM))?.scheduledTime).toBe(Date.now() + 10_000);

    await vi.advanceTimersByTimeAsync(9_999);
    expect(cleared).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(cleared).toEqual([fingerprint]);
    expect(await session()).toEqual({});
    expect(await fakeBrowser.alarms.getAll()).toEqual([]);
  });

  it('keeps only the fingerprint, never the key', async () => {
    const fingerprint = await clipboardFingerprint(KEY);
    await autoClear().schedule(fingerprint);
    const kept = JSON.stringify(await session());
    expect(kept).toContain(fingerprint);
    expect(kept).not.toContain(KEY);
  });

  it('clears through the alarm after the service worker was stopped (its timers lost)', async () => {
    const fingerprint = await clipboardFingerprint(KEY);
    await autoClear().schedule(fingerprint);
    vi.clearAllTimers();
    vi.setSystemTime(Date.now() + 30_000);

    // A new worker: a new instance, the plan read back from storage.session.
    const restarted = autoClear();
    await restarted.onAlarm({ name: CLIPBOARD_CLEAR_ALARM });
    expect(cleared).toEqual([fingerprint]);
    await restarted.onAlarm({ name: CLIPBOARD_CLEAR_ALARM });
    expect(cleared).toHaveLength(1);
  });

  it('clears once when the timer and the alarm both fire', async () => {
    const clearer = autoClear();
    await clearer.schedule(await clipboardFingerprint(KEY));
    await vi.advanceTimersByTimeAsync(10_000);
    await clearer.onAlarm({ name: CLIPBOARD_CLEAR_ALARM });
    expect(cleared).toHaveLength(1);
  });

  it('lets a second copy replace the first: only the newest key is cleared, on its own time', async () => {
    const clearer = autoClear();
    const first = await clipboardFingerprint(KEY);
    const second = await clipboardFingerprint(OTHER_KEY);
    await clearer.schedule(first);
    await vi.advanceTimersByTimeAsync(5_000);
    await clearer.schedule(second);

    await vi.advanceTimersByTimeAsync(5_000);
    expect(cleared).toEqual([]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(cleared).toEqual([second]);
  });

  it('ignores an alarm that is not its own, or early', async () => {
    const clearer = autoClear();
    await clearer.schedule(await clipboardFingerprint(KEY));
    await clearer.onAlarm({ name: 'something-else' });
    await clearer.onAlarm({ name: CLIPBOARD_CLEAR_ALARM });
    expect(cleared).toEqual([]);
  });

  it('does nothing when the preference is off, and drops an earlier plan', async () => {
    const clearer = autoClear();
    await clearer.schedule(await clipboardFingerprint(KEY));
    seconds = 0;
    expect(await clearer.schedule(await clipboardFingerprint(OTHER_KEY))).toEqual({ status: 'off' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(cleared).toEqual([]);
    expect(await session()).toEqual({});
  });

  it('says so where the background cannot reach the clipboard', async () => {
    expect(await autoClear({ supported: false }).schedule(await clipboardFingerprint(KEY))).toEqual({
      status: 'unsupported',
    });
    expect(await fakeBrowser.alarms.getAll()).toEqual([]);
  });

  it('plans nothing without the permission to read the clipboard, and drops an earlier plan', async () => {
    let mayRead = true;
    const clearer = autoClear({ mayReadClipboard: async () => mayRead });
    await clearer.schedule(await clipboardFingerprint(KEY));
    mayRead = false;
    expect(await clearer.schedule(await clipboardFingerprint(OTHER_KEY))).toEqual({ status: 'not-allowed' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(cleared).toEqual([]);
    expect(await session()).toEqual({});
    expect(await fakeBrowser.alarms.getAll()).toEqual([]);
  });

  it('refuses anything but a fingerprint: the key itself is not taken', async () => {
    await expect(autoClear().schedule(KEY)).rejects.toThrow(TypeError);
    expect(await session()).toEqual({});
  });

  it('keeps going when a clear fails', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const clearer = createClipboardAutoClear({
      clearAfterSeconds: async () => 10,
      supported: true,
      clearIfUnchanged: async () => {
        throw new Error('offscreen document failed');
      },
    });
    await clearer.schedule(await clipboardFingerprint(KEY));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(warn).toHaveBeenCalledOnce();
    expect(await session()).toEqual({});
    warn.mockRestore();
  });
});

describe('clearIfUnchanged (the offscreen document)', () => {
  function clipboardHolding(text: string) {
    const clipboard = {
      text,
      readText: () => clipboard.text,
      clear: () => {
        clipboard.text = '';
      },
    };
    return clipboard;
  }

  it('clears the clipboard when it still holds the key', async () => {
    const clipboard = clipboardHolding(KEY);
    expect(await clearIfUnchanged(await clipboardFingerprint(KEY), clipboard)).toBe(true);
    expect(clipboard.text).toBe('');
  });

  it('leaves what the user copied since', async () => {
    const clipboard = clipboardHolding('my notes');
    expect(await clearIfUnchanged(await clipboardFingerprint(KEY), clipboard)).toBe(false);
    expect(clipboard.text).toBe('my notes');
  });

  it('does nothing to an empty clipboard', async () => {
    const clipboard = clipboardHolding('');
    const clear = vi.spyOn(clipboard, 'clear');
    expect(await clearIfUnchanged(await clipboardFingerprint(''), clipboard)).toBe(false);
    expect(clear).not.toHaveBeenCalled();
  });
});

describe('clipboardFingerprint', () => {
  it('is the SHA-256 of the text, in hex', async () => {
    expect(await clipboardFingerprint('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(isClipboardFingerprint(await clipboardFingerprint(KEY))).toBe(true);
    expect(isClipboardFingerprint(KEY)).toBe(false);
  });
});
