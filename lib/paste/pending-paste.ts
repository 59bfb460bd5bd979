/**
 * A paste that had to ask: it found no key, pinned the field the user chose, and opened the popup
 * to sign in. When a key arrives through the popup (its password sign-in or the web app's
 * session), the popup is told to close, and once it has closed the key goes into that pinned
 * field, with the checks of any paste. Not before: while the popup is open the page has no focus,
 * and gets it back, on the same element, when the popup closes (docs/browser-facts.md). Once at most; and not at all
 * once the popup has closed without a key.
 *
 * The record lives in `storage.session`, like the notices: it names the tab, frame and pin, never
 * a key. The popup's connection (a runtime port, see popup-link.ts) tells the background when the
 * popup closes.
 */
import { browser, type Browser } from 'wxt/browser';

import type { FieldPin } from './insert-into-field';
import type { ServerUrl } from '../ragflow/server-url';

export const PENDING_PASTE_KEY = 'paste.pending';

/** A sign-in long after the paste is not an answer to it: the user has moved on. */
export const PENDING_PASTE_MAX_AGE_MS = 10 * 60_000;

export interface PendingPaste {
  tabId: number;
  frameId: number;
  pin: FieldPin;
  /** The server chosen at the paste; none when no server was known (any signed-in one answers). */
  serverUrl?: ServerUrl;
  /** Milliseconds since the epoch. */
  at: number;
  /** The server whose key arrived, once one did; the paste waits for the popup to close. */
  arrivedFor?: ServerUrl;
}

export const pendingPasteItem = {
  async getValue(): Promise<PendingPaste | null> {
    const items = await browser.storage.session.get(PENDING_PASTE_KEY);
    return (items[PENDING_PASTE_KEY] as PendingPaste | undefined) ?? null;
  },
  setValue: (pending: PendingPaste) => browser.storage.session.set({ [PENDING_PASTE_KEY]: pending }),
  removeValue: () => browser.storage.session.remove(PENDING_PASTE_KEY),
};

export interface PendingPastes {
  /** A paste found no key and asks the popup for one: replaces any earlier pending paste. */
  remember(pending: Omit<PendingPaste, 'at' | 'arrivedFor'>): Promise<void>;
  /**
   * A key of `serverUrl` arrived through the popup. True when a pending paste waits for it: the
   * popup should then close, so that the page gets the focus back.
   */
  keyArrived(serverUrl: ServerUrl): Promise<boolean>;
  /**
   * Every popup has closed. The pending paste, if a key arrived for it, is handed to `finish`;
   * forgotten either way.
   */
  popupClosed(): Promise<void>;
}

export function createPendingPastes(deps: {
  /** Pastes the arrived key into the pinned field, under the checks of any paste. */
  finish(pending: PendingPaste & { arrivedFor: string }): Promise<void>;
  now?: () => number;
}): PendingPastes {
  const now = deps.now ?? Date.now;

  async function current(): Promise<PendingPaste | null> {
    const pending = await pendingPasteItem.getValue();
    if (pending && now() - pending.at > PENDING_PASTE_MAX_AGE_MS) {
      await pendingPasteItem.removeValue();
      return null;
    }
    return pending;
  }

  return {
    async remember(pending) {
      await pendingPasteItem.setValue({ ...pending, at: now() });
    },

    async keyArrived(serverUrl) {
      const pending = await current();
      if (!pending || pending.arrivedFor !== undefined) return false;
      if (pending.serverUrl !== undefined && pending.serverUrl !== serverUrl) return false;
      await pendingPasteItem.setValue({ ...pending, arrivedFor: serverUrl });
      return true;
    },

    async popupClosed() {
      const pending = await current();
      if (!pending) return;
      // Removed before the paste: a second close (two popups) or a second key finds nothing.
      await pendingPasteItem.removeValue();
      if (pending.arrivedFor !== undefined) await deps.finish({ ...pending, arrivedFor: pending.arrivedFor });
    },
  };
}

/** A handler of the bus whose answer names a key's server. */
type KeyHandler = (request: never, sender: Browser.runtime.MessageSender) => Promise<{ serverUrl: ServerUrl } | null>;

/** The messages through which the popup gets a key: its password, the web app's session, an API key. */
const POPUP_SIGN_INS = ['keys.get', 'keys.fromWebSession', 'keys.fromApiKey'] as const;
type PopupSignIn = (typeof POPUP_SIGN_INS)[number];

/**
 * The background's handlers, with the popup's sign-ins also telling what follows a key in the
 * popup, after the answer is ready and before it is sent (the popup has the key either way):
 * - `keyArrived`: a paste that opened the popup to sign in finishes with that key;
 * - `keyShown`: a paste's "!" on the toolbar button, which said there was no key, is out of date.
 *   Not the cached key the popup opens on: the popup reads the paste's notice after it, to say
 *   why that paste did nothing.
 */
export function withPopupSignIns<H extends Record<PopupSignIn, KeyHandler>>(
  handlers: H,
  follow: { keyArrived: (serverUrl: ServerUrl) => Promise<void>; keyShown: () => Promise<void> },
): H {
  const telling = <F extends KeyHandler>(handler: F): F =>
    (async (request: never, sender: Browser.runtime.MessageSender) => {
      const result = await handler(request, sender);
      const fromPopupPage = sender.url !== undefined && new URL(sender.url).pathname === '/popup.html';
      if (!result || !fromPopupPage) return result;
      // Only the toolbar popup (it has no tab) is the popup a paste opened; popup.html opened in a
      // tab is not, though its key makes the notice out of date too.
      if (!sender.tab) {
        await follow.keyArrived(result.serverUrl).catch((error) => console.error('Paste after sign-in failed', error));
      }
      await follow.keyShown().catch((error) => console.error('Could not clear the notice', error));
      return result;
    }) as F;
  const wrapped = { ...handlers };
  for (const name of POPUP_SIGN_INS) wrapped[name] = telling(handlers[name]);
  return wrapped;
}
