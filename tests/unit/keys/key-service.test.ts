import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { detectedServers } from '@/lib/keys/detected-servers';

import { accountCache } from '@/lib/keys/account-cache';
import { createKeyService, type KeyPolicy, type KeyServiceDeps } from '@/lib/keys/key-service';
import type { KeyFlowStep } from '@/lib/messaging/protocol';
import { RagflowClient } from '@/lib/ragflow/client';
import { normalizeServerUrl, type ServerUrl } from '@/lib/ragflow/server-url';
import { type FakeRagflow, startFakeRagflow } from '../../fake-ragflow';
import { rejection } from '../../support/errors';

const ALICE = { email: 'alice@example.com', password: 's3cret-pässword' };

let server: FakeRagflow;
let steps: KeyFlowStep[];
let policy: KeyPolicy;
let access: boolean;

function service(overrides: Partial<KeyServiceDeps> = {}) {
  return createKeyService({
    hasHostAccess: async () => access,
    onStep: (step) => steps.push(step),
    keyPolicy: async () => policy,
    clientOptions: async () => ({ publicKeyPem: server.publicKeyPem }),
    ...overrides,
  });
}

/** Every storage area, as text, to search for what must never be there. */
async function allStorage(): Promise<string> {
  const areas = await Promise.all(
    (['local', 'session', 'sync', 'managed'] as const).map((area) => fakeBrowser.storage[area].get(null)),
  );
  return JSON.stringify(areas);
}

beforeEach(async () => {
  fakeBrowser.reset();
  steps = [];
  policy = 'reuse';
  access = true;
  server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
});

afterEach(async () => {
  await server.close();
});

describe('a server met for the first time', () => {
  it('is detected once when the popup asks about it while a sign-in runs', async () => {
    await server.close();
    // A legacy server answers the detection with its config: one `config` request each.
    server = await startFakeRagflow({ generation: 'legacy', users: [ALICE] });
    const keys = service();
    const [facts, key] = await Promise.all([
      keys.serverFacts(server.url),
      keys.getKey({ serverUrl: server.url, ...ALICE }),
    ]);
    expect(facts).toMatchObject({ generation: 'legacy' });
    expect(key.key).toMatch(/^ragflow-/);
    expect(server.count('config')).toBe(1);
  });
});

describe('a detection shared with a sign-in the user cancels', () => {
  it('still answers the popup, which asks again with its own request', async () => {
    await server.close();
    server = await startFakeRagflow({ generation: 'legacy', users: [ALICE], latencyMs: 150 });
    const keys = service();
    const signIn = rejection(keys.getKey({ serverUrl: server.url, ...ALICE, flowId: 'flow-1' }));
    // The sign-in's detection is on its way; the popup's question shares it.
    await vi.waitFor(() => expect(server.count('config')).toBe(1));
    const facts = keys.serverFacts(server.url);
    await keys.cancel({ flowId: 'flow-1' });
    expect(await signIn).toMatchObject({ kind: 'cancelled' });
    expect(await facts).toMatchObject({ generation: 'legacy' });
    // The cancelled request, and the popup's own.
    expect(server.count('config')).toBe(2);
    expect(server.count('login')).toBe(0);
  });
});

describe('a hostile server', () => {
  it('gets no key cached, shown or pasted when it hands out one not in RAGFlow form', async () => {
    await server.close();
    server = await startFakeRagflow({ generation: 'restful', users: [ALICE], hostileKeys: true });
    const error = await rejection(service().getKey({ serverUrl: server.url, ...ALICE }));
    expect(error).toMatchObject({ kind: 'invalid-api-key', messageKey: 'errorInvalidApiKey' });
    const entry = await accountCache.getAccount(server.url, ALICE.email);
    // The sign-in stays (a new key may be created later); no key does.
    expect(entry?.currentKey).toBeUndefined();
    expect(entry?.keys).toEqual([]);
    expect(JSON.stringify(await allStorage())).not.toContain('$(touch');
  });
});

