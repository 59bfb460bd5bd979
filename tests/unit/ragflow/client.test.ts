import { createServer } from 'node:net';

import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { API_KEY_PATTERN } from '@/lib/ragflow/api-key';
import { RagflowClient, type RagflowClientOptions } from '@/lib/ragflow/client';
import type { AppError, ErrorKind } from '@/lib/errors';
import { GENERATIONS, type Generation } from '@/lib/ragflow/routes';
import { type FakeRagflow, type FakeRagflowOptions, HOSTILE_KEY_TOKENS, startFakeRagflow } from '../../fake-ragflow';
import { rejection } from '../../support/errors';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

const ALICE = { email: 'alice@example.com', password: 'correct horse 🐎', nickname: 'alice' };

async function expectKind(promise: Promise<unknown>, kind: ErrorKind): Promise<AppError> {
  const error = await rejection<AppError>(promise);
  expect(error.kind, `${String(error)}`).toBe(kind);
  expect(error.messageKey).toMatch(/^error[A-Z]/);
  return error;
}

const servers: FakeRagflow[] = [];

async function start(options: Partial<FakeRagflowOptions> & { generation: Generation }): Promise<FakeRagflow> {
  const server = await startFakeRagflow({ users: [ALICE], ...options });
  servers.push(server);
  return server;
}

