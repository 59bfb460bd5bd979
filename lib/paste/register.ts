/**
 * Wires "Paste RAGFlow key" to the real browser: the context menu, the keyboard shortcut,
 * `scripting.executeScript` and the toolbar button. Called once from the background, at its top
 * level, because Chrome only delivers events to listeners registered in the service worker's
 * first turn.
 */
import { browser } from 'wxt/browser';

import { PASTE_COMMAND } from '../handoff/paste-command';
import { POPUP_STORAGE_KEYS } from '../handoff/popup-choice';
import { t } from '../i18n';
import type { AccountKeys, KeyService } from '../keys/key-service';
import { preferencesItem } from '../settings/preferences';
import { settingsItem } from '../settings/settings';
import type { FrameFocus } from './focus-probe';
import { PINNED_FIELDS_SLOT } from './insert-into-field';
import {
  callPageFunction,
  PAGE_FUNCTIONS_SLOT,
  PAGE_SCRIPT_FILE,
  type PageFunctionName,
  type PageFunctions,
} from './page-functions';
import {
  changesPasteMenu,
  createMenuSync,
  type MenuKey,
  menuItemsToCreate,
  menuKeysOf,
  type PasteMenuItem,
} from './menu';
import { keyFingerprint, keyNotes } from '../keys/key-notes';
import { pasteNoticeItem } from '../handoff/paste-notice';
import { createNoticeBoard, noticeMessage } from './notice';
import { createPasteService, NoAccessError, type PasteDeps, type PasteState } from './paste-service';
import { createPendingPastes } from './pending-paste';
import { servePopupLink } from './popup-link';
import { knownServers } from './servers';
import { type ServerUrl, serverUrlOrUndefined } from '../ragflow/server-url';

/** The settings, the servers the key cache knows, and the popup's last server. */
async function readState(keys: Pick<KeyService, 'cachedServers'>): Promise<PasteState> {
  const [settings, remembered, cachedServerUrls] = await Promise.all([
    settingsItem.getValue(),
    browser.storage.local.get(POPUP_STORAGE_KEYS.serverUrl),
    keys.cachedServers(),
  ]);
  // Read back from storage: an edge, like any stored address.
  const lastUsedServerUrl = serverUrlOrUndefined(remembered[POPUP_STORAGE_KEYS.serverUrl]);
  return { settings, cachedServerUrls, lastUsedServerUrl };
}

/** The keys each server's submenu offers, by their names (lib/keys/key-notes.ts; see menuKeysOf). */
async function namedKeysByServer(accounts: readonly AccountKeys[]): Promise<Map<string, MenuKey[]>> {
  const byServer = new Map<string, MenuKey[]>();
  for (const account of accounts) {
    if (account.tokens.length < 2) continue;
    const notes = await keyNotes.forKeys(account.tokens);
    const keys = await Promise.all(
      account.tokens.map(async (token) => ({
        token,
        fingerprint: await keyFingerprint(token),
        ...(notes.get(token)?.name && { name: notes.get(token)?.name }),
      })),
    );
    const items = menuKeysOf(keys);
    if (items.length > 0) byServer.set(account.serverUrl, [...(byServer.get(account.serverUrl) ?? []), ...items]);
  }
  return byServer;
}

/** `contextMenus.create` reports errors through a callback and `runtime.lastError` only. */
function createMenuItem(item: PasteMenuItem): Promise<void> {
  return new Promise((resolve, reject) => {
    browser.contextMenus.create(item, () => {
      const error = browser.runtime.lastError;
      if (error) reject(new Error(error.message));
      else resolve();
    });
  });
}

/** The results of `scripting.executeScript`, with a refusal turned into {@link NoAccessError}. */
async function executeInFrames<T>(
  run: () => Promise<{ frameId: number; result?: unknown }[]>,
): Promise<{ frameId: number; result: T }[]> {
  let injections: { frameId: number; result?: unknown; error?: unknown }[];
  try {
    injections = await run();
  } catch (error) {
    // "Cannot access contents of the page": a frame of another site, a browser page, the store.
    throw new NoAccessError(error);
  }
  // Firefox reports a frame it could not script as an entry with `error`.
  return injections
    .filter((injection) => !('error' in injection && injection.error) && injection.result !== undefined)
    .map((injection) => ({ frameId: injection.frameId, result: injection.result as T }));
}

