/**
 * The "Paste RAGFlow key" context menu: its items as a function of the known servers, the server
 * an item id stands for, and rebuilding the items when the servers change.
 */
import type { ServerUrl } from '../ragflow/server-url';
import { KEY_NOTES_STORAGE_KEY } from '../settings/key-notes';
import { changesKnownServers, type KnownServer } from './servers';

/** The item of the top level; alone when there is no server to choose. */
export const PASTE_MENU_ID = 'paste-key';
const SERVER_ITEM_PREFIX = `${PASTE_MENU_ID}:`;
/** Between a server's URL and a key's fingerprint in a key's item id (no URL holds a space). */
const KEY_ITEM_SEPARATOR = ' key:';

/** One key of a server in its submenu: by fingerprint (ids carry no key), with its title. */
export interface MenuKey {
  fingerprint: string;
  /** The user's name for the key, else the key masked. */
  title: string;
}

export interface PasteMenuItem {
  id: string;
  title: string;
  /** Editable contexts only: the item is about putting text into a field. */
  contexts: ['editable'];
  parentId?: string;
}

/**
 * The items of one account's keys: only where it has several and the user named at least one
 * (an unnamed key is told apart by its end, masked like the popup's); none otherwise, so that the
 * server's item pastes its current key as before.
 */
export function menuKeysOf(keys: readonly { token: string; fingerprint: string; name?: string }[]): MenuKey[] {
  if (keys.length < 2 || !keys.some((key) => key.name)) return [];
  return keys.map(({ token, fingerprint, name }) => ({ fingerprint, title: name ?? `ragflow-…${token.slice(-4)}` }));
}

/** Chromium replaces `%s` in a title with the selected text; a name is shown as typed. */
const asTyped = (name: string) => name.replaceAll('%s', '% s');

/**
 * One server: a single top-level item that pastes its key. Several: a parent item with one child
 * per server, named after the server. None: a single item, which leads to signing in. A server
 * with several keys of which the user named one (`keys`) offers each key by its name instead.
 */
export function pasteMenuItems(
  servers: readonly KnownServer[],
  title: string,
  keysOf: (serverUrl: ServerUrl) => readonly MenuKey[] = () => [],
): PasteMenuItem[] {
  const contexts: ['editable'] = ['editable'];
  const keyItems = (serverUrl: ServerUrl, parentId: string) =>
    keysOf(serverUrl).map((key) => ({
      id: keyItemId(serverUrl, key.fingerprint),
      title: asTyped(key.title),
      contexts,
      parentId,
    }));
  if (servers.length === 0) return [{ id: PASTE_MENU_ID, title, contexts }];
  if (servers.length === 1) {
    const keys = keyItems(servers[0]!.url, PASTE_MENU_ID);
    return keys.length > 0
      ? [{ id: PASTE_MENU_ID, title, contexts }, ...keys]
      : [{ id: serverItemId(servers[0]!.url), title, contexts }];
  }
  return [
    { id: PASTE_MENU_ID, title, contexts },
    ...servers.flatMap((server) => [
      { id: serverItemId(server.url), title: asTyped(server.name), contexts, parentId: PASTE_MENU_ID },
      ...keyItems(server.url, serverItemId(server.url)),
    ]),
  ];
}

/**
 * The items to create: those of the servers, or none when the user switched the item off on the
 * options page (`contextMenuEnabled` of lib/settings/preferences.ts).
 */
export function menuItemsToCreate(
  contextMenuEnabled: boolean,
  servers: readonly KnownServer[],
  title: string,
  keysOf?: (serverUrl: ServerUrl) => readonly MenuKey[],
): PasteMenuItem[] {
  return contextMenuEnabled ? pasteMenuItems(servers, title, keysOf) : [];
}

/**
 * Whether a storage change can change the menu: the known servers, the on/off preference, or the
 * keys' names (lib/settings/key-notes.ts).
 */
export function changesPasteMenu(changedKeys: readonly string[], area: string): boolean {
  return (
    changesKnownServers(changedKeys, area) ||
    (area === 'local' && (changedKeys.includes('preferences') || changedKeys.includes(KEY_NOTES_STORAGE_KEY)))
  );
}

function serverItemId(serverUrl: ServerUrl): string {
  return `${SERVER_ITEM_PREFIX}${serverUrl}`;
}

function keyItemId(serverUrl: ServerUrl, fingerprint: string): string {
  return `${serverItemId(serverUrl)}${KEY_ITEM_SEPARATOR}${fingerprint}`;
}

/** The fingerprint of the key a clicked item stands for; undefined for any other item. */
export function keyOfMenuItem(menuItemId: string | number): string | undefined {
  const id = String(menuItemId);
  const at = id.indexOf(KEY_ITEM_SEPARATOR);
  return id.startsWith(SERVER_ITEM_PREFIX) && at >= 0 ? id.slice(at + KEY_ITEM_SEPARATOR.length) : undefined;
}

/**
 * What a clicked item stands for: `null` for ours without a server (nothing set up yet), the
 * server's URL for a server's item, `undefined` for an item that is not ours.
 */
export function serverOfMenuItem(menuItemId: string | number): ServerUrl | null | undefined {
  const id = String(menuItemId);
  if (id === PASTE_MENU_ID) return null;
  if (!id.startsWith(SERVER_ITEM_PREFIX)) return undefined;
  const server = id.slice(SERVER_ITEM_PREFIX.length);
  const at = server.indexOf(KEY_ITEM_SEPARATOR);
  // One of ours: made by serverItemId from a server URL, which it carries as it was.
  return (at >= 0 ? server.slice(0, at) : server) as ServerUrl;
}

/** The two calls of `contextMenus` the rebuild needs, as promises. */
export interface MenuApi {
  removeAll(): Promise<void>;
  create(item: PasteMenuItem): Promise<void>;
}

export interface MenuSync {
  /** Remove all, then create: on install, update and browser start-up. */
  rebuild(): Promise<void>;
  /** After a storage change: one rebuild for a burst of changes, skipped when nothing differs. */
  rebuildSoon(): void;
}

/** Storage changes come in bursts (a login saves the server, then the account). */
export const REBUILD_DELAY_MS = 150;

/**
 * Keeps the menu in step with the servers. Rebuilds run one after another: two interleaved
 * remove-all-then-create sequences would fail with "duplicate id".
 */
export function createMenuSync(
  api: MenuApi,
  buildItems: () => Promise<PasteMenuItem[]>,
  options: { delayMs?: number; onError?: (error: unknown) => void } = {},
): MenuSync {
  let queue: Promise<void> = Promise.resolve();
  let lastBuilt: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const run = (force: boolean) => {
    queue = queue.then(async () => {
      try {
        const items = await buildItems();
        const signature = JSON.stringify(items);
        if (!force && signature === lastBuilt) return;
        lastBuilt = undefined;
        await api.removeAll();
        for (const item of items) await api.create(item);
        lastBuilt = signature;
      } catch (error) {
        options.onError?.(error);
      }
    });
    return queue;
  };

  return {
    rebuild: () => run(true),
    rebuildSoon() {
      clearTimeout(timer);
      timer = setTimeout(() => void run(false), options.delayMs ?? REBUILD_DELAY_MS);
    },
  };
}
