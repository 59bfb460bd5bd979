import { browser } from 'wxt/browser';

import { createHandlers } from '@/lib/background/handlers';
import { createClipboardAutoClear } from '@/lib/clipboard/auto-clear';
import { clipboardFingerprint } from '@/lib/clipboard/fingerprint';
import { backgroundClipboard } from '@/lib/clipboard/background-clipboard';
import { watchRemovedServers } from '@/lib/keys/forget-servers';
import { createKeyService } from '@/lib/keys/key-service';
import { keyNotes } from '@/lib/keys/key-notes';
import { validateKeyNotes } from '@/lib/settings/validate';
import { broadcast, serveMessages } from '@/lib/messaging/serve';
import { EXTENSION_PAGES } from '@/lib/messaging/pages';
import { withPopupSignIns } from '@/lib/paste/pending-paste';
import { registerPasteFeature } from '@/lib/paste/register';
import { hasHostAccess } from '@/lib/permissions';
import { prepareKeys } from '@/lib/ragflow/password';
import type { ServerUrl } from '@/lib/ragflow/server-url';
import { testConnection } from '@/lib/servers/connection-test';
import { detectedServers } from '@/lib/keys/detected-servers';
import { preferencesItem } from '@/lib/settings/preferences';
import { serverSettingsFor, settingsItem } from '@/lib/settings/settings';
import { sessionMaxAgeFor } from '@/lib/keys/cached-key';
import { browserWebSessionDeps } from '@/lib/web-session/browser';
import { createWebSessionService } from '@/lib/web-session/web-session-service';

export default defineBackground(() => {
  // A server's own RSA public key, for every client of it: the key flow's and Test connection's.
  const clientOptionsOf = async (serverUrl: ServerUrl) => ({
    publicKeyPem: (await serverSettingsFor(serverUrl))?.publicKeyPem,
  });
  const keyService = createKeyService({
    hasHostAccess,
    onStep: (step, flowId) => broadcast('keys.progress', { step, flowId }),
    keyPolicy: async (serverUrl) => (await serverSettingsFor(serverUrl))?.keyPolicy ?? 'reuse',
    clientOptions: clientOptionsOf,
    sessionMaxAgeMs: async (serverUrl) => sessionMaxAgeFor(await settingsItem.getValue(), serverUrl),
    // A rotation's copy of the new key, cleared later like any copied key (defined below, at once).
    copyToClipboard: (key) => copyKeyToClipboard(key),
  });
  const systemClipboard = backgroundClipboard();
  const clipboard = createClipboardAutoClear({
    clearAfterSeconds: async () => (await preferencesItem.getValue()).clipboardClearSeconds,
    supported: systemClipboard.supported,
    clearIfUnchanged: systemClipboard.clearIfUnchanged,
    mayReadClipboard: () => browser.permissions.contains({ permissions: ['clipboardRead'] }),
  });
  /** Puts a key on the system clipboard and plans its clearing, as a copy from the popup would. */
  async function copyKeyToClipboard(key: string) {
    await systemClipboard.write(key);
    return clipboard.schedule(await clipboardFingerprint(key));
  }
  // At top level: the alarm may be what wakes a stopped service worker.
  browser.alarms.onAlarm.addListener((alarm) => void clipboard.onAlarm(alarm));
  // A paste while signed in but with no key cached gets one through the same single flight.
  const paste = registerPasteFeature({
    keys: keyService,
    keyWithSession: async (account) => (await keyService.getKey(account)).key,
    async copyToClipboard(key) {
      await copyKeyToClipboard(key);
    },
  });
  const handlers = createHandlers({
    keys: keyService,
    keyNotes,
    validateKeyNotes,
    testConnection: async (serverUrl) =>
      testConnection(serverUrl, {
        hasHostAccess,
        clientOptions: await clientOptionsOf(serverUrl),
        remember: (url, detected, channels) => detectedServers.remember(url, detected, Date.now(), channels),
      }),
    settings: () => settingsItem.getValue(),
    clipboard,
    webSession: createWebSessionService({
      ...browserWebSessionDeps,
      hasHostAccess,
      keyFromSession: (request) => keyService.keyFromSession(request),
      serverFacts: (serverUrl) => keyService.serverFacts(serverUrl),
      knownFacts: (serverUrl) => detectedServers.get(serverUrl),
    }),
  });
  // A paste that opened the popup to sign in finishes with the key the popup gets, and the "!" it
  // left on the toolbar button goes once the popup has a key.
  serveMessages(withPopupSignIns(handlers, paste), {
    allowedPages: EXTENSION_PAGES,
  });
  // A server removed from the settings (or moved, or dropped by an import) is forgotten at once.
  watchRemovedServers();
  // The RSA keys are read in a task of their own once the listeners are in place, not while a sign-in waits.
  setTimeout(() => {
    void settingsItem.getValue().then((settings) => prepareKeys(settings.servers.map((server) => server.publicKeyPem)));
  }, 0);
});
