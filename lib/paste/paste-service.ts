/**
 * "Paste RAGFlow key": from a context-menu item (which names the server and the frame) or the
 * keyboard shortcut (which names neither). The browser calls are injected, so the decisions are
 * tested without a browser; entrypoints/background.ts wires in the real ones.
 */
import type { ServerKey } from '../keys/cached-key';
import type { AccountRef } from '../messaging/protocol';
import type { Settings } from '../settings/settings';
import { type FrameFocus, focusedFrame } from './focus-probe';
import type { EditContextResult } from './edit-context';
import type { FieldPin, InsertResult } from './insert-into-field';
import { keyOfMenuItem, serverOfMenuItem } from './menu';
import { type NoticeBoard, noticeMessage, type PasteNoticeKind } from './notice';
import { knownServers, serverForShortcut } from './servers';
import type { ServerUrl } from '../ragflow/server-url';

export interface PasteState {
  settings: Settings;
  /** The servers with a fresh account in the key cache (the key service's answer). */
  cachedServerUrls: ServerUrl[];
  /** The server the popup was last used with. */
  lastUsedServerUrl?: ServerUrl;
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
  /**
   * Which key and session the cache holds for a server: the key service's answer, under its one
   * freshness rule (paste reads no cache of its own).
   */
  keyForServer(serverUrl: ServerUrl): Promise<ServerKey>;
  /**
   * Runs `insertIntoField(key, pin)` in that one frame; throws {@link NoAccessError} when refused.
   * With a pin, the frame inserts only into the field pinned there by {@link PasteDeps.pinField}.
   */
  insertInFrame(tabId: number, frameId: number, key: string, pin?: FieldPin): Promise<InsertResult>;
  /**
   * Runs `insertIntoEditContext(key, pin)` (edit-context.ts) in that one frame, after
   * `insertIntoField` handed the field over; throws {@link NoAccessError} when refused.
   */
  insertInEditContext(tabId: number, frameId: number, key: string, pin?: FieldPin): Promise<EditContextResult>;
  /**
   * Puts the key on the clipboard and plans its clearing as for a copy from the popup; throws
   * where the background has no clipboard.
   */
  copyToClipboard(key: string): Promise<void>;
  /**
   * Runs `pinFocusedField()` in that one frame: remembers its focused field, carrying no key.
   * Throws {@link NoAccessError} when refused.
   */
  pinField(tabId: number, frameId: number): Promise<FieldPin>;
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
  preparePopup(server: { url: ServerUrl; email?: string }): Promise<void>;
  /**
   * Remembers a paste that found no key, for the key the popup gets next (pending-paste.ts).
   * Optional: without it, such a paste ends at the notice.
   */
  rememberPending?(pending: { tabId: number; frameId: number; pin: FieldPin; serverUrl: ServerUrl }): Promise<void>;
  /**
   * After a key went into a field: notes, on this machine, the origin of that frame and the time,
   * when the user keeps such records (lib/keys/key-notes.ts). Optional; its failure is no paste's.
   */
  recordPaste?(paste: { tabId: number; frameId: number; serverUrl: ServerUrl; key: string }): Promise<void>;
  /**
   * The cached key of the server with this fingerprint, for a key's own menu item; undefined when
   * none is (revoked since). Optional: without it, every item pastes the server's current key.
   */
  keyByFingerprint?(serverUrl: ServerUrl, fingerprint: string): Promise<string | undefined>;
}

export type PasteOutcome =
  | { pasted: true; serverUrl: ServerUrl }
  | { pasted: false; notice: PasteNoticeKind; popupOpened?: boolean };

export interface PasteService {
  /** A context-menu click; `undefined` when the item is not ours. */
  pasteFromMenu(
    click: { menuItemId: string | number; frameId?: number },
    tabId: number | undefined,
  ): Promise<PasteOutcome | undefined>;
  pasteFromShortcut(tabId: number | undefined): Promise<PasteOutcome | undefined>;
  /**
   * Finishes a paste that had to ask, now that the key of `serverUrl` arrived: into the field
   * pinned then, under the same checks as any paste (pending-paste.ts).
   */
  finishPending(pending: {
    tabId: number;
    frameId: number;
    pin: FieldPin;
    serverUrl: ServerUrl;
  }): Promise<PasteOutcome>;
}

