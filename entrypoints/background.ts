import { createHandlers } from '@/lib/keys/handlers';
import { createKeyService } from '@/lib/keys/key-service';
import { broadcast, serveMessages } from '@/lib/messaging/bus';
import { EXTENSION_PAGES } from '@/lib/messaging/pages';
import { hasHostAccess } from '@/lib/permissions';
import { testConnection } from '@/lib/servers/connection-test';
import { serverSettingsFor, sessionMaxAgeMs } from '@/lib/settings/settings';

export default defineBackground(() => {
  const keyService = createKeyService({
    hasHostAccess,
    onStep: (step, flowId) => broadcast('keys.progress', { step, flowId }),
    keyPolicy: async (serverUrl) => (await serverSettingsFor(serverUrl))?.keyPolicy ?? 'reuse',
    clientOptions: async (serverUrl) => ({ publicKeyPem: (await serverSettingsFor(serverUrl))?.publicKeyPem }),
    sessionMaxAgeMs: async (serverUrl) => sessionMaxAgeMs((await serverSettingsFor(serverUrl))?.sessionLifetime),
  });
  serveMessages(
    createHandlers(keyService, {
      testConnection: (serverUrl) => testConnection(serverUrl, { hasHostAccess }),
    }),
    { allowedPages: EXTENSION_PAGES },
  );
});
