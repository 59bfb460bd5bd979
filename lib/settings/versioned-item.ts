/**
 * A typed, versioned item in `storage.local`, stored as @wxt-dev/storage stores one (the value
 * under its key, `{ v: version }` under the key with a `$`), so that the items written before
 * stay readable and the popup's own reader (./stored.ts) agrees. Only what the extension uses:
 * read, write, the version, and the migrations, run in order before the first read or write.
 * The library would be 3 KB gzip more in the service worker, read at every start.
 */
import { extensionApi as browser } from '../extension-api';

import type { Migrations } from './migrations';

export interface VersionedItem<T> {
  readonly key: string;
  getValue(): Promise<T>;
  setValue(value: T): Promise<void>;
  getMeta(): Promise<{ v?: number }>;
}

export function defineVersionedItem<T>(
  key: `local:${string}`,
  options: { fallback: T; version: number; migrations: Migrations },
): VersionedItem<T> {
  const storageKey = key.slice('local:'.length);
  const metaKey = `${storageKey}$`;
  const read = async () => {
    const items = await browser.storage.local.get([storageKey, metaKey]);
    const meta = items[metaKey];
    return { value: items[storageKey], meta: (meta && typeof meta === 'object' ? meta : {}) as { v?: number } };
  };
  // A first write records the version, as the library does for an item never written.
  let needsVersion = false;
  const migrate = async () => {
    const { value, meta } = await read();
    needsVersion = value == null && meta.v == null;
    const from = meta.v ?? 1;
    if (value == null || from === options.version) return;
    if (from > options.version) throw new Error(`Version downgrade (v${from} -> v${options.version}) for "${key}"`);
    let migrated: unknown = value;
    for (let version = from + 1; version <= options.version; version++) {
      migrated = (await options.migrations[version]?.(migrated as never)) ?? migrated;
    }
    await browser.storage.local.set({ [storageKey]: migrated, [metaKey]: { ...meta, v: options.version } });
  };
  const migrated = migrate().catch((error) => console.error(`Migration failed for ${key}`, error));
  return {
    key,
    async getValue() {
      await migrated;
      return ((await read()).value ?? options.fallback) as T;
    },
    async setValue(value) {
      await migrated;
      const versioned = needsVersion ? { [metaKey]: { v: options.version } } : {};
      needsVersion = false;
      await browser.storage.local.set({ [storageKey]: value, ...versioned });
    },
    async getMeta() {
      await migrated;
      return (await read()).meta;
    },
  };
}
