import { describe, expect, it } from 'vitest';

import { navigatorClipboard } from '@/lib/clipboard/background-clipboard';
import { clearIfUnchanged } from '@/lib/clipboard/clear-if-unchanged';
import { clipboardFingerprint } from '@/lib/clipboard/fingerprint';

/** The async clipboard of a page, as Firefox's background page has it. */
function fakeClipboard(initial = '') {
  const state = { text: initial };
  const clipboard = {
    readText: async () => state.text,
    writeText: async (text: string) => {
      state.text = text;
    },
  } as unknown as Clipboard;
  return { state, clipboard };
}

describe("the clipboard of Firefox's background page", () => {
  it('writes the key there, for Ctrl+V', async () => {
    const { state, clipboard } = fakeClipboard('before');
    await navigatorClipboard(clipboard).write('ragflow-key');
    expect(state.text).toBe('ragflow-key');
  });

  it('clears the key when the clipboard still holds it, and nothing the user copied since', async () => {
    const held = fakeClipboard('ragflow-key');
    expect(await clearIfUnchanged(await clipboardFingerprint('ragflow-key'), navigatorClipboard(held.clipboard))).toBe(
      true,
    );
    expect(held.state.text).toBe('');

    const replaced = fakeClipboard('my own notes');
    expect(
      await clearIfUnchanged(await clipboardFingerprint('ragflow-key'), navigatorClipboard(replaced.clipboard)),
    ).toBe(false);
    expect(replaced.state.text).toBe('my own notes');
  });
});
