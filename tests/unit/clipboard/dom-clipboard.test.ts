import { describe, expect, it } from 'vitest';

import { domClipboard } from '@/lib/clipboard/dom-clipboard';

/**
 * The part of a document that `execCommand('copy')` uses, as Chromium runs it: when the copy is
 * allowed it fires `copy` at the listeners and answers true; when it is not, it fires nothing
 * and answers false. `firesEvent: false` is a command that answers true and fires nothing.
 */
function documentWhereCopy(allowed: boolean, firesEvent = allowed) {
  const listeners = new Set<(event: ClipboardEvent) => void>();
  const clipboard = { text: 'what was there' };
  const document = {
    addEventListener: (_type: string, listener: (event: ClipboardEvent) => void) => listeners.add(listener),
    removeEventListener: (_type: string, listener: (event: ClipboardEvent) => void) => listeners.delete(listener),
    execCommand(command: string): boolean {
      if (command !== 'copy' || !allowed) return false;
      if (firesEvent) {
        const clipboardData = { setData: (_format: string, text: string) => Object.assign(clipboard, { text }) };
        for (const listener of listeners) listener({ clipboardData, preventDefault() {} } as unknown as ClipboardEvent);
      }
      return true;
    },
  };
  return { document: document as unknown as Document, clipboard, listeners };
}

describe('writing the clipboard in the offscreen document', () => {
  it('says it wrote the text when the copy ran', () => {
    const { document, clipboard, listeners } = documentWhereCopy(true);
    expect(domClipboard(document).write('ragflow-key')).toBe(true);
    expect(clipboard.text).toBe('ragflow-key');
    expect(listeners.size).toBe(0);
  });

  it('says it did not when the browser refused the copy, so that nobody is told "copied"', () => {
    const { document, clipboard, listeners } = documentWhereCopy(false);
    expect(domClipboard(document).write('ragflow-key')).toBe(false);
    expect(clipboard.text).toBe('what was there');
    expect(listeners.size).toBe(0);
  });

  it('says it did not when the command ran but no copy event set the text', () => {
    const { document, clipboard } = documentWhereCopy(true, false);
    expect(domClipboard(document).write('ragflow-key')).toBe(false);
    expect(clipboard.text).toBe('what was there');
  });
});
