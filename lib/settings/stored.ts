/**
 * The settings as a page reads them straight from `storage.local`, without the storage library
 * and without a message to the service worker (which may be asleep, and costs hundreds of
 * milliseconds to wake). Only a value already in today's shape is taken as it is: one that still
 * needs a migration is for the background to read, which runs the migrations (./settings.ts).
 */
import { SETTINGS_VERSION } from './migrations';
import { DEFAULT_SETTINGS, type Settings } from './schema';

/** The `storage.local` key of the settings item, and of its version (as @wxt-dev/storage keeps it). */
export const SETTINGS_STORAGE_KEYS = { value: 'settings', meta: 'settings$' } as const;

/**
 * The settings from the stored items; undefined when they are in an older shape, which only the
 * background's migrations turn into today's.
 */
export function currentSettingsOf(items: Record<string, unknown>): Settings | undefined {
  const value = items[SETTINGS_STORAGE_KEYS.value] as Settings | null | undefined;
  const meta = items[SETTINGS_STORAGE_KEYS.meta] as { v?: unknown } | null | undefined;
  // Never written: the item's fallback, as the storage library answers it.
  if (value == null) return DEFAULT_SETTINGS;
  return meta?.v === SETTINGS_VERSION ? value : undefined;
}
