/**
 * What the extension keeps in the browser, read from inside it: its three `storage` areas and
 * every IndexedDB database of its origin. Run in the service worker or in an extension page
 * (`worker.evaluate(dumpExtensionStorage)`, `page.evaluate(dumpExtensionStorage)`), so it is
 * self-contained: no imports, no helpers outside its body, as the browser gets its source text.
 */

export interface IndexedDbDump {
  database: string;
  store: string;
  /** Every record's key and value, binary values decoded as UTF-8 text. */
  records: string;
}

export interface StorageSnapshot {
  local: Record<string, unknown>;
  session: Record<string, unknown>;
  sync: Record<string, unknown>;
  indexedDb: IndexedDbDump[];
}

export async function dumpExtensionStorage(): Promise<StorageSnapshot> {
  type Area = { get(keys: null): Promise<Record<string, unknown>> };
  type Api = { storage: Record<'local' | 'session' | 'sync', Area> };
  // Chrome's `chrome` and Firefox's `browser` both answer storage calls with promises in MV3.
  const scope = globalThis as unknown as { browser?: Api; chrome?: Api };
  const api = scope.browser?.storage ? scope.browser : scope.chrome;
  if (!api) throw new Error('No extension API here: not an extension page or service worker');

  const request = <T>(req: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  // Keys and values as text, so that a secret inside a binary value is found too.
  const asText = (value: unknown) =>
    JSON.stringify(value, (_key, item: unknown) => {
      if (item instanceof ArrayBuffer) return new TextDecoder().decode(item);
      if (ArrayBuffer.isView(item)) return new TextDecoder().decode(item);
      return item;
    });

  const indexedDb: IndexedDbDump[] = [];
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue;
    const db = await request(indexedDB.open(name));
    try {
      for (const store of Array.from(db.objectStoreNames)) {
        const objects = db.transaction(store, 'readonly').objectStore(store);
        const [keys, values] = await Promise.all([request(objects.getAllKeys()), request(objects.getAll())]);
        indexedDb.push({ database: name, store, records: asText({ keys, values }) });
      }
    } finally {
      db.close();
    }
  }

  const [local, session, sync] = await Promise.all([
    api.storage.local.get(null),
    api.storage.session.get(null),
    api.storage.sync.get(null),
  ]);
  return { local, session, sync, indexedDb };
}
