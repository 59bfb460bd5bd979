import { extensionApi as browser } from '../extension-api';

import { browserPlatform } from './browser-platform';
import { recentWebPage, type WebSessionPlatform } from './web-session';

/**
 * `storage.local` key of the servers with a password sign-in from the popup, where the warning
 * about signing the web app out has been given. URLs only: not a secret.
 */
export const WARNED_SERVERS_KEY = 'webSession.warnedServers';

/** The real browser behind the popup's web-session option. */
export const browserWebSessionPlatform: WebSessionPlatform = {
  send: browserPlatform.send,
  onProgress: browserPlatform.onProgress,
  newFlowId: browserPlatform.newFlowId,
  async loadWarned() {
    const stored: unknown = (await browser.storage.local.get(WARNED_SERVERS_KEY))[WARNED_SERVERS_KEY];
    return Array.isArray(stored) ? stored.filter((item): item is string => typeof item === 'string') : [];
  },
  saveWarned: (serverUrls) => browser.storage.local.set({ [WARNED_SERVERS_KEY]: serverUrls }),
  // Addresses show only for tabs on origins we may reach, and the tab the popup was opened on.
  recentPageUrl: async () => recentWebPage(await browser.tabs.query({ currentWindow: true })),
};
