import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { type AccountEntry, accountCache } from '@/lib/keys/account-cache';
import { serversGone, watchRemovedServers } from '@/lib/keys/forget-servers';
import { keyNotes } from '@/lib/keys/key-notes';
import { knownServers } from '@/lib/paste/servers';
import { normalizeServerUrl, type ServerUrl } from '@/lib/ragflow/server-url';
import { type ServerSettings, type Settings, sessionLifetimeFor, settingsItem } from '@/lib/settings/settings';

const UNTIL_CLOSED = { kind: 'until-browser-closes' } as const;
const server = (id: string, url: string, minutes?: number): ServerSettings => ({
  id,
  name: id,
  url: normalizeServerUrl(url),
  keyPolicy: 'reuse',
  sessionLifetime: minutes === undefined ? UNTIL_CLOSED : { kind: 'minutes', minutes },
});
const A = server('a', 'https://a.example.com');
const B = server('b', 'http://192.168.1.5:9380');

const account = (url: string): AccountEntry => ({
  serverUrl: normalizeServerUrl(url),
  email: 'me@example.com',
  authorization: `session-of-${url}`,
  keys: [{ token: 'ragflow-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', createdAt: 1 }],
  currentKey: 'ragflow-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  sessionSavedAt: 1,
});

/** Waits until the storage listener has done its work: the accounts left are these. */
async function cachedServers(): Promise<ServerUrl[]> {
  return (await accountCache.allAccounts()).map((entry) => entry.serverUrl).sort();
}

async function settle(): Promise<void> {
  // The listener runs on the change event; its removal is a storage call of its own.
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

beforeEach(async () => {
  fakeBrowser.reset();
  await settingsItem.setValue({ servers: [A, B], defaultServerId: 'a' });
  watchRemovedServers();
  for (const url of [A.url, B.url, 'http://localhost:9380']) await accountCache.saveAccount(account(url));
});

describe('forgetting a server', () => {
  it('forgets the sessions and keys of a removed server, and no other, and its menu entry goes', async () => {
    const next: Settings = { servers: [B], defaultServerId: 'b' };
    await settingsItem.setValue(next);
    await settle();
    expect(await cachedServers()).toEqual(['http://192.168.1.5:9380', 'http://localhost:9380']);
    expect(knownServers(next, await cachedServers()).map((known) => known.url)).not.toContain(A.url);
  });

  it("forgets a removed server's key names and paste records, and no other server's", async () => {
    const token = account(A.url).currentKey!;
    await keyNotes.recordPaste({ serverUrl: A.url, email: 'me@example.com' }, token, 'https://n8n.example.com', 1);
    await keyNotes.setName({ serverUrl: B.url, email: 'me@example.com' }, `${token}B`, 'kept');
    await settingsItem.setValue({ servers: [B], defaultServerId: 'b' });
    await settle();
    expect(Object.values(await keyNotes.all()).map((note) => note.serverUrl)).toEqual([B.url]);
  });

  it('forgets a server whose URL changed', async () => {
    await settingsItem.setValue({
      servers: [{ ...A, url: normalizeServerUrl('https://a2.example.com') }, B],
      defaultServerId: 'a',
    });
    await settle();
    expect(await cachedServers()).toEqual(['http://192.168.1.5:9380', 'http://localhost:9380']);
  });

  it('forgets the servers an import drops, and keeps those it keeps however they are typed', async () => {
    // Storage is read as an edge: a value written by hand, not normalised, still names its server.
    await settingsItem.setValue({ servers: [{ ...B, url: 'http://192.168.1.5:9380/api/v1/' as ServerUrl }] });
    await settle();
    expect(await cachedServers()).toEqual(['http://192.168.1.5:9380', 'http://localhost:9380']);
  });

  it('changes nothing when the servers stay', async () => {
    await settingsItem.setValue({ servers: [B, { ...A, name: 'renamed' }], defaultServerId: 'b' });
    await settle();
    expect(await cachedServers()).toEqual([A.url, B.url, 'http://localhost:9380'].sort());
  });

  it('says which servers a change removed', () => {
    expect(serversGone({ servers: [A, B] }, { servers: [B] })).toEqual([A.url]);
    expect(serversGone(undefined, { servers: [A] })).toEqual([]);
    expect(serversGone({ servers: [A] }, undefined)).toEqual([A.url]);
  });
});

describe('the session lifetime of a server that is not set up', () => {
  it('is its own for a set-up server', () => {
    expect(
      sessionLifetimeFor({ servers: [server('a', A.url, 30)] }, normalizeServerUrl('https://A.example.com/')),
    ).toEqual({
      kind: 'minutes',
      minutes: 30,
    });
  });

  it('is the shortest of the set-up servers for any other', () => {
    const settings = { servers: [server('a', A.url, 30), server('b', B.url, 5), server('c', 'http://c', undefined)] };
    expect(sessionLifetimeFor(settings, normalizeServerUrl('https://removed.example.com'))).toEqual({
      kind: 'minutes',
      minutes: 5,
    });
  });

  it('is until the browser closes when no server has a shorter one', () => {
    expect(sessionLifetimeFor({ servers: [A] }, normalizeServerUrl('https://typed.example.com'))).toEqual(UNTIL_CLOSED);
    expect(sessionLifetimeFor({ servers: [] }, normalizeServerUrl('https://typed.example.com'))).toEqual(UNTIL_CLOSED);
  });
});