function clientFor(server: FakeRagflow, options: Partial<RagflowClientOptions> = {}): RagflowClient {
  return new RagflowClient({ serverUrl: server.url, publicKeyPem: server.publicKeyPem, ...options });
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe.each(GENERATIONS)('against a %s server', (generation) => {
  it('detects the generation with one request, once, and shares it between callers', async () => {
    const server = await start({ generation });
    const detected: Generation[] = [];
    const client = clientFor(server, { onDetected: (found) => detected.push(found.generation) });

    const [first, second] = await Promise.all([client.detectGeneration(), client.detectGeneration()]);
    expect([first, second]).toEqual([generation, generation]);
    expect(server.count()).toBe(1);
    expect(detected).toEqual([generation]);
    expect(client.detected?.go).toBe(false);

    // Legacy and mixed servers answered the probe with their config: no request for it. RESTful
    // servers keep it on another route: one request, then known.
    await client.getPublicConfig();
    await client.getPublicConfig();
    expect(server.count()).toBe(generation === 'restful' ? 2 : 1);
    await client.getPublicConfig({ fresh: true });
    expect(server.count()).toBe(generation === 'restful' ? 3 : 2);
  });

  it('walks the whole happy path: register, login, list, create, verify, delete', async () => {
    const server = await start({ generation, users: [] });
    const client = clientFor(server);

    expect(await client.getPublicConfig()).toEqual({ registrationAllowed: true, passwordLoginAllowed: true });

    const registered = await client.register(ALICE);
    expect(registered.authorization).toBe(server.sessionToken(ALICE.email));
    expect(registered.user).toMatchObject({ email: ALICE.email, nickname: ALICE.nickname });

    const session = await client.login(ALICE);
    expect(session.authorization).toBe(server.sessionToken(ALICE.email));
    expect(session.authorization).not.toBe(registered.authorization);
    expect(await client.whoAmI(session.authorization)).toMatchObject({ email: ALICE.email });

    expect(await client.listKeys(session.authorization)).toEqual([]);
    const older = await client.createKey(session.authorization);
    const newer = await client.createKey(session.authorization);
    expect(newer.token).toMatch(/^ragflow-[\w-]{43}$/);
    expect(newer.createdAt).toBeGreaterThan(older.createdAt);
    // The server lists oldest first; the client promises newest first.
    expect((await client.listKeys(session.authorization)).map((key) => key.token)).toEqual([newer.token, older.token]);

    expect(await client.verifyKey(newer.token)).toBe('valid');
    await client.deleteKey(session.authorization, newer.token);
    expect(server.apiKeys(ALICE.email)).toEqual([older.token]);
    expect(await client.verifyKey(newer.token)).toBe('invalid');
    expect(await client.verifyKey('ragflow-never-issued')).toBe('invalid');
    // RAGFlow answers success when the key did not exist.
    await client.deleteKey(session.authorization, newer.token);

    await client.logout(session.authorization);
    await expectKind(client.listKeys(session.authorization), 'session-expired');
    // Logging out twice is not an error.
    await client.logout(session.authorization);
  });

  it('costs exactly 3 requests for login + list + create once the generation is known', async () => {
    const server = await start({ generation });
    const client = clientFor(server, { detected: { generation: generation, go: false } });
    const session = await client.login(ALICE);
    await client.listKeys(session.authorization);
    await client.createKey(session.authorization);
    expect(server.count()).toBe(3);
    expect(server.requests.map((request) => request.operation)).toEqual(['login', 'tokens.list', 'tokens.create']);
  });

  it('sends the password only as the ciphertext of the server key, which the server decrypts', async () => {
    const server = await start({ generation });
    await clientFor(server).login(ALICE);
    // With RAGFlow's default key, this server (its own pair) cannot decrypt: a distinct error.
    const withDefaultKey = new RagflowClient({ serverUrl: server.url });
    await expectKind(withDefaultKey.login(ALICE), 'password-not-decryptable');
  });

  it('maps every login error RAGFlow has to its own kind', async () => {
    const server = await start({
      generation,
      users: [ALICE, { email: 'bob@example.com', password: 'bob-password', disabled: true }],
    });
    const client = clientFor(server);

    const unknown = await expectKind(
      client.login({ email: 'nobody@example.com', password: 'x' }),
      'email-not-registered',
    );
    expect(unknown.serverCode).toBe(109);
    expect(unknown.serverMessage).toBe('Email: nobody@example.com is not registered!');
    await expectKind(client.login({ email: ALICE.email, password: 'wrong' }), 'wrong-password');
    const disabled = await expectKind(
      client.login({ email: 'bob@example.com', password: 'bob-password' }),
      'account-disabled',
    );
    expect(disabled.serverCode).toBe(403);

    server.options.passwordLoginEnabled = false;
    expect((await client.getPublicConfig({ fresh: true })).passwordLoginAllowed).toBe(generation === 'legacy');
    await expectKind(client.login(ALICE), 'password-login-disabled');
  });

  it('maps every register error RAGFlow has to its own kind', async () => {
    const server = await start({ generation });
    const client = clientFor(server);

    await expectKind(client.register({ ...ALICE }), 'email-already-registered');
    await expectKind(client.register({ ...ALICE, email: 'not-an-email' }), 'invalid-email');
    if (generation === 'restful') {
      const nickname = await expectKind(
        client.register({ ...ALICE, email: 'n@example.com', nickname: '' }),
        'ragflow-error',
      );
      expect(nickname.serverCode).toBe(101);
      expect(nickname.substitutions).toEqual(['Nickname cannot be empty.']);
    }
    server.options.registerEnabled = false;
    expect((await client.getPublicConfig({ fresh: true })).registrationAllowed).toBe(false);
    await expectKind(client.register({ ...ALICE, email: 'carol@example.com' }), 'registration-disabled');
  });

  it('treats a rotated session token as expired (HTTP 401)', async () => {
    const server = await start({ generation });
    const client = clientFor(server);
    const first = await client.login(ALICE);
    const second = await client.login(ALICE);
    const error = await expectKind(client.listKeys(first.authorization), 'session-expired');
    expect(error.status).toBe(401);
    await client.listKeys(second.authorization);
  });

  it('refuses a login success that carries no session token', async () => {
    const server = await start({ generation });
    server.injectFault('login', 'no-auth-header', 1);
    await expectKind(clientFor(server).login(ALICE), 'missing-session-token');
  });
});

describe('detection', () => {
  it('uses a remembered generation without probing', async () => {
    const server = await start({ generation: 'mixed' });
    const client = clientFor(server, { detected: { generation: 'mixed', go: false } });
    await client.getPublicConfig();
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/system/config']);
    await client.login(ALICE);
    expect(server.requests.map((request) => request.operation)).toEqual(['config', 'login']);
  });

  it('detects again by itself when a remembered route answers 404 (server upgraded)', async () => {
    const server = await start({ generation: 'legacy' });
    const detected: Generation[] = [];
    const client = clientFor(server, {
      detected: { generation: 'legacy', go: false },
      onDetected: (found) => detected.push(found.generation),
    });
    const session = await client.login(ALICE);

    server.options.generation = 'restful';
    server.resetCounts();
    await client.listKeys(session.authorization);
    // The 404 on the legacy route, the probe, the retry on the RESTful route.
    expect(server.count()).toBe(3);
    expect(client.generation).toBe('restful');
    expect(detected).toEqual(['restful']);
  });

  it('detects again when a route is not where the last detection said, and remembers it', async () => {
    // The server answered as legacy, then was upgraded to v0.25.0 between two requests.
    const server = await start({ generation: 'mixed' });
    const detected: Generation[] = [];
    const client = clientFor(server, { onDetected: (found) => detected.push(found.generation) });
    server.options.generation = 'legacy';
    expect(await client.detectGeneration()).toBe('legacy');
    const session = await client.login(ALICE);
    server.options.generation = 'mixed';
    server.resetCounts();
    await client.listKeys(session.authorization);
    expect(server.requests.map((request) => request.path)).toEqual([
      '/v1/system/token_list',
      '/v1/system/config',
      '/api/v1/system/tokens',
    ]);
    expect(client.generation).toBe('mixed');
    expect(detected).toEqual(['legacy', 'mixed']);
  });

  it('works through an nginx front with a path prefix', async () => {
    const server = await start({ generation: 'restful', nginx: true, pathPrefix: '/ragflow' });
    const client = new RagflowClient({ serverUrl: server.url, publicKeyPem: server.publicKeyPem });
    expect(client.baseUrl).toBe(server.url);
    await client.login(ALICE);
  });

  it("takes the web app's index.html for what it is: no RAGFlow API", async () => {
    const server = await start({ generation: 'restful', nginx: true, pathPrefix: '/ragflow' });
    // The prefix left out: every path lands on the web app.
    const client = new RagflowClient({
      serverUrl: normalizeServerUrl(server.origin),
      publicKeyPem: server.publicKeyPem,
    });
    await expectKind(client.detectGeneration(), 'not-ragflow');
    await expectKind(client.login(ALICE), 'not-ragflow');
    expect(client.generation).toBeUndefined();
  });
});

describe('transport faults', () => {
  let closedPort: number;

  beforeAll(async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
  });

  it('says "cannot connect" when the connection is refused', async () => {
    const client = new RagflowClient({ serverUrl: normalizeServerUrl(`http://127.0.0.1:${closedPort}`) });
    await expectKind(client.detectGeneration(), 'cannot-connect');
  });

  it('says "cannot connect" when the host does not resolve', async () => {
    const client = new RagflowClient({ serverUrl: normalizeServerUrl('http://ragflow.invalid') });
    await expectKind(client.detectGeneration(), 'cannot-connect');
  });

  it('times out a hanging server at the configured timeout', async () => {
    const server = await start({ generation: 'restful' });
    server.injectFault('*', 'hang');
    const error = await expectKind(clientFor(server, { timeoutMs: 300 }).detectGeneration(), 'timeout');
    expect(error.substitutions[0]).toBe(server.url);
  });

  it("reports a proxy's HTML 502 and a JSON 500 as server errors", async () => {
    const server = await start({ generation: 'restful' });
    const client = clientFor(server, { detected: { generation: 'restful', go: false } });
    server.injectFault('login', 'html502', 1);
    expect((await expectKind(client.login(ALICE), 'server-error')).status).toBe(502);
    server.injectFault('login', 'server-error', 1);
    expect((await expectKind(client.login(ALICE), 'server-error')).status).toBe(500);
  });

  it.each(['non-json', 'no-code'] as const)('reports %s as not RAGFlow', async (fault) => {
    const server = await start({ generation: 'restful' });
    server.injectFault('config', fault);
    await expectKind(
      clientFor(server, { detected: { generation: 'restful', go: false } }).getPublicConfig(),
      'not-ragflow',
    );
  });

  it('refuses a 10 MB answer unread, saying how much it takes', async () => {
    const server = await start({ generation: 'restful' });
    server.injectFault('config', 'huge');
    const error = await expectKind(
      clientFor(server, { detected: { generation: 'restful', go: false } }).getPublicConfig(),
      'response-too-large',
    );
    expect(error).toMatchObject({ messageKey: 'errorResponseTooLarge', substitutions: [server.url, '1'] });
  });

  it('retries a GET once after a network failure, and never a POST', async () => {
    const server = await start({ generation: 'restful' });
    const client = clientFor(server, { detected: { generation: 'restful', go: false } });
    server.injectFault('config', 'reset', 1);
    await client.getPublicConfig();
    expect(server.count('config')).toBe(2);

    server.injectFault('login', 'reset');
    await expectKind(client.login(ALICE), 'cannot-connect');
    expect(server.count('login')).toBe(1);

    server.injectFault('tokens.create', 'reset');
    await expectKind(client.createKey('whatever'), 'cannot-connect');
    expect(server.count('tokens.create')).toBe(1);
  });

  it('answers 401 in the middle of a flow as an expired session', async () => {
    const server = await start({ generation: 'mixed' });
    const client = clientFor(server);
    const session = await client.login(ALICE);
    server.injectFault('tokens.create', 'unauthorized', 1);
    await expectKind(client.createKey(session.authorization), 'session-expired');
    expect(server.apiKeys(ALICE.email)).toEqual([]);
  });
});