describe('getting a key', () => {
  it('logs in, reuses nothing on an empty account, creates one key, and caches it', async () => {
    const keys = service();
    const result = await keys.getKey({ serverUrl: server.url, ...ALICE });

    expect(result).toEqual({
      key: server.apiKeys(ALICE.email)[0],
      serverUrl: server.url,
      email: ALICE.email,
      source: 'login',
    });
    // The detection probe: a RESTful server no longer has the legacy config route.
    expect(server.requests.map((request) => request.operation ?? request.path)).toEqual([
      '/v1/system/config',
      'login',
      'tokens.list',
      'tokens.create',
    ]);
    expect(steps).toEqual(['connecting', 'signing-in', 'getting-key']);

    const entry = await accountCache.getAccount(server.url, ALICE.email);
    expect(entry).toMatchObject({ authorization: server.sessionToken(ALICE.email), currentKey: result.key });
    expect((await detectedServers.get(server.url))?.generation).toBe('restful');
  });

  it('answers from the cache with zero requests the second time', async () => {
    const keys = service();
    const first = await keys.getKey({ serverUrl: server.url, ...ALICE });
    server.resetCounts();

    const again = await keys.getKey({ serverUrl: server.url, email: 'Alice@Example.com ', password: '' });
    expect(again).toMatchObject({ key: first.key, source: 'cache' });
    expect((await keys.keyForServer(server.url)).key).toBe(first.key);
    expect(server.count()).toBe(0);
  });

  it('with a live session and no cached key, lists and reuses the newest key: one request', async () => {
    const seeded = new RagflowClient({ serverUrl: server.url, publicKeyPem: server.publicKeyPem });
    const { authorization } = await seeded.login(ALICE);
    await seeded.createKey(authorization);
    const newest = await seeded.createKey(authorization);
    await detectedServers.remember(server.url, { generation: 'restful', go: false }, 0);
    await accountCache.saveAccount({ serverUrl: server.url, email: ALICE.email, authorization, keys: [] });
    server.resetCounts();

    const result = await service().getKey({ serverUrl: server.url, email: ALICE.email });
    expect(result).toMatchObject({ key: newest.token, source: 'session' });
    expect(server.requests.map((request) => request.operation)).toEqual(['tokens.list']);
  });

  it('creates a new key under the "new" policy even when the account has keys', async () => {
    const seeded = new RagflowClient({ serverUrl: server.url, publicKeyPem: server.publicKeyPem });
    await seeded.createKey((await seeded.login(ALICE)).authorization);
    policy = 'new';

    const result = await service().getKey({ serverUrl: server.url, ...ALICE });
    expect(server.apiKeys(ALICE.email)).toHaveLength(2);
    expect(result.key).toBe(server.apiKeys(ALICE.email)[1]);
  });

  it('shares one flow between five concurrent requests: one login, one key', async () => {
    const keys = service();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => keys.getKey({ serverUrl: server.url, ...ALICE })),
    );
    expect(new Set(results.map((result) => result.key)).size).toBe(1);
    expect(server.count('login')).toBe(1);
    expect(server.apiKeys(ALICE.email)).toHaveLength(1);
  });

  it('registers only when asked, then creates the first key without listing', async () => {
    const keys = service();
    const carol = { email: 'carol@example.com', password: 'carol-password' };

    expect((await rejection(keys.getKey({ serverUrl: server.url, ...carol }))).kind).toBe('email-not-registered');
    expect(server.count('register')).toBe(0);

    const result = await keys.getKey({ serverUrl: server.url, ...carol, createAccount: { nickname: 'carol' } });
    expect(result).toMatchObject({ key: server.apiKeys(carol.email)[0], source: 'register' });
    expect(server.requests.slice(-2).map((request) => request.operation)).toEqual(['register', 'tokens.create']);
    expect(steps).toContain('creating-account');
  });

  it('asks for the password when there is nothing cached, before any request', async () => {
    const error = await rejection(service().getKey({ serverUrl: server.url, email: ALICE.email }));
    expect(error).toMatchObject({ kind: 'password-required', messageKey: 'errorPasswordRequired' });
    expect(server.count()).toBe(0);
  });

  it('refuses an empty email before any request', async () => {
    const request = { serverUrl: server.url, email: '  ', password: 'x' };
    expect((await rejection(service().getKey(request))).kind).toBe('email-required');
    expect(server.count()).toBe(0);
  });

  it('refuses a password the server key cannot carry, before any request (not even the probe)', async () => {
    const error = await rejection(service().getKey({ serverUrl: server.url, ...ALICE, password: 'x'.repeat(184) }));
    expect(error).toMatchObject({ kind: 'password-too-long', substitutions: ['183'] });
    expect(server.count()).toBe(0);
  });

  it('says that access to the server is needed, before any request', async () => {
    access = false;
    const error = await rejection(service().getKey({ serverUrl: server.url, ...ALICE }));
    expect(error).toMatchObject({ kind: 'no-host-access', messageKey: 'errorNoHostAccess' });
    expect(server.count()).toBe(0);
  });

  it('caches nothing from a flow that fails before signing in, and a retry after the fault succeeds', async () => {
    const keys = service();
    server.injectFault('login', 'html502', 1);
    expect((await rejection(keys.getKey({ serverUrl: server.url, ...ALICE }))).kind).toBe('server-error');
    expect(await accountCache.getAccount(server.url, ALICE.email)).toBeUndefined();

    const result = await keys.getKey({ serverUrl: server.url, ...ALICE });
    expect(result.source).toBe('login');
  });
});

