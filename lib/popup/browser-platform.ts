import { extensionApi as browser } from '../extension-api';

import { type CachedKey, cachedKeyItemKey } from '../keys/cached-key';
import type { ServerUrl } from '../ragflow/server-url';
import { currentSettingsOf, SETTINGS_STORAGE_KEYS } from '../settings/stored';
import { PASTE_COMMAND } from '../handoff/paste-command';
import { POPUP_STORAGE_KEYS as STORAGE_KEYS } from '../handoff/popup-choice';
import type { PopupPlatform } from './controller';
import { recentWebPage } from './web-session';

/**
 * `storage.local` key of the servers with a password sign-in from the popup, where the warning
 * about signing the web app out has been given. URLs only: not a secret.
 */
export const WARNED_SERVERS_KEY = 'webSession.warnedServers';

/**
 * The message bus and the permission check, loaded with the first message: the popup paints its
 * first view from storage alone (lib/popup/controller.ts), and their code (with the errors they
 * rebuild) is not read before it shows. One promise, so that listeners added first are in place
 * before a request that follows them is sent.
 */
let messaging: Promise<typeof import('../messaging/bus')> | undefined;
const bus = () => (messaging ??= import('../messaging/bus'));

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The real browser and background behind the popup. */
export const browserPlatform: PopupPlatform = {
  async loadRemembered() {
    const stored = await browser.storage.local.get([STORAGE_KEYS.serverUrl, STORAGE_KEYS.email]);
    return {
      // Written only from a ServerUrl (remember, below; preparePopup in lib/paste/register.ts):
      // trusted once stored, as the settings are (lib/settings/schema.ts), so that the first view
      // does not read the URL rules and their errors.
      serverUrl: stringOrUndefined(stored[STORAGE_KEYS.serverUrl]) as ServerUrl | undefined,
      email: stringOrUndefined(stored[STORAGE_KEYS.email]),
    };
  },
  async remember({ serverUrl, email }) {
    await browser.storage.local.set({ [STORAGE_KEYS.serverUrl]: serverUrl, [STORAGE_KEYS.email]: email });
  },
  async loadSettings() {
    // Straight from storage, so that opening the popup never waits on the service worker; only
    // settings that still need a migration come from the background, which runs it.
    const stored = await browser.storage.local.get([SETTINGS_STORAGE_KEYS.value, SETTINGS_STORAGE_KEYS.meta]);
    return currentSettingsOf(stored) ?? (await bus()).sendMessage('settings.get', {});
  },
  hasHostAccess: async (originPattern) => (await import('../permissions')).hasOriginAccess(originPattern),
  async loadCachedKey({ serverUrl, email }) {
    // The key's own item (lib/keys/cached-key.ts): the popup never reads the session token.
    const itemKey = cachedKeyItemKey(serverUrl, email);
    return ((await browser.storage.session.get(itemKey))[itemKey] as CachedKey | undefined) ?? null;
  },
  now: () => Date.now(),
  async openOptions(serverUrl) {
    if (serverUrl === undefined) return browser.runtime.openOptionsPage();
    // The options page finds the server by its URL (or offers to add it) and shows its Grant button.
    const url = `${browser.runtime.getURL('/options.html')}#server=${encodeURIComponent(serverUrl)}`;
    await browser.tabs.create({ url });
  },
  send: async (name, request) => (await bus()).sendMessage(name, request) as never,
  onProgress(handler) {
    let stop: (() => void) | undefined;
    let stopped = false;
    void bus().then(({ onEvent }) => {
      if (!stopped) stop = onEvent('keys.progress', handler);
    });
    return () => {
      stopped = true;
      stop?.();
    };
  },
  copyText: (text) => navigator.clipboard.writeText(text),
  newFlowId: () => crypto.randomUUID(),
  async pasteShortcut() {
    const commands = await browser.commands.getAll();
    return commands.find((command) => command.name === PASTE_COMMAND)?.shortcut ?? '';
  },
  uiLanguage: () => browser.i18n.getUILanguage(),
  async loadCleartextAllowed() {
    const stored = (await browser.storage.local.get(STORAGE_KEYS.cleartextAllowed))[STORAGE_KEYS.cleartextAllowed];
    return Array.isArray(stored) ? stored.filter((url): url is string => typeof url === 'string') : [];
  },
  async saveCleartextAllowed(serverUrls) {
    await browser.storage.local.set({ [STORAGE_KEYS.cleartextAllowed]: serverUrls });
  },
  async loadWarned() {
    const stored: unknown = (await browser.storage.local.get(WARNED_SERVERS_KEY))[WARNED_SERVERS_KEY];
    return Array.isArray(stored) ? stored.filter((item): item is string => typeof item === 'string') : [];
  },
  saveWarned: (serverUrls) => browser.storage.local.set({ [WARNED_SERVERS_KEY]: serverUrls }),
  // Addresses show only for tabs on origins we may reach, and the tab the popup was opened on.
  recentPageUrl: async () => recentWebPage(await browser.tabs.query({ currentWindow: true })),
  async pasteNotice() {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    return (await import('../handoff/paste-notice')).noticeForTab(tab?.id);
  },
};
