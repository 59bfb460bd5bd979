import { describe, expect, it } from 'vitest';

import { isWebAppPage, serverUrlCandidates, type TabInfo, webAppTabs } from '@/lib/web-session/web-app';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

describe('web-app pages', () => {
  it('are on the server’s origin, port included, under its path prefix', () => {
    expect(isWebAppPage('http://127.0.0.1:9380/knowledge?id=1', normalizeServerUrl('http://127.0.0.1:9380'))).toBe(
      true,
    );
    expect(isWebAppPage('http://127.0.0.1:9380/', normalizeServerUrl('http://127.0.0.1:9380'))).toBe(true);
    expect(isWebAppPage('http://127.0.0.1:8080/', normalizeServerUrl('http://127.0.0.1:9380'))).toBe(false);
    expect(isWebAppPage('https://127.0.0.1:9380/', normalizeServerUrl('http://127.0.0.1:9380'))).toBe(false);
    expect(isWebAppPage('https://rag.example.com/ragflow', normalizeServerUrl('https://rag.example.com/ragflow'))).toBe(
      true,
    );
    expect(
      isWebAppPage('https://rag.example.com/ragflow/chat', normalizeServerUrl('https://rag.example.com/ragflow')),
    ).toBe(true);
    expect(
      isWebAppPage('https://rag.example.com/ragflowx/chat', normalizeServerUrl('https://rag.example.com/ragflow')),
    ).toBe(false);
    expect(isWebAppPage('https://rag.example.com/', normalizeServerUrl('https://rag.example.com/ragflow'))).toBe(false);
    expect(isWebAppPage('not a url', normalizeServerUrl('https://rag.example.com'))).toBe(false);
  });

  it('are offered the named tab first, then active ones, then the most recently used', () => {
    const tab = (id: number, url: string, active = false, lastAccessed = id): TabInfo => ({
      id,
      url,
      active,
      lastAccessed,
    });
    const tabs = [
      tab(1, 'http://localhost:9380/a'),
      tab(2, 'http://localhost:9380/b', false, 50),
      tab(3, 'http://other.test/', true),
      tab(4, 'http://localhost:9380/c', true),
      tab(5, 'http://localhost:9380/d'),
    ];
    expect(webAppTabs(tabs, normalizeServerUrl('http://localhost:9380')).map((t) => t.id)).toEqual([4, 2, 5, 1]);
    expect(webAppTabs(tabs, normalizeServerUrl('http://localhost:9380'), 1).map((t) => t.id)).toEqual([1, 4, 2, 5]);
    expect(webAppTabs(tabs, normalizeServerUrl('http://localhost:9380'), 3).map((t) => t.id)).toEqual([4, 2, 5, 1]);
  });
});

describe('server candidates of a page', () => {
  it('are the origin, then one or two leading path segments', () => {
    expect(serverUrlCandidates('http://127.0.0.1:9380/')).toEqual(['http://127.0.0.1:9380']);
    expect(serverUrlCandidates('https://rag.example.com/ragflow/knowledge/dataset?id=1#top')).toEqual([
      'https://rag.example.com',
      'https://rag.example.com/ragflow',
      'https://rag.example.com/ragflow/knowledge',
    ]);
  });

  it('never end in an API route, and come only from web pages', () => {
    expect(serverUrlCandidates('http://localhost/v1/system/config')).toEqual(['http://localhost']);
    expect(serverUrlCandidates('http://localhost/ragflow/api/v1/datasets')).toEqual([
      'http://localhost',
      'http://localhost/ragflow',
    ]);
    expect(serverUrlCandidates('chrome-extension://abc/popup.html')).toEqual([]);
    expect(serverUrlCandidates('file:///home/me/page.html')).toEqual([]);
    expect(serverUrlCandidates('garbage')).toEqual([]);
  });
});
