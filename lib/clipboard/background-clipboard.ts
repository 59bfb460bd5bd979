/**
 * The clipboard as the background reaches it, in each browser. Chrome's background is a service
 * worker, with no clipboard: an offscreen document does the job (offscreen-clearer.ts). Firefox's
 * MV3 background is an event page, a document: with the clipboardRead and clipboardWrite
 * permissions its `navigator.clipboard` reads and writes without a user gesture or the focus
 * (checked in Firefox ESR 153, docs/browser-facts.md).
 */
import { type ClipboardAccess, clearIfUnchanged } from './clear-if-unchanged';
import { clearClipboardOffscreen, offscreenAvailable, writeClipboardOffscreen } from './offscreen-clearer';

export interface BackgroundClipboard {
  /** False where the background cannot reach the clipboard at all. */
  supported: boolean;
  clearIfUnchanged(fingerprint: string): Promise<boolean>;
  write(text: string): Promise<void>;
}

/** The async clipboard of a document, for a background page that is one. */
export function navigatorClipboard(clipboard: Clipboard): ClipboardAccess & { write(text: string): Promise<void> } {
  return {
    readText: () => clipboard.readText(),
    // An empty string leaves the clipboard empty: nothing for a later paste.
    clear: () => clipboard.writeText(''),
    write: (text) => clipboard.writeText(text),
  };
}

export function backgroundClipboard(): BackgroundClipboard {
  if (offscreenAvailable()) {
    return { supported: true, clearIfUnchanged: clearClipboardOffscreen, write: writeClipboardOffscreen };
  }
  const documentClipboard =
    typeof document !== 'undefined' && typeof navigator.clipboard?.readText === 'function'
      ? navigatorClipboard(navigator.clipboard)
      : undefined;
  if (!documentClipboard) {
    const unsupported = () => Promise.reject(new Error('No clipboard in this background'));
    return { supported: false, clearIfUnchanged: unsupported, write: unsupported };
  }
  return {
    supported: true,
    clearIfUnchanged: (fingerprint) => clearIfUnchanged(fingerprint, documentClipboard),
    write: documentClipboard.write,
  };
}
