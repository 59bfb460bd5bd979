/**
 * Undoes `jsencrypt-seed-begin` once jsencrypt has filled its pool, so that no other code in a
 * service worker or in Node mistakes this context for a page.
 */
import { definedSelf, definedWindow } from './jsencrypt-seed-begin';

const scope = globalThis as { window?: unknown; self?: unknown };

if (definedWindow) delete scope.window;
if (definedSelf) delete scope.self;