/** Where a paste goes: a frame, or why the extension may not paste there. */
type PasteTarget = { frameId: number } | { refused: Exclude<PasteNoticeKind, 'no-key'> };

export function createPasteService(deps: PasteDeps): PasteService {
  /** Hands the key to that one frame, only now, on the user's click or keypress. */
  async function insert(
    tabId: number,
    frameId: number,
    serverUrl: ServerUrl,
    key: string,
    pin?: FieldPin,
  ): Promise<PasteOutcome> {
    let result: InsertResult | EditContextResult;
    try {
      result = await deps.insertInFrame(tabId, frameId, key, pin);
      if (!result.ok && 'handOver' in result) result = await deps.insertInEditContext(tabId, frameId, key, pin);
    } catch (error) {
      if (!(error instanceof NoAccessError)) throw error;
      return notify(tabId, refusedFrame(frameId));
    }
    if (!result.ok && result.reason === 'editor-refused') {
      // No way into this editor: the key waits on the clipboard for Ctrl+V, and is cleared from
      // it after the time the user chose, like a key copied from the popup.
      try {
        await deps.copyToClipboard(key);
      } catch {
        return notify(tabId, 'not-editable');
      }
      return notify(tabId, 'editor-refused');
    }
    if (!result.ok) return notify(tabId, result.reason);
    await deps.notices.clear(tabId);
    await deps.recordPaste?.({ tabId, frameId, serverUrl, key }).catch(() => {
      // The key is in the field: a record that could not be written costs the user nothing more.
    });
    return { pasted: true, serverUrl };
  }

  /**
   * Pastes the key of a server into the frame `findTarget` names. The cached key goes there at
   * once. Else, while an account of the server is signed in, the key its session gets (a list, or
   * a create when it has none): signed in without a cached key is a state the user does not see
   * (the popup was closed before the key came, or the worker stopped in between), so a paste then
   * works as the popup would. Never a login.
   *
   * Getting the key takes a round trip or two, during which the user may click or tab into
   * another field. So the field focused at the user's action is pinned in its frame first, and
   * the key goes only to that field, only if it still has the focus when the key comes.
   */
  async function pasteKey(
    tabId: number,
    serverUrl: ServerUrl,
    state: PasteState,
    findTarget: () => Promise<PasteTarget>,
    chosenKey?: string,
  ): Promise<PasteOutcome> {
    const cached = await deps.keyForServer(serverUrl);
    const cachedKey = chosenKey ?? cached.key;
    if (cachedKey !== undefined) {
      const target = await findTarget();
      if ('refused' in target) return notify(tabId, target.refused);
      return insert(tabId, target.frameId, serverUrl, cachedKey);
    }
    if (cached.signedInEmail === undefined) {
      // The field is pinned now, at the user's action: the key may come after a sign-in.
      const target = await findTarget();
      return noKey(tabId, serverUrl, state, 'refused' in target ? undefined : await pinIn(tabId, target.frameId));
    }

    const account = { serverUrl, email: cached.signedInEmail };
    const target = await findTarget();
    // Where the extension may not paste the key is fetched all the same: the popup that opens to
    // say so offers it to copy by hand.
    const pin = 'refused' in target ? target : await pinIn(tabId, target.frameId);
    const key = await keyWithSession(account);
    if (key === undefined) return noKey(tabId, serverUrl, state, pin);
    if ('refused' in pin) return notify(tabId, pin.refused);
    return insert(tabId, pin.frameId, serverUrl, key, pin.pinned);
  }

  async function pinIn(
    tabId: number,
    frameId: number,
  ): Promise<{ frameId: number; pinned: FieldPin } | { refused: Exclude<PasteNoticeKind, 'no-key'> }> {
    try {
      return { frameId, pinned: await deps.pinField(tabId, frameId) };
    } catch (error) {
      if (!(error instanceof NoAccessError)) throw error;
      return { refused: refusedFrame(frameId) };
    }
  }

  async function keyWithSession(account: AccountRef): Promise<string | undefined> {
    try {
      return (await deps.keyWithSession(account)) || undefined;
    } catch {
      // The session ended or the server is unreachable: nothing to paste, as without a session.
      // The popup that opens next is where the user signs in and sees the server's error.
      return undefined;
    }
  }

  /**
   * Nothing to paste: say so, and open the popup on that server to sign in. With the field
   * pinned, the paste waits for the key the popup gets (pending-paste.ts).
   */
  async function noKey(
    tabId: number,
    serverUrl: ServerUrl | undefined,
    state: PasteState,
    pinned?: Awaited<ReturnType<typeof pinIn>>,
  ): Promise<PasteOutcome> {
    if (serverUrl === undefined) return notify(tabId, 'sign-in-first');
    if (pinned && !('refused' in pinned) && deps.rememberPending) {
      await deps.rememberPending({ tabId, frameId: pinned.frameId, pin: pinned.pinned, serverUrl });
    }
    const server = knownServers(state.settings, state.cachedServerUrls).find(
      (candidate) => candidate.url === serverUrl,
    );
    await deps.notices.show(tabId, noticeMessage('no-key', server?.name ?? serverUrl));
    const email = state.settings.servers.find((candidate) => candidate.url === serverUrl)?.email;
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
    async finishPending({ tabId, frameId, pin, serverUrl }) {
      const [state, { key }] = await Promise.all([deps.readState(), deps.keyForServer(serverUrl)]);
      // Gone again since it arrived (signed out at once, say): nothing to paste, as before.
      if (key === undefined) return noKey(tabId, serverUrl, state);
      return insert(tabId, frameId, serverUrl, key, pin);
    },

    async pasteFromMenu(click, tabId) {
      const serverUrl = serverOfMenuItem(click.menuItemId);
      if (serverUrl === undefined || tabId === undefined) return undefined;
      const state = await deps.readState();
      if (serverUrl === null) return noKey(tabId, undefined, state);
      // A key's own item (a server with several keys, some named) pastes that key.
      const fingerprint = keyOfMenuItem(click.menuItemId);
      const chosenKey = fingerprint === undefined ? undefined : await deps.keyByFingerprint?.(serverUrl, fingerprint);
      // The click names its frame.
      return pasteKey(tabId, serverUrl, state, async () => ({ frameId: click.frameId ?? 0 }), chosenKey);
    },

    async pasteFromShortcut(tabId) {
      if (tabId === undefined) return undefined;
      const state = await deps.readState();
      const known = knownServers(state.settings, state.cachedServerUrls);
      const serverUrl = serverForShortcut(known, state.settings, state.lastUsedServerUrl);
      if (serverUrl === undefined && known.length > 1) return notify(tabId, 'choose-server');
      if (serverUrl === undefined) return noKey(tabId, undefined, state);
      return pasteKey(tabId, serverUrl, state, async () => {
        let frames: FrameFocus[];
        try {
          // Carries no key: it only asks each frame whether it holds the focus.
          frames = await deps.probeFocus(tabId);
        } catch (error) {
          if (!(error instanceof NoAccessError)) throw error;
          return { refused: 'page-not-allowed' };
        }
        const target = focusedFrame(frames);
        if ('noFocus' in target) return { refused: 'no-focus' };
        return 'blocked' in target ? { refused: 'frame-not-allowed' } : target;
      });
    },
  };
}

/** The top frame is the page itself; any other, a frame of another site. */
function refusedFrame(frameId: number): 'page-not-allowed' | 'frame-not-allowed' {
  return frameId === 0 ? 'page-not-allowed' : 'frame-not-allowed';
}
