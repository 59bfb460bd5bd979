/**
 * Imported (for its side effect) just before jsencrypt, with `jsencrypt-seed-end` just after.
 *
 * jsencrypt 3.5 fills the entropy pool behind its PKCS#1 padding from `crypto.getRandomValues`
 * only when `typeof window !== 'undefined'` while its module is evaluated (lib/lib/jsbn/rng.js);
 * elsewhere, as in a service worker, it silently seeds from `Math.random`. It reads
 * `self.crypto`, so `self` must exist too (Node has no `self`). ES imports are hoisted, which is
 * why this is a module of its own and not a statement next to the import.
 */
const scope = globalThis as { window?: unknown; self?: unknown };

export const definedWindow = typeof scope.window === 'undefined';
export const definedSelf = typeof scope.self === 'undefined';

if (definedSelf) scope.self = globalThis;
if (definedWindow) scope.window = globalThis;