/** Which frames of a tab a call goes to. */
type FrameTarget = { tabId: number; frameIds: number[] } | { tabId: number; allFrames: true };

/**
 * Calls one of the page functions (./page-functions.ts) in these frames. A frame that has not got
 * them yet (the first call there, or a frame that navigated since) gets their script first, and
 * the call again; frames that went away answer nothing.
 */
async function callInFrames<K extends PageFunctionName>(
  target: FrameTarget,
  name: K,
  args: Parameters<PageFunctions[K]>,
): Promise<{ frameId: number; result: Awaited<ReturnType<PageFunctions[K]>> }[]> {
  type Answer = Awaited<ReturnType<PageFunctions[K]>> | null;
  const call = (frames: FrameTarget) =>
    executeInFrames<Answer>(() =>
      browser.scripting.executeScript({
        target: frames,
        func: callPageFunction,
        args: [PAGE_FUNCTIONS_SLOT, name, args],
      }),
    );
  const answered = (injections: { frameId: number; result: Answer }[]) =>
    injections.filter(
      (injection): injection is { frameId: number; result: NonNullable<Answer> } => injection.result !== null,
    );
  const first = await call(target);
  const without = first.filter((injection) => injection.result === null).map((injection) => injection.frameId);
  if (without.length === 0) return answered(first);
  const rest = { tabId: target.tabId, frameIds: without };
  await executeInFrames(() => browser.scripting.executeScript({ target: rest, files: [PAGE_SCRIPT_FILE] }));
  return [...answered(first), ...answered(await call(rest))];
}

export interface PasteFeatureDeps {
  /** The key cache's answers: which key and session for a server, and which servers it knows. */
  keys: Pick<KeyService, 'keyForServer' | 'cachedServers' | 'cachedAccountKeys'>;
  /** The key service's getKey without a password (see PasteDeps.keyWithSession). */
  keyWithSession: PasteDeps['keyWithSession'];
  /** Puts the key on the clipboard and plans its clearing (see PasteDeps.copyToClipboard). */
  copyToClipboard: PasteDeps['copyToClipboard'];
}

export interface PasteFeature {
  /**
   * A key arrived through the popup (its sign-in or the web app's session): a paste waiting for
   * it closes the popup, and goes in once it has closed.
   */
  keyArrived(serverUrl: ServerUrl): Promise<void>;
  /**
   * The popup shows a key: the "!" a paste left on the toolbar button (no key, sign in) is out
   * of date. Cleared on the tab it was for, and on the tab the user is on.
   */
  keyShown(): Promise<void>;
}

