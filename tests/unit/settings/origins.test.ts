import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { MANIFEST_ORIGINS, originsToRelease, originToRequest } from '@/lib/settings/origins';

const at = (...urls: string[]) => urls.map((url) => ({ url }));

describe('originToRequest', () => {
  it('asks for the exact host, without port or path', () => {
    expect(originToRequest('https://rag.example.com:8443/ragflow')).toBe('https://rag.example.com/*');
    expect(originToRequest('http://10.0.0.5:9380')).toBe('http://10.0.0.5/*');
  });

  it('asks for nothing the manifest grants: local http on any port', () => {
    expect(originToRequest('http://localhost:9380')).toBeNull();
    expect(originToRequest('http://127.0.0.1')).toBeNull();
    // https on localhost is another origin pattern, not in the manifest.
    expect(originToRequest('https://localhost:9380')).toBe('https://localhost/*');
  });

  it("lists exactly the manifest's host permissions", () => {
    const config = readFileSync('wxt.config.ts', 'utf8');
    const listed = /host_permissions:\s*\[([^\]]*)\]/.exec(config)?.[1] ?? '';
    expect([...listed.matchAll(/'([^']+)'/g)].map((match) => match[1])).toEqual([...MANIFEST_ORIGINS]);
  });
});

describe('originsToRelease', () => {
  it('gives back the origin of a removed server', () => {
    expect(originsToRelease(at('https://a.example.com', 'https://b.example.com'), at('https://b.example.com'))).toEqual(
      ['https://a.example.com/*'],
    );
  });

  it('keeps an origin another server still uses (another port or path prefix)', () => {
    const before = at('https://a.example.com', 'https://a.example.com:8443/staging');
    expect(originsToRelease(before, at('https://a.example.com:8443/staging'))).toEqual([]);
  });

  it('never gives back the manifest origins', () => {
    expect(originsToRelease(at('http://localhost:9380', 'http://127.0.0.1'), [])).toEqual([]);
  });

  it('gives back the old origin when an edit moves a server to another host', () => {
    expect(originsToRelease(at('https://old.example.com'), at('https://new.example.com'))).toEqual([
      'https://old.example.com/*',
    ]);
  });

  it('gives back each origin once', () => {
    expect(originsToRelease(at('https://a.example.com', 'https://a.example.com:1'), [])).toEqual([
      'https://a.example.com/*',
    ]);
  });
});
