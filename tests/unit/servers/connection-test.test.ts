import { afterEach, describe, expect, it } from 'vitest';

import { normalizeServerUrl } from '@/lib/ragflow/server-url';
import { testConnection } from '@/lib/servers/connection-test';
import { type FakeRagflow, type FakeRagflowOptions, startFakeRagflow } from '../../fake-ragflow';

const started: FakeRagflow[] = [];

async function fake(options: FakeRagflowOptions): Promise<FakeRagflow> {
  const server = await startFakeRagflow(options);
  started.push(server);
  return server;
}

const granted = { hasHostAccess: async () => true };

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

describe('testConnection', () => {
  it.each([
    ['legacy', 'v0.24', undefined, ['/v1/system/config', '/api/v1/system/version', '/v1/user/login/channels']],
    ['mixed', 'v0.25.0', undefined, ['/v1/system/config', '/api/v1/system/version', '/v1/user/login/channels']],
    [
      'restful',
      'reported',
      'v0.25.1',
      ['/v1/system/config', '/api/v1/system/config', '/api/v1/system/version', '/api/v1/auth/login/channels'],
    ],
  ] as const)(
    'reports a %s server: generation, release, what it allows',
    async (generation, release, version, paths) => {
      const server = await fake({ generation });
      const remembered: unknown[] = [];
      const result = await testConnection(server.url, {
        ...granted,
        remember: async (url, detected) => remembered.push([url, detected.generation]),
      });

      expect(result).toEqual({
        ok: true,
        serverUrl: server.url,
        generation,
        go: false,
        release,
        ...(version && { version }),
        registrationAllowed: true,
        passwordLoginAllowed: true,
        channels: [],
        roundTripMs: expect.any(Number),
      });
      // Detection (with the config where the release has it there), the version route, the
      // channels: nobody signs in.
      expect(server.requests.map((request) => request.path)).toEqual(paths);
      // One detection per server: what Test connection found serves the key flow next.
      expect(remembered).toEqual([[server.url, generation]]);
    },
  );

  it('reports registration and password sign-in switched off', async () => {
    const server = await fake({ generation: 'restful', registerEnabled: false, passwordLoginEnabled: false });
    expect(await testConnection(server.url, granted)).toMatchObject({
      ok: true,
      registrationAllowed: false,
      passwordLoginAllowed: false,
    });
  });

  it('works behind nginx with a path prefix', async () => {
    const server = await fake({ generation: 'mixed', nginx: true, pathPrefix: '/ragflow' });
    expect(server.url).toBe(`${server.origin}/ragflow`);
    expect(await testConnection(normalizeServerUrl(`${server.url}/api/v1`), granted)).toMatchObject({
      ok: true,
      serverUrl: server.url,
      generation: 'mixed',
    });
  });

  it('times one request with the given clock', async () => {
    const server = await fake({ generation: 'restful' });
    let now = 1000;
    const result = await testConnection(server.url, {
      ...granted,
      clock: () => {
        const reading = now;
        now += 21.6;
        return reading;
      },
    });
    expect(result).toMatchObject({ ok: true, roundTripMs: 22 });
  });

  it('returns the error kind of a server that is down, as data', async () => {
    const server = await fake({ generation: 'restful' });
    const url = server.url;
    await server.close();
    expect(await testConnection(url, granted)).toEqual({
      ok: false,
      error: expect.objectContaining({
        kind: 'cannot-connect',
        messageKey: 'errorCannotConnect',
        substitutions: [url],
      }),
    });
  });

  it('says "not RAGFlow" for a web page that answers every path', async () => {
    const server = await fake({ generation: 'restful', nginx: true, pathPrefix: '/ragflow' });
    // Without the prefix, nginx serves the web app's index.html for the probe.
    expect(await testConnection(normalizeServerUrl(server.origin), granted)).toMatchObject({
      ok: false,
      error: { kind: 'not-ragflow' },
    });
  });

  it('says access is needed, before any request, when the origin is not granted', async () => {
    const server = await fake({ generation: 'restful' });
    const result = await testConnection(server.url, { hasHostAccess: async () => false });
    expect(result).toEqual({
      ok: false,
      error: { kind: 'no-host-access', messageKey: 'errorNoHostAccess', substitutions: [`127.0.0.1:${server.port}`] },
    });
    expect(server.count()).toBe(0);
  });
});