export function registerPasteFeature({ keys, keyWithSession, copyToClipboard }: PasteFeatureDeps): PasteFeature {
  const menus = createMenuSync(
    { removeAll: () => browser.contextMenus.removeAll(), create: createMenuItem },
    async () => {
      const [{ settings, cachedServerUrls }, { contextMenuEnabled }] = await Promise.all([
        readState(keys),
        preferencesItem.getValue(),
      ]);
      const named = await namedKeysByServer(await keys.cachedAccountKeys());
      return menuItemsToCreate(
        contextMenuEnabled,
        knownServers(settings, cachedServerUrls),
        t('pasteMenuTitle'),
        (url) => named.get(url) ?? [],
      );
    },
    { onError: (error) => console.error('Could not build the paste menu', error) },
  );

  const notices = createNoticeBoard({
    action: browser.action,
    translate: t,
    defaultTitle: () => t('extName'),
  });

  const pending = createPendingPastes({
    finish: async ({ tabId, frameId, pin, arrivedFor }) => {
      await service.finishPending({ tabId, frameId, pin, serverUrl: arrivedFor });
    },
  });
  const popups = servePopupLink(pending);

  const service = createPasteService({
    rememberPending: (paste) => pending.remember(paste),
    readState: () => readState(keys),
    keyForServer: (serverUrl) => keys.keyForServer(serverUrl),
    async keyByFingerprint(serverUrl, fingerprint) {
      for (const account of await keys.cachedAccountKeys()) {
        if (account.serverUrl !== serverUrl) continue;
        for (const token of account.tokens) if ((await keyFingerprint(token)) === fingerprint) return token;
      }
      return undefined;
    },
    async recordPaste({ tabId, frameId, serverUrl, key }) {
      if ((await preferencesItem.getValue()).recordPastes === false) return;
      const account = (await keys.cachedAccountKeys()).find(
        (entry) => entry.serverUrl === serverUrl && entry.tokens.includes(key),
      );
      if (!account) return;
      // The frame's own origin, read in the frame the key went into: nothing else of the page.
      const [injection] = await executeInFrames<string>(() =>
        browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, func: () => location.origin }),
      );
      if (injection) await keyNotes.recordPaste(account, key, injection.result, Date.now());
    },
    keyWithSession,
    async insertInFrame(tabId, frameId, key, pin) {
      // An absent pin is left out: executeScript takes only JSON values, undefined is none.
      const [injection] = await callInFrames(
        { tabId, frameIds: [frameId] },
        'insertIntoField',
        pin ? [key, pin] : [key],
      );
      // The frame went away (navigated, closed) between the click and the injection.
      return injection?.result ?? { ok: false, reason: 'unconfirmed' };
    },
    async insertInEditContext(tabId, frameId, key, pin) {
      const target = { tabId, frameIds: [frameId] };
      const [injection] = await callInFrames(target, 'insertIntoEditContext', pin ? [key, pin] : [key]);
      return injection?.result ?? { ok: false, reason: 'unconfirmed' };
    },
    copyToClipboard,
    async pinField(tabId, frameId) {
      const [injection] = await callInFrames({ tabId, frameIds: [frameId] }, 'pinFocusedField', [PINNED_FIELDS_SLOT]);
      // No pin (the frame went away): an id no pin has, which the insertion reports as changed.
      return { slot: PINNED_FIELDS_SLOT, id: injection?.result ?? 0 };
    },
    async probeFocus(tabId): Promise<FrameFocus[]> {
      const injections = await callInFrames({ tabId, allFrames: true }, 'reportFocus', []);
      return injections.map(({ frameId, result }) => ({ frameId, report: result }));
    },
    notices,
    openPopup: () => browser.action.openPopup(),
    async preparePopup({ url, email }) {
      await browser.storage.local.set({
        [POPUP_STORAGE_KEYS.serverUrl]: url,
        ...(email !== undefined && { [POPUP_STORAGE_KEYS.email]: email }),
      });
    },
  });

  /** An unexpected failure still tells the user something happened. */
  const reportFailure = (tabId: number | undefined) => (error: unknown) => {
    console.error('Paste failed', error);
    if (tabId !== undefined) void notices.show(tabId, noticeMessage('unexpected')).catch(() => {});
  };

  // Remove all, then create: on install and update (when the old items still exist) and at
  // browser start-up. The browser restores the last session's items then (Chrome does, and
  // Firefox for an event page, which this build's background is:
  // https://developer.mozilla.org/docs/Mozilla/Add-ons/WebExtensions/API/menus/create), but
  // they offer servers known through keys that storage.session has lost since.
  browser.runtime.onInstalled.addListener(() => void menus.rebuild());
  browser.runtime.onStartup.addListener(() => void menus.rebuild());
  browser.storage.onChanged.addListener((changes, area) => {
    if (changesPasteMenu(Object.keys(changes), area)) menus.rebuildSoon();
  });

  browser.contextMenus.onClicked.addListener((info, tab) => {
    service.pasteFromMenu(info, tab?.id).catch(reportFailure(tab?.id));
  });
  browser.commands.onCommand.addListener((command, tab) => {
    if (command !== PASTE_COMMAND) return;
    service.pasteFromShortcut(tab?.id).catch(reportFailure(tab?.id));
  });

  return {
    async keyShown() {
      const [stored, [active]] = await Promise.all([
        pasteNoticeItem.getValue(),
        browser.tabs.query({ active: true, lastFocusedWindow: true }),
      ]);
      const tabIds = new Set([stored?.tabId, active?.id].filter((id): id is number => id !== undefined));
      await Promise.all([...tabIds].map((tabId) => notices.clear(tabId)));
    },

    async keyArrived(serverUrl) {
      // A popup this worker cannot hear close would leave the paste waiting for a later popup's
      // close, at a time the user no longer expects it: the paste ends at its notice instead.
      if (!popups.connected()) return;
      if (await pending.keyArrived(serverUrl)) popups.closePopups();
    },
  };
}
