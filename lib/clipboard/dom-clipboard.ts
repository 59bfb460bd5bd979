import type { ClipboardAccess } from './clear-if-unchanged';

/**
 * The clipboard through `document.execCommand`, for the offscreen document. The async
 * `navigator.clipboard` needs a focused document, which an offscreen document never is; Chrome's
 * own offscreen clipboard sample uses execCommand for that reason
 * (https://developer.chrome.com/docs/extensions/reference/api/offscreen). Reading ("paste")
 * needs the clipboardRead permission, writing outside a user gesture ("copy") clipboardWrite.
 */
export function domClipboard(document: Document): ClipboardAccess & { write(text: string): boolean } {
  return {
    readText() {
      const area = document.createElement('textarea');
      document.body.append(area);
      try {
        area.focus();
        document.execCommand('paste');
        return area.value;
      } finally {
        area.remove();
      }
    },
    clear() {
      this.write('');
    },
    write(text) {
      // A copy with nothing selected still fires `copy`; its handler decides what is written
      // (Chromium 156, outside a gesture with clipboardWrite: docs/browser-facts.md). Written only
      // if the command ran and the handler set the data: execCommand answers false, and fires no
      // event, when the copy is not allowed, and the background must then not say "copied".
      let written = false;
      const writeText = (event: ClipboardEvent) => {
        if (!event.clipboardData) return;
        event.clipboardData.setData('text/plain', text);
        event.preventDefault();
        written = true;
      };
      document.addEventListener('copy', writeText);
      try {
        return document.execCommand('copy') && written;
      } finally {
        document.removeEventListener('copy', writeText);
      }
    },
  };
}