describe('a flow that fails after signing in', () => {
  it('caches no key but keeps the session token: the next try needs no password and no login', async () => {
    const keys = service();
    server.injectFault('tokens.create', 'html502', 1);
    expect((await rejection(keys.getKey({ serverUrl: server.url, ...ALICE }))).kind).toBe('server-error');

    const entry = await accountCache.getAccount(server.url, ALICE.email);
    expect(entry).toMatchObject({ authorization: server.sessionToken(ALICE.email), keys: [] });
    expect(entry?.currentKey).toBeUndefined();
    expect((await keys.keyForServer(server.url)).key).toBeUndefined();
    expect(server.apiKeys(ALICE.email)).toEqual([]);

    server.resetCounts();
    const result = await keys.getKey({ serverUrl: server.url, email: ALICE.email });
    expect(result).toMatchObject({ key: server.apiKeys(ALICE.email)[0], source: 'session' });
    expect(server.count('login')).toBe(0);
    expect(server.apiKeys(ALICE.email)).toHaveLength(1);
  });

  it('keeps the token of a new account too: its first key follows without a password', async () => {
    const keys = service();
    const carol = { email: 'carol@example.com', password: 'carol-password' };
    server.injectFault('tokens.create', 'server-error', 1);
    const failed = keys.getKey({ serverUrl: server.url, ...carol, createAccount: { nickname: 'carol' } });
    expect((await rejection(failed)).kind).toBe('server-error');
    expect((await keys.keyForServer(server.url)).key).toBeUndefined();

    const result = await keys.getKey({ serverUrl: server.url, email: carol.email });
    expect(result).toMatchObject({ key: server.apiKeys(carol.email)[0], source: 'session' });
    expect(server.count('register')).toBe(1);
    expect(server.count('login')).toBe(0);
  });

  it('survives the service worker stopping while the key is being created', async () => {
    server.injectFault('tokens.create', 'hang', 1);
    const lostFlow = service().getKey({ serverUrl: server.url, ...ALICE });
    // Its request hangs until the server closes; the worker that awaited it is gone by then.
    lostFlow.catch(() => {});
    await vi.waitFor(() => expect(server.count('tokens.create')).toBe(1));

    // A restarted worker: a new service, with nothing in memory, only storage.session.
    const result = await service().getKey({ serverUrl: server.url, email: ALICE.email });
    expect(result).toMatchObject({ key: server.apiKeys(ALICE.email)[0], source: 'session' });
    expect(server.count('login')).toBe(1);
    // The hung create made no key on the server: one key in all.
    expect(server.apiKeys(ALICE.email)).toHaveLength(1);
  });
});

describe('faults after a successful sign-in', () => {
  it('a 401 right after the login says the fresh session was refused, and caches no key', async () => {
    const keys = service();
    server.injectFault('tokens.list', 'unauthorized', 1);
    const error = await rejection(keys.getKey({ serverUrl: server.url, ...ALICE }));
    expect(error).toMatchObject({ kind: 'session-rejected', messageKey: 'errorSessionRejected' });
    // The token the server refused is not kept, whatever else is.
    expect((await accountCache.getAccount(server.url, ALICE.email))?.authorization).toBeUndefined();
    expect((await accountCache.getAccount(server.url, ALICE.email))?.currentKey).toBeUndefined();

    expect((await keys.getKey({ serverUrl: server.url, ...ALICE })).source).toBe('login');
  });

  it('the same after registering', async () => {
    const keys = service();
    server.injectFault('tokens.create', 'unauthorized', 1);
    const carol = { email: 'carol@example.com', password: 'carol-pw' };
    const error = await rejection(keys.getKey({ serverUrl: server.url, ...carol, createAccount: { nickname: 'C' } }));
    expect(error).toMatchObject({ kind: 'session-rejected' });
    expect((await accountCache.getAccount(server.url, carol.email))?.currentKey).toBeUndefined();
  });
});

