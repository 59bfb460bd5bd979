import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { type AccountEntry, accountCache } from '@/lib/keys/account-cache';
import { cachedKeyItemKey, isKeyFresh, isSessionFresh, serverKeyOf } from '@/lib/keys/cached-key';
import type { Settings } from '@/lib/settings/settings';

function account(serverUrl: string, email: string, currentKey: string | undefined, savedAt: number): AccountEntry {
  return { serverUrl, email, keys: [], currentKey, keysSavedAt: savedAt, sessionSavedAt: savedAt };
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('which key for a server', () => {
  const accounts = [
    account('http://a.test', 'old@x', 'key-a-old', 100),
    account('http://a.test', 'new@x', 'key-a-new', 200),
    account('http://a.test', 'nokey@x', undefined, 300),
    account('http://b.test', 'b@x', 'key-b', 400),
  ];

  it('is the current key of the account saved last on that server', () => {
    expect(serverKeyOf(accounts, 'http://a.test').key).toBe('key-a-new');
  });

  it("is never another server's key", () => {
    expect(serverKeyOf(accounts, 'http://b.test').key).toBe('key-b');
    expect(serverKeyOf(accounts, 'http://c.test')).toEqual({});
    expect(serverKeyOf([account('http://a.test:8080', 'a@x', 'k', 1)], 'http://a.test')).toEqual({});
  });
});

describe('which session for a server', () => {
  const entry = (serverUrl: string, email: string, authorization: string | undefined, sessionSavedAt: number) => ({
    serverUrl,
    email,
    authorization,
    keys: [],
    sessionSavedAt,
  });

  it('is the account of that server with a session token, signed in last', () => {
    const accounts: AccountEntry[] = [
      entry('http://a.test', 'old@x', 'token-old', 1),
      entry('http://a.test', 'new@x', 'token-new', 2),
      entry('http://a.test', 'gone@x', undefined, 3),
      entry('http://b.test', 'b@x', 'token-b', 4),
    ];
    expect(serverKeyOf(accounts, 'http://a.test').signedInEmail).toBe('new@x');
    expect(serverKeyOf(accounts, 'http://c.test').signedInEmail).toBeUndefined();
    expect(serverKeyOf([entry('http://a.test', 'gone@x', undefined, 1)], 'http://a.test')).toEqual({});
  });
});

describe('the freshness rule', () => {
  const minutes = (count: number): Settings => ({
    servers: [
      {
        id: 'a',
        name: 'A',
        url: 'http://a.test',
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
    const key = { serverUrl: 'http://a.test', email: 'me@x', key: 'ragflow-a', sessionSavedAt: 0 };
    expect(isKeyFresh(key, minutes(15), 15 * 60_000)).toBe(true);
    expect(isKeyFresh(key, minutes(15), 15 * 60_000 + 1)).toBe(false);
    // A server not set up gets the shortest lifetime any set-up server has.
    expect(isKeyFresh({ ...key, serverUrl: 'http://b.test' }, minutes(1), 60_001)).toBe(false);
    expect(isKeyFresh(key, { servers: [] }, Number.MAX_SAFE_INTEGER)).toBe(true);
  });
});

describe('the key item', () => {
  const itemKey = cachedKeyItemKey('http://a.test', 'Me@X');

  it('holds the key of an account, never its session token, and goes with the account', async () => {
    await accountCache.saveAccount({
      serverUrl: 'http://a.test',
      email: 'Me@X',
      authorization: 'session-token',
      keys: [],
      currentKey: 'ragflow-a',
      sessionSavedAt: 5,
      viaWebApp: true,
    });
    const stored = (await fakeBrowser.storage.session.get(itemKey))[itemKey];
    expect(stored).toEqual({
      serverUrl: 'http://a.test',
      email: 'Me@X',
      key: 'ragflow-a',
      viaWebApp: true,
      sessionSavedAt: 5,
    });
    expect(JSON.stringify(stored)).not.toContain('session-token');

    await accountCache.dropSession('http://a.test', 'me@x');
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
  });

  it('is removed when the account no longer has a key to hand out (revoked)', async () => {
    const entry = { serverUrl: 'http://a.test', email: 'me@x', keys: [], currentKey: 'ragflow-a' };
    await accountCache.saveAccount(entry);
    await accountCache.saveAccount({ ...entry, currentKey: undefined });
    expect(await fakeBrowser.storage.session.get(itemKey)).toEqual({});
    expect(await accountCache.allAccounts()).toHaveLength(1);
  });

  it('goes when the server is forgotten', async () => {
    await accountCache.saveAccount({ serverUrl: 'http://a.test', email: 'me@x', keys: [], currentKey: 'ragflow-a' });
    await accountCache.forgetServer('http://a.test');
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
  });
});
