import { describe, expect, it } from 'vitest';

import type { AccountEntry } from '@/lib/keys/account-cache';
import {
  changesKnownServers,
  currentKeyFor,
  knownServers,
  serverForShortcut,
  signedInAccountFor,
} from '@/lib/paste/servers';
import type { ServerSettings, Settings } from '@/lib/settings/settings';

function account(serverUrl: string, email: string, currentKey: string | undefined, savedAt: number): AccountEntry {
  return { serverUrl, email, keys: [], currentKey, keysSavedAt: savedAt, sessionSavedAt: savedAt };
}

function settingsOf(servers: Partial<ServerSettings>[], defaultServerId?: string): Settings {
  return {
    servers: servers.map((server, index) => ({
      id: `s${index}`,
      name: '',
      url: '',
      keyPolicy: 'reuse',
      sessionLifetime: { kind: 'until-browser-closes' },
      ...server,
    })),
    defaultServerId,
  };
}

const NONE = settingsOf([]);

describe('knownServers', () => {
  it('lists the configured servers in their order, then cached-only ones by address', () => {
    const settings = settingsOf([
      { name: 'Team', url: 'https://rag.example.com' },
      { name: '', url: 'http://localhost:9380' },
    ]);
    const accounts = [
      account('http://zeta.test', 'a@x', 'k1', 1),
      account('http://alpha.test', 'a@x', 'k2', 1),
      account('https://rag.example.com', 'a@x', 'k3', 1),
    ];
    expect(knownServers(settings, accounts)).toEqual([
      { url: 'https://rag.example.com', name: 'Team' },
      { url: 'http://localhost:9380', name: 'localhost:9380' },
      { url: 'http://alpha.test', name: 'alpha.test' },
      { url: 'http://zeta.test', name: 'zeta.test' },
    ]);
  });

  it('lists a server once, however its URL was typed', () => {
    const settings = settingsOf([
      { name: 'Local', url: 'localhost:9380' },
      { name: 'Again', url: 'http://localhost:9380/' },
    ]);
    expect(knownServers(settings, [account('http://localhost:9380', 'a@x', 'k', 1)])).toEqual([
      { url: 'http://localhost:9380', name: 'Local' },
    ]);
  });

  it('tells apart two servers of the same name by their address', () => {
    const settings = settingsOf([
      { name: 'RAGFlow', url: 'http://a.test' },
      { name: 'RAGFlow', url: 'http://b.test' },
    ]);
    expect(knownServers(settings, []).map((server) => server.name)).toEqual(['RAGFlow (a.test)', 'RAGFlow (b.test)']);
  });

  it('skips a stored URL that is not a server address', () => {
    expect(knownServers(settingsOf([{ name: 'Broken', url: 'javascript:alert(1)' }]), [])).toEqual([]);
  });
});

describe('currentKeyFor', () => {
  const accounts = [
    account('http://a.test', 'old@x', 'key-a-old', 100),
    account('http://a.test', 'new@x', 'key-a-new', 200),
    account('http://a.test', 'nokey@x', undefined, 300),
    account('http://b.test', 'b@x', 'key-b', 400),
  ];

  it('is the current key of the account saved last on that server', () => {
    expect(currentKeyFor(accounts, 'http://a.test')).toBe('key-a-new');
  });

  it("is never another server's key", () => {
    expect(currentKeyFor(accounts, 'http://b.test')).toBe('key-b');
    expect(currentKeyFor(accounts, 'http://c.test')).toBeUndefined();
    expect(currentKeyFor([account('http://a.test:8080', 'a@x', 'k', 1)], 'http://a.test')).toBeUndefined();
  });
});

describe('signedInAccountFor', () => {
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
    expect(signedInAccountFor(accounts, 'http://a.test')?.email).toBe('new@x');
    expect(signedInAccountFor(accounts, 'http://c.test')).toBeUndefined();
    expect(signedInAccountFor([entry('http://a.test', 'gone@x', undefined, 1)], 'http://a.test')).toBeUndefined();
  });
});

describe('serverForShortcut', () => {
  const one = [{ url: 'http://a.test', name: 'a.test' }];
  const two = [...one, { url: 'http://b.test', name: 'b.test' }];

  it('is the only known server', () => {
    expect(serverForShortcut(one, NONE, 'http://elsewhere.test')).toBe('http://a.test');
  });

  it('with several, is the default server, else the one the popup used last', () => {
    const settings = settingsOf([{ url: 'http://a.test' }, { url: 'http://b.test' }], 's1');
    expect(serverForShortcut(two, settings, 'http://a.test')).toBe('http://b.test');
    expect(serverForShortcut(two, NONE, 'http://b.test/')).toBe('http://b.test');
  });

  it('with several and no rule that picks one, is none', () => {
    expect(serverForShortcut(two, NONE, undefined)).toBeUndefined();
    expect(serverForShortcut(two, NONE, 'http://unknown.test')).toBeUndefined();
    expect(serverForShortcut([], NONE, 'http://a.test')).toBeUndefined();
  });
});

describe('changesKnownServers', () => {
  it('is true for cached accounts and the settings, not for other items', () => {
    expect(changesKnownServers(['account:http://a.test a@x'], 'session')).toBe(true);
    expect(changesKnownServers(['settings'], 'local')).toBe(true);
    expect(changesKnownServers(['server:http://a.test', 'paste.notice'], 'session')).toBe(false);
    expect(changesKnownServers(['popup.serverUrl'], 'local')).toBe(false);
    expect(changesKnownServers(['settings'], 'sync')).toBe(false);
  });
});