describe('an expired session token', () => {
  async function expireCachedSession() {
    const keys = service();
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    const entry = await accountCache.getAccount(server.url, ALICE.email);
    await accountCache.saveAccount({ ...entry!, currentKey: undefined });
    // Another login (the web app, say) rotates the token.
    await new RagflowClient({ serverUrl: server.url, publicKeyPem: server.publicKeyPem }).login(ALICE);
    server.resetCounts();
    return keys;
  }

  it('is dropped, and without a password the answer is "session expired"', async () => {
    const keys = await expireCachedSession();
    const error = await rejection(keys.getKey({ serverUrl: server.url, email: ALICE.email }));
    expect(error).toMatchObject({ kind: 'session-expired', messageKey: 'errorSessionExpired' });
    expect(await accountCache.getAccount(server.url, ALICE.email)).toBeUndefined();
  });

  it('with a password, leads to one new login', async () => {
    const keys = await expireCachedSession();
    const result = await keys.getKey({ serverUrl: server.url, ...ALICE });
    expect(result.source).toBe('login');
    expect(server.requests.map((request) => request.operation)).toEqual(['tokens.list', 'login', 'tokens.list']);
    expect(server.apiKeys(ALICE.email)).toHaveLength(1);
  });
});

describe('the session-cache lifetime', () => {
  const FIFTEEN_MINUTES = 15 * 60_000;
  let clock: number;

  /** A service whose clock the test moves; undefined: until the browser closes. */
  function timedService(maxAgeMs: number | undefined) {
    return service({ now: () => clock, sessionMaxAgeMs: async () => maxAgeMs });
  }

  beforeEach(() => {
    clock = 1_700_000_000_000;
  });

  it('answers from the cache while the sign-in is younger than the lifetime', async () => {
    const keys = timedService(FIFTEEN_MINUTES);
    const { key } = await keys.getKey({ serverUrl: server.url, ...ALICE });
    clock += FIFTEEN_MINUTES;
    server.resetCounts();

    expect((await keys.keyForServer(server.url)).key).toBe(key);
    expect(await keys.getKey({ serverUrl: server.url, email: ALICE.email })).toMatchObject({ key, source: 'cache' });
    expect(server.count()).toBe(0);
  });

  it('treats an older entry as absent, and removes it', async () => {
    const keys = timedService(FIFTEEN_MINUTES);
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    clock += FIFTEEN_MINUTES + 1;

    expect((await keys.keyForServer(server.url)).key).toBeUndefined();
    expect(await accountCache.getAccount(server.url, ALICE.email)).toBeUndefined();
    const error = await rejection(keys.getKey({ serverUrl: server.url, email: ALICE.email }));
    expect(error.kind).toBe('password-required');
  });

  it('counts from the sign-in: reusing the session does not extend it', async () => {
    const keys = timedService(FIFTEEN_MINUTES);
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    const entry = await accountCache.getAccount(server.url, ALICE.email);
    await accountCache.saveAccount({ ...entry!, currentKey: undefined });
    clock += 10 * 60_000;
    // The session token gets the key again (a list, no login) ...
    expect((await keys.getKey({ serverUrl: server.url, email: ALICE.email })).source).toBe('session');
    clock += 5 * 60_000 + 1;
    // ... but 15 minutes after the sign-in, the entry is gone all the same.
    expect((await keys.keyForServer(server.url)).key).toBeUndefined();
  });

  it('signs in again with a password once the entry expired', async () => {
    const keys = timedService(FIFTEEN_MINUTES);
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    clock += FIFTEEN_MINUTES + 1;
    server.resetCounts();
    expect((await keys.getKey({ serverUrl: server.url, ...ALICE })).source).toBe('login');
    expect(server.count('login')).toBe(1);
  });

  it('leaves expired accounts out of the list of every account (the paste feature reads it), and removes them', async () => {
    const keys = timedService(FIFTEEN_MINUTES);
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    const other = {
      serverUrl: normalizeServerUrl('http://other.test'),
      email: 'bob@x',
      keys: [],
      currentKey: 'ragflow-other',
      sessionSavedAt: clock,
    };
    await accountCache.saveAccount(other);
    clock += FIFTEEN_MINUTES + 1;

    const lifetimeOf = (serverUrl: ServerUrl) => (serverUrl === server.url ? FIFTEEN_MINUTES : undefined);
    expect(await accountCache.freshAccounts(lifetimeOf, clock)).toEqual([other]);
    expect(await accountCache.allAccounts()).toEqual([other]);
  });

  it('answers paste under the same rule: an expired server has no key, no session and no menu item', async () => {
    const keys = timedService(FIFTEEN_MINUTES);
    const { key } = await keys.getKey({ serverUrl: server.url, ...ALICE });
    expect(await keys.keyForServer(server.url)).toEqual({ key, signedInEmail: ALICE.email });
    expect(await keys.cachedServers()).toEqual([server.url]);
    clock += FIFTEEN_MINUTES + 1;
    expect(await keys.keyForServer(server.url)).toEqual({});
    expect(await keys.cachedServers()).toEqual([]);
    // Its key item went with it: the popup, which reads that item, finds nothing either.
    expect(await fakeBrowser.storage.session.get(null)).toEqual({});
  });

  it('until the browser closes, keeps the entry however old', async () => {
    const keys = timedService(undefined);
    const { key } = await keys.getKey({ serverUrl: server.url, ...ALICE });
    clock += 30 * 24 * 60 * 60_000;
    expect((await keys.keyForServer(server.url)).key).toBe(key);
  });
});

