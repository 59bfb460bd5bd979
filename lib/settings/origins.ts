/**
 * Which host permissions the server list needs: what to ask the browser for when a server is
 * saved, and what to give back when the last server on an origin goes. Plain functions; the
 * options page makes the browser calls.
 */
import { originPattern } from '../ragflow/server-url';

/**
 * The manifest's `host_permissions` (wxt.config.ts): granted at install, so never requested,
 * and never removed (the browser refuses: "You cannot remove required permissions").
 */
export const MANIFEST_ORIGINS: readonly string[] = ['http://localhost/*', 'http://127.0.0.1/*'];

/** The origin pattern to request for a server, or null when the manifest grants it already. */
export function originToRequest(serverUrl: string): string | null {
  const pattern = originPattern(serverUrl);
  return MANIFEST_ORIGINS.includes(pattern) ? null : pattern;
}

/**
 * The origins to give back after the server list changed from `before` to `after`: those no
 * server uses any more. Two servers on one host (ports and path prefixes differ, the pattern does
 * not) share one permission, which stays while either is left.
 */
export function originsToRelease(before: readonly { url: string }[], after: readonly { url: string }[]): string[] {
  const stillUsed = new Set(after.map((server) => originPattern(server.url)));
  const released = new Set<string>();
  for (const server of before) {
    const pattern = originToRequest(server.url);
    if (pattern !== null && !stillUsed.has(pattern)) released.add(pattern);
  }
  return [...released];
}
