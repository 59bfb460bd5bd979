/**
 * Telling the user why a paste did nothing. The paste happens in a page, where the extension has
 * no UI of its own, so a notice goes to the toolbar button of that tab (a badge, and the reason as
 * its tooltip) and to the popup, which shows it as its alert when opened on that tab.
 */
import { type NoticeMessage, pasteNoticeItem } from '../handoff/paste-notice';
import type { InsertFailure } from './insert-into-field';

export type PasteNoticeKind =
  | InsertFailure
  /** No key cached for the chosen server: sign in first. */
  | 'no-key'
  /** The frame belongs to another site, which the click gives no access to. */
  | 'frame-not-allowed'
  /** A browser page, the web store, or a page that failed to load. */
  | 'page-not-allowed'
  /** The shortcut was pressed with several servers known and none chosen. */
  | 'choose-server'
  /** No server set up or signed in to yet. */
  | 'sign-in-first'
  /**
   * An EditContext editor took the key neither as a paste nor as typing: it is on the clipboard
   * instead, for Ctrl+V, and cleared from it like a copied key.
   */
  | 'editor-refused'
  /** A bug of ours: said plainly rather than doing nothing. */
  | 'unexpected';

const MESSAGE_KEYS: Record<PasteNoticeKind, string> = {
  'no-focus': 'pasteNoticeNoFocus',
  'hidden-field': 'pasteNoticeHiddenField',
  'no-field': 'pasteNoticeNoField',
  'read-only': 'pasteNoticeReadOnly',
  disabled: 'pasteNoticeDisabled',
  'not-editable': 'pasteNoticeNotEditable',
  unconfirmed: 'pasteNoticeUnconfirmed',
  'field-changed': 'pasteNoticeFieldChanged',
  'no-key': 'pasteNoticeNoKey',
  'frame-not-allowed': 'pasteNoticeFrameNotAllowed',
  'page-not-allowed': 'pasteNoticePageNotAllowed',
  'choose-server': 'pasteNoticeChooseServer',
  'sign-in-first': 'pasteNoticeSignInFirst',
  'editor-refused': 'pasteNoticeEditorRefused',
  unexpected: 'errorUnexpected',
};

export const PASTE_NOTICE_KINDS = Object.keys(MESSAGE_KEYS) as PasteNoticeKind[];

/** The sentence for a notice; `no-key` names the server (`$1`), the others take nothing. */
export function noticeMessage(kind: PasteNoticeKind, serverName?: string): NoticeMessage {
  return { messageKey: MESSAGE_KEYS[kind], substitutions: kind === 'no-key' ? [serverName ?? ''] : [] };
}

/** Where notices appear: the toolbar button of the tab, and the popup's alert. */
export interface NoticeBoard {
  show(tabId: number, message: NoticeMessage): Promise<void>;
  clear(tabId: number): Promise<void>;
}

interface ActionApi {
  setBadgeText(details: { tabId: number; text: string }): Promise<void>;
  setBadgeBackgroundColor(details: { tabId: number; color: string }): Promise<void>;
  setTitle(details: { tabId: number; title: string }): Promise<void>;
}

/** Red like the popup's alerts, so that the badge reads as "something went wrong". */
const BADGE_COLOR = '#c5221f';

/**
 * The notices on the toolbar button. Tab-specific values, which the browser drops when the tab
 * navigates; `defaultTitle` restores the tooltip after a successful paste.
 */
export function createNoticeBoard(deps: {
  action: ActionApi;
  translate: (key: string, substitutions?: string[]) => string;
  defaultTitle: () => string;
  now?: () => number;
}): NoticeBoard {
  const now = deps.now ?? Date.now;
  return {
    async show(tabId, message) {
      await pasteNoticeItem.setValue({ ...message, tabId, at: now() });
      await Promise.all([
        deps.action.setBadgeText({ tabId, text: '!' }),
        deps.action.setBadgeBackgroundColor({ tabId, color: BADGE_COLOR }),
        deps.action.setTitle({ tabId, title: deps.translate(message.messageKey, message.substitutions) }),
      ]);
    },
    async clear(tabId) {
      const stored = await pasteNoticeItem.getValue();
      if (stored?.tabId === tabId) await pasteNoticeItem.removeValue();
      await Promise.all([
        deps.action.setBadgeText({ tabId, text: '' }),
        deps.action.setTitle({ tabId, title: deps.defaultTitle() }),
      ]);
    },
  };
}
