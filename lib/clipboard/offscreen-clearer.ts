/**
 * Chrome's side of clearing the clipboard from the background: a service worker has no
 * clipboard, so it opens an offscreen document for the one job and closes it after. Firefox has
 * no offscreen documents (`browser.offscreen` is undefined there).
 */
import { browser } from 'wxt/browser';

import {
  type ClearClipboardAnswer,
  clearClipboardRequest,
  OFFSCREEN_PAGE,
  writeClipboardRequest,
} from './offscreen-channel';

export function offscreenAvailable(): boolean {
  return typeof browser.offscreen?.createDocument === 'function';
}

/** Asks an offscreen document to clear the clipboard if it still holds this key. */
export async function clearClipboardOffscreen(fingerprint: string): Promise<boolean> {
  await openOffscreenDocument();
  try {
    const answer = (await browser.runtime.sendMessage(clearClipboardRequest(fingerprint))) as
      | ClearClipboardAnswer
      | undefined;
    return answer?.cleared === true;
  } finally {
    await browser.offscreen.closeDocument().catch(() => {
      // Already closed: nothing left to tidy.
    });
  }
}

/** Puts `text` on the clipboard through an offscreen document; rejects when it was not written. */
export async function writeClipboardOffscreen(text: string): Promise<void> {
  await openOffscreenDocument();
  try {
    const answer = (await browser.runtime.sendMessage(writeClipboardRequest(text))) as
      | { written?: boolean }
      | undefined;
    if (answer?.written !== true) throw new Error('The clipboard was not written');
  } finally {
    await browser.offscreen.closeDocument().catch(() => {
      // Already closed: nothing left to tidy.
    });
  }
}

async function openOffscreenDocument(): Promise<void> {
  // At most one offscreen document per extension: one left open by a stopped worker is reused.
  const open = await browser.runtime.getContexts({ contextTypes: [browser.runtime.ContextType.OFFSCREEN_DOCUMENT] });
  if (open.length > 0) return;
  await browser.offscreen.createDocument({
    url: OFFSCREEN_PAGE,
    reasons: [browser.offscreen.Reason.CLIPBOARD],
    justification:
      'Clear a copied RAGFlow API key from the clipboard after the time the user chose, if it is still there; put the key there for an editor that takes no pasted text from extensions.',
  });
}
