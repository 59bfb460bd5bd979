import { createHandlers } from '@/lib/keys/handlers';
import { createKeyService } from '@/lib/keys/key-service';
import { broadcast, serveMessages } from '@/lib/messaging/bus';
import { EXTENSION_PAGES } from '@/lib/messaging/pages';
import { registerPasteFeature } from '@/lib/paste/register';
import { hasHostAccess } from '@/lib/permissions';
import { serverSettingsFor } from '@/lib/settings/settings';

export default defineBackground(() => {
  const keyService = createKeyService({
    hasHostAccess,
    onStep: (step, flowId) => broadcast('keys.progress', { step, flowId }),
    keyPolicy: async (serverUrl) => (await serverSettingsFor(serverUrl))?.keyPolicy ?? 'reuse',
    clientOptions: async (serverUrl) => ({ publicKeyPem: (await serverSettingsFor(serverUrl))?.publicKeyPem }),
  });
  serveMessages(createHandlers(keyService), { allowedPages: EXTENSION_PAGES });
  registerPasteFeature();
});