describe('signing out', () => {
  it('forgets the server locally and keeps the server session unless asked', async () => {
    const keys = service();
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    const token = server.sessionToken(ALICE.email);

    await keys.signOut({ serverUrl: server.url, alsoLogOutOfServer: false });
    expect((await keys.keyForServer(server.url)).key).toBeUndefined();
    expect(server.count('logout')).toBe(0);
    expect(server.sessionToken(ALICE.email)).toBe(token);
  });

  it("also calls the server's logout when asked", async () => {
    const keys = service();
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    await keys.signOut({ serverUrl: server.url, alsoLogOutOfServer: true });
    expect(server.count('logout')).toBe(1);
    expect(server.sessionToken(ALICE.email)).toBeNull();
  });

  it('keeps the detected generation, so the next sign-in needs no probe', async () => {
    const keys = service();
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    await keys.signOut({ serverUrl: server.url, alsoLogOutOfServer: false });
    server.resetCounts();
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    expect(server.requests.map((request) => request.operation)).toEqual(['login', 'tokens.list']);
  });
});

describe('secrets', () => {
  it('never writes the password or its base64 to any storage area', async () => {
    const keys = service();
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    await keys.getKey({
      serverUrl: server.url,
      email: 'dave@example.com',
      password: 'dave-pw',
      createAccount: { nickname: 'd' },
    });
    await keys.signOut({ serverUrl: server.url, alsoLogOutOfServer: false });
    expect(
      (await rejection(keys.getKey({ serverUrl: server.url, email: ALICE.email, password: 'wrong-one' }))).kind,
    ).toBe('wrong-password');
    await keys.getKey({ serverUrl: server.url, ...ALICE });

    const everything = await allStorage();
    expect(everything).toContain(server.apiKeys(ALICE.email)[0]);
    for (const secret of [ALICE.password, 'dave-pw', 'wrong-one']) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(Buffer.from(secret).toString('base64'));
    }
    const local = JSON.stringify(await fakeBrowser.storage.local.get(null));
    expect(local).not.toContain('ragflow-');
  });
});

describe('server config', () => {
  it('reports registration and password login, and remembers the generation', async () => {
    server.options.registerEnabled = false;
    expect(await service().serverConfig(server.url)).toEqual({
      registrationAllowed: false,
      passwordLoginAllowed: true,
    });
    expect((await detectedServers.get(server.url))?.generation).toBe('restful');
  });
});

describe('cancel', () => {
  it('aborts a sign-in in the middle, and leaves nothing cached: not even the session its login got', async () => {
    await server.close();
    server = await startFakeRagflow({ generation: 'restful', users: [ALICE], latencyMs: 150 });
    const keys = service({
      // Cancelled as soon as the login answered: its session is cached at once (keepSession).
      onStep: (step) => {
        if (step === 'getting-key') void keys.cancel({ flowId: 'flow-1' });
      },
    });
    const error = await rejection(keys.getKey({ serverUrl: server.url, ...ALICE, flowId: 'flow-1' }));
    expect(error).toMatchObject({ kind: 'cancelled' });
    expect(await accountCache.getAccount(server.url, ALICE.email)).toBeUndefined();
    // The key request was aborted before it made a key.
    expect(server.apiKeys(ALICE.email)).toEqual([]);
  });

  it('undoes a sign-in whose answer was already on its way, and puts back what was cached before', async () => {
    const keys = service();
    const first = await keys.getKey({ serverUrl: server.url, ...ALICE, flowId: 'first' });
    const before = await accountCache.getAccount(server.url, ALICE.email);
    // A second sign-in (the cached key is dropped so that it signs in again), cancelled after it answered.
    await accountCache.saveAccount({ ...before!, currentKey: undefined, keys: [] });
    const kept = await accountCache.getAccount(server.url, ALICE.email);
    await keys.getKey({ serverUrl: server.url, ...ALICE, flowId: 'second' });
    await keys.cancel({ flowId: 'second' });
    expect(await accountCache.getAccount(server.url, ALICE.email)).toEqual(kept);
    expect(first.key).toMatch(/^ragflow-/);
  });
});
