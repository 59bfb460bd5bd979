import { autoClearAvailable } from '../clipboard/auto-clear-available';
import { extensionApi as browser } from '../extension-api';

import { sendMessage } from '../messaging/bus';
import { hasOriginAccess } from '../permissions';
import { preferencesItem } from '../settings/preferences';
import { settingsItem } from '../settings/settings';
import type { OptionsPlatform } from './controller';

/** The real browser and background behind the options page. */
export const browserPlatform: OptionsPlatform = {
  loadSettings: () => settingsItem.getValue(),
  saveSettings: (settings) => settingsItem.setValue(settings),
  loadPreferences: () => preferencesItem.getValue(),
  savePreferences: (preferences) => preferencesItem.setValue(preferences),
  hasHostAccess: hasOriginAccess,
  requestHostAccess: (originPattern) => browser.permissions.request({ origins: [originPattern] }),
  async releaseHostAccess(originPatterns) {
    await browser.permissions.remove({ origins: originPatterns });
  },
  testConnection: (serverUrl) => sendMessage('server.test', { serverUrl }),
  download(fileName, text) {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
    link.click();
    // Revoked later rather than at once: the browser reads the blob after the click returns.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  },
  newId: () => crypto.randomUUID(),
  loadKeyNotes: () => sendMessage('keyNotes.export', {}),
  saveKeyNotes: (notes) => sendMessage('keyNotes.import', { notes }),
  clearPastePlaces: () => sendMessage('keyNotes.clearPlaces', {}),
  // Where the background can clear the clipboard (lib/clipboard/background-clipboard.ts): Chrome
  // through an offscreen document, Firefox from its background page.
  ...(autoClearAvailable() && {
    clipboardRead: {
      has: () => browser.permissions.contains({ permissions: ['clipboardRead'] }),
      request: () => browser.permissions.request({ permissions: ['clipboardRead'] }),
      async release() {
        await browser.permissions.remove({ permissions: ['clipboardRead'] });
      },
    },
  }),
};
