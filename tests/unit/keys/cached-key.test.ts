import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { type AccountEntry, accountCache } from '@/lib/keys/account-cache';
import { cachedKeyItemKey, isKeyFresh, isSessionFresh, serverKeyOf } from '@/lib/keys/cached-key';
import { normalizeServerUrl, type ServerUrl } from '@/lib/ragflow/server-url';
import type { Settings } from '@/lib/settings/settings';

const SERVER_A = normalizeServerUrl('http://a.test');
const SERVER_B = normalizeServerUrl('http://b.test');
const SERVER_C = normalizeServerUrl('http://c.test');

function account(serverUrl: ServerUrl, email: string, currentKey: string | undefined, savedAt: number): AccountEntry {
  return { serverUrl, email, keys: [], currentKey, keysSavedAt: savedAt, sessionSavedAt: savedAt };
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('which key for a server', () => {
  const accounts = [
    account(SERVER_A, 'old@x', 'key-a-old', 100),
    account(SERVER_A, 'new@x', 'key-a-new', 200),
    account(SERVER_A, 'nokey@x', undefined, 300),
    account(SERVER_B, 'b@x', 'key-b', 400),
  ];

  it('is the current key of the account saved last on that server', () => {
    expect(serverKeyOf(accounts, SERVER_A).key).toBe('key-a-new');
  });

  it("is never another server's key", () => {
    expect(serverKeyOf(accounts, SERVER_B).key).toBe('key-b');
    expect(serverKeyOf(accounts, SERVER_C)).toEqual({});
    expect(serverKeyOf([account(normalizeServerUrl('http://a.test:8080'), 'a@x', 'k', 1)], SERVER_A)).toEqual({});
  });
});

describe('which session for a server', () => {
  const entry = (serverUrl: ServerUrl, email: string, authorization: string | undefined, sessionSavedAt: number) => ({
    serverUrl,
    email,
    authorization,
    keys: [],
    sessionSavedAt,
  });

  it('is the account of that server with a session token, signed in last', () => {
    const accounts: AccountEntry[] = [
      entry(SERVER_A, 'old@x', 'token-old', 1),
      entry(SERVER_A, 'new@x', 'token-new', 2),
      entry(SERVER_A, 'gone@x', undefined, 3),
      entry(SERVER_B, 'b@x', 'token-b', 4),
    ];
    expect(serverKeyOf(accounts, SERVER_A).signedInEmail).toBe('new@x');
    expect(serverKeyOf(accounts, SERVER_C).signedInEmail).toBeUndefined();
    expect(serverKeyOf([entry(SERVER_A, 'gone@x', undefined, 1)], SERVER_A)).toEqual({});
  });
});

describe('the freshness rule', () => {
  const minutes = (count: number): Settings => ({
    servers: [
      {
        id: 'a',
        name: 'A',
        url: SERVER_A,
        keyPolicy: 'reuse',
        sessionLifetime: { kind: 'minutes', minutes: count },
      },
    ],
  });

  it('keeps a session for its lifetime from the sign-in, and for ever without one', () => {
    expect(isSessionFresh(1_000, 60_000, 61_000)).toBe(true);
    expect(isSessionFresh(1_000, 60_000, 61_001)).toBe(false);
    expect(isSessionFresh(undefined, 60_000, 0)).toBe(false);
    expect(isSessionFresh(undefined, undefined, Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it("follows the settings for a key item: the server's own lifetime, else the shortest", () => {
    const key = { serverUrl: SERVER_A, email: 'me@x', key: 'ragflow-a', sessionSavedAt: 0 };
    expect(isKeyFresh(key, minutes(15), 15 * 60_000)).toBe(true);
    expect(isKeyFresh(key, minutes(15), 15 * 60_000 + 1)).toBe(false);
    // A server not set up gets the shortest lifetime any set-up server has.
    expect(isKeyFresh({ ...key, serverUrl: SERVER_B }, minutes(1), 60_001)).toBe(false);
    expect(isKeyFresh(key, { servers: [] }, Number.MAX_SAFE_INTEGER)).toBe(true);
  });
});

describe('the key item', () => {
  const itemKey = cachedKeyItemKey(SERVER_A, 'Me@X');

  it('holds the key of an account, never its session token, and goes with the account', async () => {
    await accountCache.saveAccount({
      serverUrl: SERVER_A,
      email: 'Me@X',
      authorization: 'session-token',
      keys: [],
      currentKey: 'ragflow-a',
      sessionSavedAt: 5,
      viaWebApp: true,
    });
    const stored = (await fakeBrowser.storage.session.get(itemKey))[itemKey];
    expect(stored).toEqual({
      serverUrl: SERVER_A,
      email: 'Me@X',
      key: 'ragflow-a',
      viaWebApp: true,
      sessionSavedAt: 5,
    });
    expect(JSON.stringify(stored)).not.toContain('session-token');

    await accountCache.dropSession(SERVER_A, 'me@x');
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
  });

  it('is removed when the account no longer has a key to hand out (revoked)', async () => {
    const entry = { serverUrl: SERVER_A, email: 'me@x', keys: [], currentKey: 'ragflow-a' };
    await accountCache.saveAccount(entry);
    await accountCache.saveAccount({ ...entry, currentKey: undefined });
    expect(await fakeBrowser.storage.session.get(itemKey)).toEqual({});
    expect(await accountCache.allAccounts()).toHaveLength(1);
  });

  it('goes when the server is forgotten', async () => {
    await accountCache.saveAccount({ serverUrl: SERVER_A, email: 'me@x', keys: [], currentKey: 'ragflow-a' });
    await accountCache.forgetServer(SERVER_A);
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
  });
});
