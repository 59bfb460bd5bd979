import { describe, expect, it } from 'vitest';

import { changesKnownServers, knownServers, serverForShortcut } from '@/lib/paste/servers';
import type { ServerSettings, Settings } from '@/lib/settings/settings';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

function settingsOf(servers: Partial<ServerSettings>[], defaultServerId?: string): Settings {
  return {
    servers: servers.map((server, index) => ({
      id: `s${index}`,
      name: '',
      url: normalizeServerUrl('http://unnamed.test'),
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
      { name: 'Team', url: normalizeServerUrl('https://rag.example.com') },
      { name: '', url: normalizeServerUrl('http://localhost:9380') },
    ]);
    const cached = ['http://zeta.test', 'http://alpha.test', 'https://rag.example.com'].map(normalizeServerUrl);
    expect(knownServers(settings, cached)).toEqual([
      { url: 'https://rag.example.com', name: 'Team' },
      { url: 'http://localhost:9380', name: 'localhost:9380' },
      { url: 'http://alpha.test', name: 'alpha.test' },
      { url: 'http://zeta.test', name: 'zeta.test' },
    ]);
  });

  it('lists a server once, however its URL was typed when saved', () => {
    const settings = settingsOf([
      { name: 'Local', url: normalizeServerUrl('localhost:9380') },
      { name: 'Again', url: normalizeServerUrl('http://localhost:9380/') },
    ]);
    expect(knownServers(settings, [normalizeServerUrl('http://localhost:9380')])).toEqual([
      { url: 'http://localhost:9380', name: 'Local' },
    ]);
  });

  it('tells apart two servers of the same name by their address', () => {
    const settings = settingsOf([
      { name: 'RAGFlow', url: normalizeServerUrl('http://a.test') },
      { name: 'RAGFlow', url: normalizeServerUrl('http://b.test') },
    ]);
    expect(knownServers(settings, []).map((server) => server.name)).toEqual(['RAGFlow (a.test)', 'RAGFlow (b.test)']);
  });
});

describe('serverForShortcut', () => {
  const one = [{ url: normalizeServerUrl('http://a.test'), name: 'a.test' }];
  const two = [...one, { url: normalizeServerUrl('http://b.test'), name: 'b.test' }];

  it('is the only known server', () => {
    expect(serverForShortcut(one, NONE, normalizeServerUrl('http://elsewhere.test'))).toBe('http://a.test');
  });

  it('with several, is the default server, else the one the popup used last', () => {
    const settings = settingsOf(
      [{ url: normalizeServerUrl('http://a.test') }, { url: normalizeServerUrl('http://b.test') }],
      's1',
    );
    expect(serverForShortcut(two, settings, normalizeServerUrl('http://a.test'))).toBe('http://b.test');
    expect(serverForShortcut(two, NONE, normalizeServerUrl('http://b.test/'))).toBe('http://b.test');
  });

  it('with several and no rule that picks one, is none', () => {
    expect(serverForShortcut(two, NONE, undefined)).toBeUndefined();
    expect(serverForShortcut(two, NONE, normalizeServerUrl('http://unknown.test'))).toBeUndefined();
    expect(serverForShortcut([], NONE, normalizeServerUrl('http://a.test'))).toBeUndefined();
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
