/**
 * The paste's latest notice, as the popup reads it: written by the paste feature in the
 * background, shown by the popup as its alert when opened on that tab.
 */
import { extensionApi as browser } from '../extension-api';

export interface NoticeMessage {
  messageKey: string;
  substitutions: string[];
}

export interface StoredNotice extends NoticeMessage {
  tabId: number;
  at: number;
}

/**
 * The latest notice, for the popup. In `storage.session`: it concerns what the user just did and
 * names no secret, but it has no business outliving the browser session. Plain storage calls
 * rather than a storage library: the popup reads this, and one would add about 3 KB of gzipped
 * script to a popup whose first view has a 15 KB budget (tests/e2e/bundle.e2e.test.ts).
 */
const NOTICE_KEY = 'paste.notice';
/** Apart from {@link pasteNoticeItem}, whose writes the popup does not need in its bundle. */
async function readNotice(): Promise<StoredNotice | null> {
  return ((await browser.storage.session.get(NOTICE_KEY))[NOTICE_KEY] as StoredNotice | undefined) ?? null;
}
export const pasteNoticeItem = {
  getValue: readNotice,
  setValue: (notice: StoredNotice) => browser.storage.session.set({ [NOTICE_KEY]: notice }),
  removeValue: () => browser.storage.session.remove(NOTICE_KEY),
};

/** A notice is about the paste just tried; one from long ago would read as a new problem. */
export const NOTICE_FRESH_MS = 5 * 60_000;

/** The notice the popup shows when it opens on this tab, if any. */
export async function noticeForTab(tabId: number | undefined, now = Date.now()): Promise<NoticeMessage | null> {
  const notice = await readNotice();
  if (!notice || tabId === undefined || notice.tabId !== tabId || now - notice.at > NOTICE_FRESH_MS) return null;
  return { messageKey: notice.messageKey, substitutions: notice.substitutions };
}
