/** The web-session option's browser calls: the tabs we may see, and reading one of them. */
import { browser } from 'wxt/browser';

import { RagflowClient } from '../ragflow/client';
import { detectedServers } from '../keys/detected-servers';
import { readWebAppSession, type WebAppSession } from './read-session';
import type { TabInfo } from './web-app';
import type { WebSessionDeps } from './web-session-service';

export const browserWebSessionDeps: Pick<WebSessionDeps, 'tabs' | 'readSession' | 'recognize'> = {
  async tabs() {
    // Without the "tabs" permission the browser gives the address only of tabs on origins we
    // have host access to, and of the tab the user opened the popup on (activeTab).
    const tabs = await browser.tabs.query({});
    return tabs.flatMap((tab): TabInfo[] =>
      tab.id !== undefined && tab.url
        ? [{ id: tab.id, url: tab.url, active: tab.active, lastAccessed: tab.lastAccessed ?? 0 }]
        : [],
    );
  },

  async readSession(tabId) {
    const [injection] = await browser.scripting.executeScript({ target: { tabId }, func: readWebAppSession });
    // Firefox reports a page it could not script as a result without a value.
    const session = injection?.result as WebAppSession | undefined;
    if (!session) throw new Error('The web app page could not be read');
    return session;
  },

  // The server's own detection, public and harmless: no session, nothing of the user's. Kept, so
  // that the popup and the key flow on that server need no detection of their own. Without host
  // access it is an ordinary cross-origin request, which works where the server allows other
  // origins and otherwise just leaves the page unrecognised.
  async recognize(serverUrl) {
    const detected = await new RagflowClient({ serverUrl }).detect();
    await detectedServers.remember(serverUrl, detected, Date.now());
  },
};