describe('hostile servers', () => {
  it.each(HOSTILE_KEY_TOKENS.map((token) => [JSON.stringify(token).slice(0, 60), token]))(
    'refuses a created key that is not in RAGFlow form: %s',
    async (_name, token) => {
      const server = await start({ generation: 'restful', hostileKeys: true });
      const client = clientFor(server);
      const session = await client.login(ALICE);
      // Every hostile token in turn: the one under test is the one the server makes now.
      for (const planted of HOSTILE_KEY_TOKENS.slice(0, HOSTILE_KEY_TOKENS.indexOf(token))) {
        server.plantKey(ALICE.email, planted);
      }
      const error = await expectKind(client.createKey(session.authorization), 'invalid-api-key');
      expect(error).toMatchObject({ messageKey: 'errorInvalidApiKey', substitutions: [server.url] });
      expect(JSON.stringify(error)).not.toContain(token);
      expect(error.message).not.toContain(token);
    },
  );

  it('refuses a key list that holds a key not in RAGFlow form, whatever else it holds', async () => {
    const server = await start({ generation: 'legacy' });
    const client = clientFor(server);
    const session = await client.login(ALICE);
    await client.createKey(session.authorization);
    server.plantKey(ALICE.email, 'ragflow-$(touch /tmp/pwned)');
    await expectKind(client.listKeys(session.authorization), 'invalid-api-key');
  });

  it('takes the keys the fake makes in RAGFlow form', async () => {
    const server = await start({ generation: 'restful' });
    const client = clientFor(server);
    const session = await client.login(ALICE);
    const key = await client.createKey(session.authorization);
    expect(key.token).toMatch(API_KEY_PATTERN);
  });

  it.each([307, 308, 302])(
    'follows no %i from the login: the other server receives nothing, and the error names it',
    async (status) => {
      const server = await start({ generation: 'restful' });
      const elsewhere = await start({ generation: 'restful' });
      server.injectRedirect('login', `${elsewhere.url}/api/v1/auth/login`, status);
      const client = clientFor(server, { detected: { generation: 'restful', go: false } });

      const error = await expectKind(client.login(ALICE), 'redirect-refused');
      expect(error).toMatchObject({ messageKey: 'errorRedirect', substitutions: [server.url, elsewhere.origin] });
      expect(elsewhere.requests).toEqual([]);
      expect(server.count('login')).toBe(1);
    },
  );

  it('follows no redirect of a session route either: the session header stays home', async () => {
    const server = await start({ generation: 'restful' });
    const elsewhere = await start({ generation: 'restful' });
    const client = clientFor(server, { detected: { generation: 'restful', go: false } });
    const session = await client.login(ALICE);
    server.injectRedirect('tokens.list', `${elsewhere.url}/api/v1/system/tokens`);
    await expectKind(client.listKeys(session.authorization), 'redirect-refused');
    expect(elsewhere.requests).toEqual([]);
  });
});

describe('construction', () => {
  it('rejects an invalid custom public key', () => {
    expect(() => new RagflowClient({ serverUrl: normalizeServerUrl('localhost'), publicKeyPem: 'nope' })).toThrow(
      /unreadable/,
    );
  });
});
