/**
 * The one message between the background and its offscreen document. It is not part of the
 * bus protocol (lib/background/handlers.ts), whose requests go from pages to the background:
 * this one goes the other way, and only the background may send it.
 */
import { browser } from 'wxt/browser';

import { isOwnPage } from '../messaging/serve';
import { type ClipboardAccess, clearIfUnchanged } from './clear-if-unchanged';
import { isClipboardFingerprint } from './fingerprint';

const CLEAR_IF_UNCHANGED = 'offscreen.clearClipboardIfUnchanged';
const WRITE = 'offscreen.writeClipboard';

/** A paste that found no way into an editor leaves the key on the clipboard instead. */
export interface WriteClipboardRequest {
  type: typeof WRITE;
  text: string;
}

export function writeClipboardRequest(text: string): WriteClipboardRequest {
  return { type: WRITE, text };
}

function isWriteClipboardRequest(message: unknown): message is WriteClipboardRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as WriteClipboardRequest).type === WRITE &&
    typeof (message as WriteClipboardRequest).text === 'string'
  );
}

export interface ClearClipboardRequest {
  type: typeof CLEAR_IF_UNCHANGED;
  fingerprint: string;
}

export interface ClearClipboardAnswer {
  cleared: boolean;
}

/** The page of the offscreen document and the script of the background, in the built extension. */
export const OFFSCREEN_PAGE = '/offscreen.html';
const BACKGROUND_SCRIPT = '/background.js';

export function clearClipboardRequest(fingerprint: string): ClearClipboardRequest {
  return { type: CLEAR_IF_UNCHANGED, fingerprint };
}

function isClearClipboardRequest(message: unknown): message is ClearClipboardRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as ClearClipboardRequest).type === CLEAR_IF_UNCHANGED &&
    isClipboardFingerprint((message as ClearClipboardRequest).fingerprint)
  );
}

/** In the offscreen document: answers the background's request, and nobody else's. */
export function serveClipboardClearing(clipboard: ClipboardAccess & { write(text: string): boolean }): void {
  browser.runtime.onMessage.addListener((message, sender) => {
    if (!isOwnPage(sender, [BACKGROUND_SCRIPT])) return undefined;
    if (isWriteClipboardRequest(message)) {
      return Promise.resolve({ written: clipboard.write(message.text) });
    }
    if (!isClearClipboardRequest(message)) return undefined;
    return clearIfUnchanged(message.fingerprint, clipboard).then((cleared): ClearClipboardAnswer => ({ cleared }));
  });
}
