/**
 * Which servers the paste menu offers, and which key belongs to which server. Plain functions of
 * the stored state, so the rules are tested without a browser.
 */
import { isAccountItemKey } from '../keys/account-cache';
import type { ServerUrl } from '../ragflow/server-url';
import type { Settings } from '../settings/settings';

export interface KnownServer {
  /** What a menu item id carries and what the cache is keyed by. */
  url: ServerUrl;
  /** What the menu shows: the name from the settings, else the address. */
  name: string;
}

/**
 * Whether a storage change can change the known servers: an account of the session cache, or the
 * settings (the `local:settings` item of lib/settings/settings.ts).
 */
export function changesKnownServers(changedKeys: readonly string[], area: string): boolean {
  if (area === 'session') return changedKeys.some(isAccountItemKey);
  if (area === 'local') return changedKeys.includes('settings');
  return false;
}

/** An address without the scheme reads as a name: `ragflow.example.com`, `localhost:9380/rag`. */
function addressAsName(url: string): string {
  return url.replace(/^https?:\/\//, '');
}

/**
 * The servers set up in the settings (in their order), then those with a cached key or session
 * only (by address: `cachedServerUrls`, from the key service). Each server once, named so that no
 * two menu items read alike.
 */
export function knownServers(settings: Settings, cachedServerUrls: readonly ServerUrl[]): KnownServer[] {
  const servers: KnownServer[] = [];
  const seen = new Set<ServerUrl>();
  for (const { url, name } of settings.servers) {
    if (seen.has(url)) continue;
    seen.add(url);
    servers.push({ url, name: name.trim() || addressAsName(url) });
  }
  const cachedOnly = [...new Set(cachedServerUrls)].filter((url) => !seen.has(url)).sort();
  for (const url of cachedOnly) servers.push({ url, name: addressAsName(url) });

  // Two servers given the same name: the address tells them apart.
  const nameCounts = new Map<string, number>();
  for (const { name } of servers) nameCounts.set(name, (nameCounts.get(name) ?? 0) + 1);
  return servers.map((server) =>
    (nameCounts.get(server.name) ?? 0) > 1
      ? { ...server, name: `${server.name} (${addressAsName(server.url)})` }
      : server,
  );
}

/**
 * The server the keyboard shortcut pastes for, which has no menu to choose from: the only known
 * server; else the default server of the settings; else the one the popup was last used with.
 * `undefined` when several are known and none of those rules picks one.
 */
export function serverForShortcut(
  known: readonly KnownServer[],
  settings: Settings,
  lastUsedServerUrl: ServerUrl | undefined,
): ServerUrl | undefined {
  if (known.length === 1) return known[0]!.url;
  const defaultServer = settings.servers.find((server) => server.id === settings.defaultServerId);
  const preferred = [defaultServer?.url, lastUsedServerUrl];
  return preferred.find((url) => url !== undefined && known.some((server) => server.url === url));
}
