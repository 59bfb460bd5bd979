import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  changesPasteMenu,
  createMenuSync,
  keyOfMenuItem,
  type MenuApi,
  menuItemsToCreate,
  menuKeysOf,
  type PasteMenuItem,
  pasteMenuItems,
  serverOfMenuItem,
} from '@/lib/paste/menu';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

const TITLE = 'Paste RAGFlow key';
const A = { url: normalizeServerUrl('http://a.test'), name: 'Team A' };
const B = { url: normalizeServerUrl('https://b.test/rag'), name: 'b.test/rag' };

describe('pasteMenuItems', () => {
  it('with one server, is one top-level item that stands for it', () => {
    const items = pasteMenuItems([A], TITLE);
    expect(items).toEqual([{ id: 'paste-key:http://a.test', title: TITLE, contexts: ['editable'] }]);
    expect(serverOfMenuItem(items[0]!.id)).toBe('http://a.test');
  });

  it('with several, is a parent with one child per server, named after it', () => {
    const items = pasteMenuItems([A, B], TITLE);
    expect(items).toEqual([
      { id: 'paste-key', title: TITLE, contexts: ['editable'] },
      { id: 'paste-key:http://a.test', title: 'Team A', contexts: ['editable'], parentId: 'paste-key' },
      { id: 'paste-key:https://b.test/rag', title: 'b.test/rag', contexts: ['editable'], parentId: 'paste-key' },
    ]);
    expect(items.slice(1).map((item) => serverOfMenuItem(item.id))).toEqual([A.url, B.url]);
  });

  it('with none, is one item that stands for no server (it leads to signing in)', () => {
    const items = pasteMenuItems([], TITLE);
    expect(items).toEqual([{ id: 'paste-key', title: TITLE, contexts: ['editable'] }]);
    expect(serverOfMenuItem('paste-key')).toBeNull();
  });

  it('shows a name with %s as typed, not with the selected text in it', () => {
    expect(pasteMenuItems([A, { ...B, name: '100%sure' }], TITLE)[2]!.title).toBe('100% sure');
  });

  it('does not claim the items of others', () => {
    expect(serverOfMenuItem('something-else')).toBeUndefined();
    expect(serverOfMenuItem(42)).toBeUndefined();
  });
});

/** The contextMenus semantics that matter here: ids are unique, parents must exist. */
function inMemoryMenus() {
  const items = new Map<string, PasteMenuItem>();
  const calls: string[] = [];
  const api: MenuApi = {
    async removeAll() {
      calls.push('removeAll');
      await Promise.resolve();
      items.clear();
    },
    async create(item) {
      calls.push(`create ${item.id}`);
      await Promise.resolve();
      if (items.has(item.id)) throw new Error(`Cannot create item with duplicate id ${item.id}`);
      if (item.parentId && !items.has(item.parentId)) throw new Error(`Cannot find menu item with id ${item.parentId}`);
      items.set(item.id, item);
    },
  };
  return { api, items, calls };
}

afterEach(() => vi.useRealTimers());

describe('the on/off preference', () => {
  it('leaves no item when the user switched the menu off, and the usual ones otherwise', () => {
    expect(menuItemsToCreate(false, [A, B], TITLE)).toEqual([]);
    expect(menuItemsToCreate(false, [], TITLE)).toEqual([]);
    expect(menuItemsToCreate(true, [A], TITLE)).toEqual(pasteMenuItems([A], TITLE));
  });

  it('rebuilds the menu when the preferences change, as when the servers do', () => {
    expect(changesPasteMenu(['preferences'], 'local')).toBe(true);
    expect(changesPasteMenu(['settings'], 'local')).toBe(true);
    expect(changesPasteMenu(['account:http://a.test a@x'], 'session')).toBe(true);
    expect(changesPasteMenu(['popup.serverUrl'], 'local')).toBe(false);
    expect(changesPasteMenu(['preferences'], 'session')).toBe(false);
  });

  it('takes every item away when switched off, and brings them back when switched on', async () => {
    vi.useFakeTimers();
    const menus = inMemoryMenus();
    let enabled = true;
    const sync = createMenuSync(menus.api, async () => menuItemsToCreate(enabled, [A, B], TITLE), { delayMs: 100 });
    await sync.rebuild();
    expect(menus.items.size).toBe(3);

    enabled = false;
    sync.rebuildSoon();
    await vi.advanceTimersByTimeAsync(100);
    expect(menus.items.size).toBe(0);

    enabled = true;
    sync.rebuildSoon();
    await vi.advanceTimersByTimeAsync(100);
    expect(menus.items.size).toBe(3);
  });
});

