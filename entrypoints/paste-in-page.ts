import { installPageFunctions } from '@/lib/paste/page-functions';

// Injected into a frame by "Paste RAGFlow key" (lib/paste/register.ts), never listed in the manifest.
export default defineUnlistedScript(() => installPageFunctions());
