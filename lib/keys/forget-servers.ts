/**
 * A server the user removes from the settings is forgotten: its sessions and keys leave
 * `storage.session` (and with them its paste menu item, which is built from the settings and the
 * cached accounts), and its keys' names and paste records leave `storage.local`. The same when its URL changes or an import drops it: each is a server gone
 * from the list. Watched on the settings themselves, so that every way of changing them counts.
 */
import { browser } from 'wxt/browser';

import { type ServerUrl, serverUrlOrUndefined } from '../ragflow/server-url';
import type { Settings } from '../settings/schema';
import { accountCache } from './account-cache';
import { keyNotes } from './key-notes';

/** The `storage.local` key of the settings item (`local:settings` in lib/settings/settings.ts). */
const SETTINGS_KEY = 'settings';

/** A storage change is read as it is stored: an address that is none has nothing cached under it. */
function urlsOf(settings: unknown): Set<ServerUrl> {
  const servers = (settings as Partial<Settings> | undefined)?.servers;
  const urls = new Set<ServerUrl>();
  if (!Array.isArray(servers)) return urls;
  for (const server of servers) {
    const url = serverUrlOrUndefined(server?.url);
    if (url) urls.add(url);
  }
  return urls;
}

/** The servers set up before a change of the settings and not after it (normalised URLs). */
export function serversGone(before: unknown, after: unknown): ServerUrl[] {
  const kept = urlsOf(after);
  return [...urlsOf(before)].filter((url) => !kept.has(url));
}

/** Forgets every cached session and key of these servers, and the names and paste records of their keys. */
export async function forgetServers(serverUrls: readonly ServerUrl[]): Promise<void> {
  for (const serverUrl of serverUrls) {
    await accountCache.forgetServer(serverUrl);
    await keyNotes.forgetServer(serverUrl);
  }
}

/** Forgets the servers each settings change removes. Registered at the background's top level. */
export function watchRemovedServers(onError: (error: unknown) => void = console.error): void {
  browser.storage.onChanged.addListener((changes, area) => {
    const change = changes[SETTINGS_KEY];
    if (area !== 'local' || !change) return;
    forgetServers(serversGone(change.oldValue, change.newValue)).catch(onError);
  });
}