describe('createMenuSync', () => {
  it('removes all, then creates, each time it is asked to rebuild', async () => {
    const menus = inMemoryMenus();
    const sync = createMenuSync(menus.api, async () => pasteMenuItems([A, B], TITLE));
    await sync.rebuild();
    await sync.rebuild();
    expect([...menus.items.keys()]).toEqual(['paste-key', 'paste-key:http://a.test', 'paste-key:https://b.test/rag']);
    expect(menus.calls.filter((call) => call === 'removeAll')).toHaveLength(2);
  });

  it('runs overlapping rebuilds one after the other (no duplicate id)', async () => {
    const menus = inMemoryMenus();
    const errors: unknown[] = [];
    const sync = createMenuSync(menus.api, async () => pasteMenuItems([A, B], TITLE), {
      onError: (e) => errors.push(e),
    });
    await Promise.all([sync.rebuild(), sync.rebuild(), sync.rebuild()]);
    expect(errors).toEqual([]);
    expect(menus.items.size).toBe(3);
  });

  it('folds a burst of changes into one rebuild, and skips it when nothing differs', async () => {
    vi.useFakeTimers();
    const menus = inMemoryMenus();
    let servers = [A];
    const sync = createMenuSync(menus.api, async () => pasteMenuItems(servers, TITLE), { delayMs: 100 });
    await sync.rebuild();
    menus.calls.length = 0;

    servers = [A, B];
    sync.rebuildSoon();
    sync.rebuildSoon();
    sync.rebuildSoon();
    await vi.advanceTimersByTimeAsync(100);
    expect(menus.calls.filter((call) => call === 'removeAll')).toHaveLength(1);
    expect(menus.items.has('paste-key:https://b.test/rag')).toBe(true);

    menus.calls.length = 0;
    sync.rebuildSoon();
    await vi.advanceTimersByTimeAsync(100);
    expect(menus.calls).toEqual([]);
  });

  it('reports a failure and rebuilds in full next time', async () => {
    const menus = inMemoryMenus();
    const errors: unknown[] = [];
    let fail = true;
    const sync = createMenuSync(
      {
        removeAll: menus.api.removeAll,
        create: async (item) => {
          if (fail) throw new Error('browser refused');
          await menus.api.create(item);
        },
      },
      async () => pasteMenuItems([A], TITLE),
      { onError: (error) => errors.push(error) },
    );
    await sync.rebuild();
    expect(errors).toHaveLength(1);
    fail = false;
    await sync.rebuild();
    expect([...menus.items.keys()]).toEqual(['paste-key:http://a.test']);
  });
});

describe('named keys in the paste menu', () => {
  const KEYS = [
    { fingerprint: 'f1', title: 'n8n prod' },
    { fingerprint: 'f2', title: 'ragflow-…abcd' },
  ];

  it("offers each key of a server that has them, by name, under the server's item", () => {
    const items = pasteMenuItems([A, B], TITLE, (url) => (url === A.url ? KEYS : []));
    const keyItems = items.filter((item) => keyOfMenuItem(item.id) !== undefined);
    expect(keyItems.map((item) => [item.title, item.parentId, keyOfMenuItem(item.id)])).toEqual([
      ['n8n prod', items[1]!.id, 'f1'],
      ['ragflow-…abcd', items[1]!.id, 'f2'],
    ]);
    expect(keyItems.map((item) => serverOfMenuItem(item.id))).toEqual([A.url, A.url]);
    expect(keyOfMenuItem(items[1]!.id)).toBeUndefined();
  });

  it('with one server, puts its keys straight under the top item', () => {
    const items = pasteMenuItems([A], TITLE, () => KEYS);
    expect(items.map((item) => item.parentId)).toEqual([undefined, 'paste-key', 'paste-key']);
    expect(serverOfMenuItem(items[0]!.id)).toBeNull();
  });

  it('offers the keys of an account only when it has several and one has a name', () => {
    const one = { token: 'ragflow-aaaa1111', fingerprint: 'f1' };
    const two = { token: 'ragflow-bbbb2222', fingerprint: 'f2' };
    expect(menuKeysOf([one, two])).toEqual([]);
    expect(menuKeysOf([{ ...one, name: 'n8n prod' }])).toEqual([]);
    expect(menuKeysOf([{ ...one, name: 'n8n prod' }, two])).toEqual([
      { fingerprint: 'f1', title: 'n8n prod' },
      { fingerprint: 'f2', title: 'ragflow-…2222' },
    ]);
  });

  it('rebuilds when a name changes', () => {
    expect(changesPasteMenu(['keyNotes'], 'local')).toBe(true);
  });
});
