import { createHandlers } from '@/lib/keys/handlers';
import { createKeyService } from '@/lib/keys/key-service';
import { broadcast, serveMessages } from '@/lib/messaging/bus';
import { EXTENSION_PAGES } from '@/lib/messaging/pages';
import { hasHostAccess } from '@/lib/permissions';

export default defineBackground(() => {
  const keyService = createKeyService({
    hasHostAccess,
    onStep: (step, flowId) => broadcast('keys.progress', { step, flowId }),
    // Per-server policies come with the options page; until then, reuse the newest key.
    keyPolicy: async () => 'reuse',
  });
  serveMessages(createHandlers(keyService), { allowedPages: EXTENSION_PAGES });
});
