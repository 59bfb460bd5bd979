import { describe, expect, it } from 'vitest';

import type { AppError } from '@/lib/errors';
import type { InvalidServerUrlReason } from '@/lib/ragflow/errors';
import { isCleartextOverNetwork, normalizeServerUrl, originPattern } from '@/lib/ragflow/server-url';

describe('normalizeServerUrl', () => {
  it.each([
    ['localhost:9380', 'http://localhost:9380'],
    ['localhost', 'http://localhost'],
    ['  localhost:9380/  ', 'http://localhost:9380'],
    ['http://host/', 'http://host'],
    ['HTTP://Host.Example:80/', 'http://host.example'],
    ['https://host/prefix/', 'https://host/prefix'],
    ['https://host/a/b///', 'https://host/a/b'],
    ['http://host/ragflow/api/v1', 'http://host/ragflow'],
    ['http://host:9380/v1/', 'http://host:9380'],
    ['http://host/#frag', 'http://host'],
    ['http://host/?x=1', 'http://host'],
    ['http://[::1]:9380', 'http://[::1]:9380'],
    ['192.168.1.5:9380', 'http://192.168.1.5:9380'],
    // A bare public name gets https; loopback, IP addresses, .local, .lan and single labels keep http.
    ['ragflow.example.com', 'https://ragflow.example.com'],
    ['Rag.Example.com:9380/ragflow/', 'https://rag.example.com:9380/ragflow'],
    ['http://ragflow.example.com', 'http://ragflow.example.com'],
    ['127.0.0.1:9380', 'http://127.0.0.1:9380'],
    ['app.localhost', 'http://app.localhost'],
    ['[::1]:9380', 'http://[::1]:9380'],
    ['[fd00::5]', 'http://[fd00::5]'],
    ['10.0.0.5', 'http://10.0.0.5'],
    ['ragflow.local:9380', 'http://ragflow.local:9380'],
    ['nas.lan', 'http://nas.lan'],
    ['ragflow:9380', 'http://ragflow:9380'],
    ['https://bücher.example/', 'https://xn--bcher-kva.example'],
    // A web-app address pasted whole: its long query goes, what is left is a server.
    [`http://host/?auth=${'t'.repeat(1900)}`, 'http://host'],
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizeServerUrl(input)).toBe(expected);
  });

  it.each<[string, InvalidServerUrlReason, string | undefined]>([
    ['', 'empty', undefined],
    ['   ', 'empty', undefined],
    ['javascript:alert(1)', 'javascript', undefined],
    ['file:///etc/passwd', 'file', undefined],
    ['data:text/html,hi', 'data', undefined],
    ['chrome://settings', 'browser-page', 'chrome:'],
    ['about:blank', 'browser-page', 'about:'],
    ['ftp://host/', 'unsupported-scheme', 'ftp:'],
    ['ws://host:9380', 'unsupported-scheme', 'ws:'],
    ['http://u:p@host', 'credentials', undefined],
    ['http://user@host', 'credentials', undefined],
    ['http://', 'malformed', undefined],
    ['http://exa mple.com', 'malformed', undefined],
    [`http://host/${'a'.repeat(2100)}`, 'too-long', undefined],
    // Under the raw limit, but a path of 2,000 characters is a page, not a server.
    [`http://host/${'a'.repeat(2000 - 'http://host/'.length)}`, 'too-long', undefined],
  ])('rejects %j (%s)', (input, reason, scheme) => {
    let caught: unknown;
    try {
      normalizeServerUrl(input);
    } catch (error) {
      caught = error;
    }
    const error = caught as AppError<'invalid-server-url'>;
    expect(error.kind).toBe('invalid-server-url');
    expect(error.reason).toBe(reason);
    expect(error.substitutions).toEqual(scheme ? [scheme] : []);
  });

  it('gives each rejection its own message', () => {
    const inputs = ['', 'javascript:x', 'file:///x', 'data:,x', 'chrome://x', 'ftp://x', 'http://u:p@x', 'http://'];
    const keys = inputs.map((input) => {
      try {
        normalizeServerUrl(input);
      } catch (error) {
        return (error as AppError).messageKey;
      }
      return 'accepted';
    });
    expect(new Set(keys).size).toBe(inputs.length);
  });
});

describe('originPattern', () => {
  it('drops the port, which match patterns cannot carry', () => {
    expect(originPattern('http://localhost:9380')).toBe('http://localhost/*');
    expect(originPattern('https://rag.example.com/prefix')).toBe('https://rag.example.com/*');
  });
});

describe('isCleartextOverNetwork', () => {
  it.each([
    ['http://rag.example.com', true],
    ['http://192.168.1.5:9380', true],
    ['http://ragflow.local', true],
    ['https://rag.example.com', false],
    ['http://localhost:9380', false],
    ['http://127.0.0.1:9380', false],
    ['http://[::1]:9380', false],
  ])('%s: %s', (baseUrl, expected) => {
    expect(isCleartextOverNetwork(baseUrl)).toBe(expected);
  });
});
