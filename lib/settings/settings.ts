import { defineVersionedItem } from './versioned-item';

import type { ServerUrl } from '../ragflow/server-url';
import { SETTINGS_MIGRATIONS, SETTINGS_VERSION } from './migrations';
import { DEFAULT_SETTINGS, findServer, type ServerSettings, type Settings } from './schema';

export * from './schema';

/**
 * The settings, a typed and versioned item in storage.local. A schema change bumps
 * SETTINGS_VERSION and adds a migration (./migrations.ts); the item (./versioned-item.ts) runs the missing ones
 * in order before the first read or write of the item.
 */
export const settingsItem = defineSettingsItem();

/**
 * Defines the item. Its migrations run when it is defined, so tests that seed an old shape
 * define a fresh one after seeding; the extension uses {@link settingsItem}.
 */
export function defineSettingsItem() {
  return defineVersionedItem<Settings>('local:settings', {
    fallback: DEFAULT_SETTINGS,
    version: SETTINGS_VERSION,
    migrations: SETTINGS_MIGRATIONS,
  });
}

/** The settings of the server at this base URL, if the user set it up. */
export async function serverSettingsFor(serverUrl: ServerUrl): Promise<ServerSettings | undefined> {
  return findServer(await settingsItem.getValue(), serverUrl);
}
