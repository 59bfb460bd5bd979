/**
 * "Paste RAGFlow key": from a context-menu item (which names the server and the frame) or the
 * keyboard shortcut (which names neither). The browser calls are injected, so the decisions are
 * tested without a browser; entrypoints/background.ts wires in the real ones.
 */
import type { AccountEntry } from '../keys/account-cache';
import type { AccountRef } from '../messaging/protocol';
import type { Settings } from '../settings/settings';
import { type FrameFocus, focusedFrame } from './focus-probe';
import type { InsertResult } from './insert-into-field';
import { serverOfMenuItem } from './menu';
import { type NoticeBoard, noticeMessage, type PasteNoticeKind } from './notice';
import { currentKeyFor, knownServers, normalizedOrUndefined, serverForShortcut, signedInAccountFor } from './servers';

export interface PasteState {
  settings: Settings;
  /** Every account of the session cache. */
  accounts: AccountEntry[];
  /** The server the popup was last used with (as typed there). */
  lastUsedServerUrl?: string;
}

/** Thrown by the injected calls when the browser refuses to script the frame or page. */
export class NoAccessError extends Error {
  constructor(cause?: unknown) {
    super('no-access', { cause });
    this.name = 'NoAccessError';
  }
}

export interface PasteDeps {
  readState(): Promise<PasteState>;
  /** Runs `insertIntoField(key)` in that one frame; throws {@link NoAccessError} when refused. */
  insertInFrame(tabId: number, frameId: number, key: string): Promise<InsertResult>;
  /** Runs `reportFocus()` in every frame it may; throws {@link NoAccessError} when refused. */
  probeFocus(tabId: number): Promise<FrameFocus[]>;
  /**
   * The account's key through its cached session token, with no password: the key service's
   * getKey, whose single flight the popup and other pastes share. Rejects when the session is
   * gone (the server rejected it, say); never signs in.
   */
  keyWithSession(account: AccountRef): Promise<string>;
  notices: NoticeBoard;
  /** Opens the popup (to sign in); throws where the browser does not allow it. */
  openPopup(): Promise<void>;
  /** Points the popup's form at the server the user chose, before it opens. */
  preparePopup(server: { url: string; email?: string }): Promise<void>;
}

export type PasteOutcome =
  | { pasted: true; serverUrl: string }
  | { pasted: false; notice: PasteNoticeKind; popupOpened?: boolean };

export interface PasteService {
  /** A context-menu click; `undefined` when the item is not ours. */
  pasteFromMenu(
    click: { menuItemId: string | number; frameId?: number },
    tabId: number | undefined,
  ): Promise<PasteOutcome | undefined>;
  pasteFromShortcut(tabId: number | undefined): Promise<PasteOutcome | undefined>;
}

export function createPasteService(deps: PasteDeps): PasteService {
  /** Hands the key to that one frame, only now, on the user's click or keypress. */
  async function insert(tabId: number, frameId: number, serverUrl: string, key: string): Promise<PasteOutcome> {
    let result: InsertResult;
    try {
      result = await deps.insertInFrame(tabId, frameId, key);
    } catch (error) {
      if (!(error instanceof NoAccessError)) throw error;
      return notify(tabId, frameId === 0 ? 'page-not-allowed' : 'frame-not-allowed');
    }
    if (!result.ok) return notify(tabId, result.reason);
    await deps.notices.clear(tabId);
    return { pasted: true, serverUrl };
  }

  /**
   * The key to paste for a server: the cached one; else, while an account of the server is signed
   * in, the one its session gets (a list, or a create when it has none). Signed in but without a
   * cached key is a state the user does not see (the popup was closed before the key came, or the
   * worker stopped in between): a paste then works as the popup would. Never a login.
   */
  async function keyFor(state: PasteState, serverUrl: string): Promise<string | undefined> {
    const cached = currentKeyFor(state.accounts, serverUrl);
    if (cached !== undefined) return cached;
    const signedIn = signedInAccountFor(state.accounts, serverUrl);
    if (!signedIn) return undefined;
    try {
      return (await deps.keyWithSession({ serverUrl, email: signedIn.email })) || undefined;
    } catch {
      // The session ended or the server is unreachable: nothing to paste, as without a session.
      // The popup that opens next is where the user signs in and sees the server's error.
      return undefined;
    }
  }

  /** Nothing to paste: say so, and open the popup on that server to sign in. */
  async function noKey(tabId: number, serverUrl: string | undefined, state: PasteState): Promise<PasteOutcome> {
    if (serverUrl === undefined) return notify(tabId, 'sign-in-first');
    const server = knownServers(state.settings, state.accounts).find((candidate) => candidate.url === serverUrl);
    await deps.notices.show(tabId, noticeMessage('no-key', server?.name ?? serverUrl));
    const email = state.settings.servers.find((candidate) => normalizedOrUndefined(candidate.url) === serverUrl)?.email;
    await deps.preparePopup({ url: serverUrl, email }).catch(() => {
      // The popup opens on its last server instead; the notice still names the chosen one.
    });
    return { pasted: false, notice: 'no-key', popupOpened: await tryOpenPopup() };
  }

  async function notify(tabId: number, kind: Exclude<PasteNoticeKind, 'no-key'>): Promise<PasteOutcome> {
    await deps.notices.show(tabId, noticeMessage(kind));
    // The popup says why, and offers the key to copy by hand.
    return { pasted: false, notice: kind, popupOpened: await tryOpenPopup() };
  }

  async function tryOpenPopup(): Promise<boolean> {
    try {
      await deps.openPopup();
      return true;
    } catch {
      // Not supported (Chrome < 127) or not allowed here: the badge stays as the notice.
      return false;
    }
  }

  return {
    async pasteFromMenu(click, tabId) {
      const serverUrl = serverOfMenuItem(click.menuItemId);
      if (serverUrl === undefined || tabId === undefined) return undefined;
      const state = await deps.readState();
      const key = serverUrl === null ? undefined : await keyFor(state, serverUrl);
      if (serverUrl === null || key === undefined) return noKey(tabId, serverUrl ?? undefined, state);
      return insert(tabId, click.frameId ?? 0, serverUrl, key);
    },

    async pasteFromShortcut(tabId) {
      if (tabId === undefined) return undefined;
      const state = await deps.readState();
      const known = knownServers(state.settings, state.accounts);
      const serverUrl = serverForShortcut(known, state.settings, state.lastUsedServerUrl);
      if (serverUrl === undefined && known.length > 1) return notify(tabId, 'choose-server');
      const key = serverUrl === undefined ? undefined : await keyFor(state, serverUrl);
      if (serverUrl === undefined || key === undefined) return noKey(tabId, serverUrl, state);

      let frames: FrameFocus[];
      try {
        // Carries no key: it only asks each frame whether it holds the focus.
        frames = await deps.probeFocus(tabId);
      } catch (error) {
        if (!(error instanceof NoAccessError)) throw error;
        return notify(tabId, 'page-not-allowed');
      }
      const target = focusedFrame(frames);
      if ('blocked' in target) return notify(tabId, 'frame-not-allowed');
      return insert(tabId, target.frameId, serverUrl, key);
    },
  };
}
