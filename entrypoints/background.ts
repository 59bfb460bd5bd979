import { browser } from 'wxt/browser';

import { createClipboardAutoClear } from '@/lib/clipboard/auto-clear';
import { clearClipboardOffscreen, offscreenAvailable } from '@/lib/clipboard/offscreen-clearer';
import { createHandlers } from '@/lib/keys/handlers';
import { createKeyService } from '@/lib/keys/key-service';
import { broadcast, serveMessages } from '@/lib/messaging/bus';
import { EXTENSION_PAGES } from '@/lib/messaging/pages';
import { registerPasteFeature } from '@/lib/paste/register';
import { hasHostAccess } from '@/lib/permissions';
import { testConnection } from '@/lib/servers/connection-test';
import { knownServers } from '@/lib/servers/known-servers';
import { preferencesItem } from '@/lib/settings/preferences';
import { serverSettingsFor, sessionMaxAgeMs, settingsItem } from '@/lib/settings/settings';
import { browserWebSessionDeps } from '@/lib/web-session/browser';
import { createWebSessionService } from '@/lib/web-session/web-session-service';

export default defineBackground(() => {
  const keyService = createKeyService({
    hasHostAccess,
    onStep: (step, flowId) => broadcast('keys.progress', { step, flowId }),
    keyPolicy: async (serverUrl) => (await serverSettingsFor(serverUrl))?.keyPolicy ?? 'reuse',
    clientOptions: async (serverUrl) => ({ publicKeyPem: (await serverSettingsFor(serverUrl))?.publicKeyPem }),
    sessionMaxAgeMs: async (serverUrl) => sessionMaxAgeMs((await serverSettingsFor(serverUrl))?.sessionLifetime),
  });
  const clipboard = createClipboardAutoClear({
    clearAfterSeconds: async () => (await preferencesItem.getValue()).clipboardClearSeconds,
    supported: offscreenAvailable(),
    clearIfUnchanged: clearClipboardOffscreen,
  });
  // At top level: the alarm may be what wakes a stopped service worker.
  browser.alarms.onAlarm.addListener((alarm) => void clipboard.onAlarm(alarm));
  serveMessages(
    createHandlers(keyService, {
      testConnection: async (serverUrl) =>
        testConnection(serverUrl, {
          hasHostAccess,
          clientOptions: { publicKeyPem: (await serverSettingsFor(serverUrl))?.publicKeyPem },
          remember: (url, detected) => knownServers.remember(url, detected, Date.now()),
        }),
      settings: () => settingsItem.getValue(),
      scheduleClipboardClear: (fingerprint) => clipboard.schedule(fingerprint),
      webSession: createWebSessionService({
        ...browserWebSessionDeps,
        hasHostAccess,
        keyFromSession: (request) => keyService.keyFromSession(request),
      }),
    }),
    { allowedPages: EXTENSION_PAGES },
  );
  // A paste while signed in but with no key cached gets one through the same single flight.
  registerPasteFeature({ keyWithSession: async (account) => (await keyService.getKey(account)).key });
});
