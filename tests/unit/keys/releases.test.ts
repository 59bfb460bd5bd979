/**
 * Every RAGFlow release as it really answers (tests/fake-ragflow's release profiles, from
 * docs/ragflow-releases.md): one detection, the fewest requests, and a sentence of its own for
 * each failure that only some releases have. Counts come from the fake's own counters.
 */
import { generateKeyPairSync } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { accountCache } from '@/lib/keys/account-cache';
import { createKeyService, type KeyServiceDeps } from '@/lib/keys/key-service';
import type { AppError } from '@/lib/errors';
import { testConnection } from '@/lib/servers/connection-test';
import { detectedServers } from '@/lib/keys/detected-servers';
import {
  type FakeRagflow,
  type FakeUser,
  generationOf,
  RELEASES,
  type Release,
  startFakeRagflow,
} from '../../fake-ragflow';
import { rejection } from '../../support/errors';
import { realModulus, spkiPem } from '../../support/rsa-keys';

const ALICE = { email: 'alice@example.com', password: 'correct horse battery' };

let server: FakeRagflow;

async function start(release: Release, users: FakeUser[] = [ALICE], extra = {}): Promise<FakeRagflow> {
  server = await startFakeRagflow({ release, users, ...extra });
  return server;
}

function service(overrides: Partial<KeyServiceDeps> = {}) {
  return createKeyService({
    hasHostAccess: async () => true,
    onStep: () => undefined,
    keyPolicy: async () => 'reuse',
    clientOptions: async () => ({ publicKeyPem: server.publicKeyPem }),
    ...overrides,
  });
}

const expectedLine: Record<Release, string> = {
  'v0.22': 'v0.22',
  'v0.23.0': 'v0.23',
  'v0.24': 'v0.24',
  'v0.25.0': 'v0.25.0',
  'v0.25.1': 'v0.25.1',
  'v0.26': 'reported',
  go: 'reported',
};

beforeEach(() => {
  fakeBrowser.reset();
});

afterEach(async () => {
  await server?.close();
});

describe.each(RELEASES)('RAGFlow %s', (release) => {
  const generation = generationOf(release);
  const restful = generation === 'restful';

  it('is detected with one request, which the key flow, the popup and Test connection share', async () => {
    await start(release);
    const keys = service();
    const facts = await keys.serverFacts(server.url);
    expect(facts).toMatchObject({ generation, go: release === 'go' });
    // Legacy and mixed servers answer the detection with their config; a RESTful server's config
    // would cost a request of its own, which no flow spends before a sign-in.
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/system/config']);
    expect(facts.config === undefined).toBe(restful);

    // Known now, across a browser restart too (storage.local): the popup asks nothing again.
    server.resetCounts();
    await keys.serverFacts(server.url);
    await service().serverFacts(server.url);
    expect(server.count()).toBe(0);
  });

  it('names its generation and release line in Test connection, and remembers the detection', async () => {
    await start(release);
    const result = await testConnection(server.url, {
      hasHostAccess: async () => true,
      clientOptions: { publicKeyPem: server.publicKeyPem },
      remember: (url, detected) => detectedServers.remember(url, detected, 0),
    });
    expect(result).toMatchObject({ ok: true, generation, go: release === 'go', release: expectedLine[release] });
    if (expectedLine[release] === 'reported') {
      expect(result.ok && result.version).toMatch(/^v0\.2\d\.\d/);
    } else {
      expect(result.ok && result.version).toBeUndefined();
    }
    expect((await detectedServers.get(server.url))?.generation).toBe(generation);
  });

  it('keeps to the request budget: first contact, a known server, a cached key', async () => {
    await start(release);
    const keys = service();
    // First contact through the popup, which asks what is known of the server as it opens, an
    // account with no key yet: detection + login + list + create.
    await keys.serverFacts(server.url);
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    expect(server.count()).toBe(4);

    // A known server, a key there already, no session cached: login + list.
    await keys.signOut({ serverUrl: server.url, alsoLogOutOfServer: false });
    server.resetCounts();
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    expect(server.requests.map((request) => request.operation)).toEqual(['login', 'tokens.list']);

    // The cached key: nothing.
    server.resetCounts();
    await keys.getKey({ serverUrl: server.url, email: ALICE.email });
    expect(server.count()).toBe(0);

    // After a browser restart (storage.session emptied, a new worker), the generation is still
    // known (storage.local): login + list, and no detection.
    await fakeBrowser.storage.session.clear();
    server.resetCounts();
    await service().getKey({ serverUrl: server.url, ...ALICE });
    expect(server.requests.map((request) => request.operation)).toEqual(['login', 'tokens.list']);
  });

  it('costs one request more than a known server on first contact, a key existing', async () => {
    await start(release);
    server.seedKeys(ALICE.email, 1);
    const keys = service();
    await keys.serverFacts(server.url);
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    expect(server.count()).toBe(3);
  });

  it('confirms a revoke by listing again', async () => {
    await start(release);
    const keys = service();
    const { key } = await keys.getKey({ serverUrl: server.url, ...ALICE });
    server.resetCounts();
    await keys.revokeKey({ serverUrl: server.url, email: ALICE.email, token: key });
    expect(server.requests.map((request) => request.operation)).toEqual(['tokens.delete', 'tokens.list']);
    expect(server.apiKeys(ALICE.email)).toEqual([]);
    expect((await keys.keyForServer(server.url)).key).toBeUndefined();
  });

  it('says "valid" for a live key and "invalid" for a revoked one', async () => {
    await start(release);
    const keys = service();
    const { key } = await keys.getKey({ serverUrl: server.url, ...ALICE });
    expect(await keys.verifyKey({ serverUrl: server.url, token: key })).toBe('valid');
    expect(await keys.verifyKey({ serverUrl: server.url, token: 'ragflow-never-issued' })).toBe('invalid');
  });
});

describe.each(RELEASES)('RAGFlow %s with password sign-in switched off', (release) => {
  const SSO = { email: 'sso@example.com', password: 'a random one made at the OAuth sign-up' };
  const channels = [{ channel: 'github', display_name: 'GitHub' }];

  it('is known to take no passwords from the detection where it carries the config, else from a refused one', async () => {
    await start(release, [ALICE, SSO], { passwordLoginEnabled: false, ssoChannels: channels });
    const keys = service();
    const before = await keys.serverFacts(server.url);
    const restful = generationOf(release) === 'restful';
    // The Go server's channel route is a stub that lists none (docs/ragflow-releases.md, "Login channels").
    const named = release === 'go' ? [] : [{ channel: 'github', displayName: 'GitHub' }];
    if (release === 'v0.25.0') {
      expect(before).toMatchObject({ config: { passwordLoginAllowed: false }, channels: named });
      expect(server.requests.map((request) => request.operation)).toEqual(['config', 'channels']);
      return;
    }
    if (!restful) {
      // The setting came with v0.25.0: before it, every server takes passwords.
      expect(before).toMatchObject({ config: { passwordLoginAllowed: true } });
      expect(before.channels).toBeUndefined();
      return;
    }
    expect(before.config).toBeUndefined();
    // No release refuses the password itself: a right one still works (docs/ragflow-releases.md,
    // "Public config"), and costs nothing more.
    server.resetCounts();
    await keys.getKey({ serverUrl: server.url, ...ALICE });
    expect(server.requests.map((request) => request.operation)).toEqual(['login', 'tokens.list', 'tokens.create']);
    // A refused one (an SSO account has no password it knows): now the config and channels are read.
    server.resetCounts();
    const refused = await rejection(keys.getKey({ serverUrl: server.url, email: SSO.email, password: 'guess' }));
    expect(refused).toMatchObject({ kind: 'password-login-disabled', messageKey: 'errorPasswordLoginDisabled' });
    expect(server.requests.map((request) => request.operation)).toEqual(['login', 'config', 'channels']);
    expect(await keys.serverFacts(server.url)).toMatchObject({
      config: { passwordLoginAllowed: false },
      channels: named,
    });
  });
});

describe('a user invited to another team', () => {
  it.each(['v0.24', 'v0.25.0', 'v0.26'] as const)(
    'on %s: a revoke RAGFlow did not do keeps the key, listed and cached, and says why',
    async (release) => {
      await start(release, [{ ...ALICE, otherTeam: true }]);
      const keys = service();
      const { key } = await keys.getKey({ serverUrl: server.url, ...ALICE });
      const error = await rejection<AppError>(
        keys.revokeKey({ serverUrl: server.url, email: ALICE.email, token: key }),
      );
      expect(error).toMatchObject({ kind: 'key-not-revoked', messageKey: 'keysErrorNotRevoked' });
      expect(server.apiKeys(ALICE.email)).toEqual([key]);
      expect((await keys.keyForServer(server.url)).key).toBe(key);
      expect((await accountCache.getAccount(server.url, ALICE.email))?.keys.map((k) => k.token)).toEqual([key]);
    },
  );
});

describe('a legacy server with its SDK switched off', () => {
  it.each(['v0.22', 'v0.24'] as const)('on %s: never says "valid", since it checks no key', async (release) => {
    await start(release, [ALICE], { disableSdk: true });
    const error = await rejection<AppError>(
      service().verifyKey({ serverUrl: server.url, token: 'ragflow-never-issued' }),
    );
    expect(error).toMatchObject({ messageKey: 'errorKeyCheckOff' });
  });
});

describe('the Go server', () => {
  it('refuses a superuser with a sentence that says to use a regular account', async () => {
    await start('go', [{ ...ALICE, superuser: true }]);
    const error = await rejection<AppError>(service().getKey({ serverUrl: server.url, ...ALICE }));
    expect(error).toMatchObject({ kind: 'superuser-not-allowed', messageKey: 'errorSuperuserNotAllowed' });
  });

  it('says why a cached session stopped working: its 24-hour limit', async () => {
    await start('go');
    const keys = service();
    const { key } = await keys.getKey({ serverUrl: server.url, ...ALICE });
    server.expireSession(ALICE.email);
    const error = await rejection<AppError>(keys.listKeys({ serverUrl: server.url, email: ALICE.email }));
    expect(error).toMatchObject({ kind: 'session-expired', messageKey: 'errorSessionExpiredGo' });
    expect(key).toMatch(/^ragflow-/);
  });

  it('says a wrong public key may be the cause, since it answers "password does not match" then', async () => {
    await start('go');
    const { publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const keys = service({ clientOptions: async () => ({ publicKeyPem: publicKey }) });
    const error = await rejection<AppError>(keys.getKey({ serverUrl: server.url, ...ALICE }));
    expect(error).toMatchObject({ kind: 'wrong-password', messageKey: 'errorWrongPasswordOrKey' });
  });
});

describe('a wrong public key at registration on Python', () => {
  it.each([
    ['v0.24', 2048],
    ['v0.26', 2048],
    // Of another size than the server's: a ciphertext of the wrong length, another exception.
    ['v0.26', 3072],
  ] as const)('on %s, a key of %i bits: "could not decrypt", not a raw Python exception', async (release, bits) => {
    await start(release, []);
    // A real RSA key, not the server's (each fake server makes its own pair).
    const publicKeyPem = spkiPem(realModulus(bits), 65537n);
    const keys = service({ clientOptions: async () => ({ publicKeyPem }) });
    const error = await rejection<AppError>(
      keys.getKey({ serverUrl: server.url, ...ALICE, createAccount: { nickname: 'alice' } }),
    );
    expect(error).toMatchObject({ kind: 'password-not-decryptable', messageKey: 'errorPasswordNotDecryptable' });
  });
});

describe.each(RELEASES)('the embed tokens of chats and agents, on %s', (release) => {
  // Made up to v0.24 by /v1/api/new_token in the same table as API keys; every later release
  // lists them too (docs/ragflow-releases.md, "Embed tokens").
  const embedToken = `ragflow-${'e'.repeat(32)}`;

  it('are listed as such, and never handed out, even when newer than the account key', async () => {
    await start(release);
    const [own] = server.seedKeys(ALICE.email, 1);
    server.plantKey(ALICE.email, embedToken, { dialogId: 'c'.repeat(32), source: 'agent' });
    const keys = service();
    expect((await keys.getKey({ serverUrl: server.url, ...ALICE })).key).toBe(own);
    const { keys: listed } = await keys.listKeys({ serverUrl: server.url, email: ALICE.email });
    expect(listed.map((key) => [key.token, key.embed])).toEqual([
      [embedToken, true],
      [own, undefined],
    ]);
  });

  it('do not count as a key to reuse: with only one listed, a key is created', async () => {
    await start(release);
    server.plantKey(ALICE.email, embedToken, { dialogId: 'd'.repeat(32) });
    const { key } = await service().getKey({ serverUrl: server.url, ...ALICE });
    expect(key).not.toBe(embedToken);
    expect(server.apiKeys(ALICE.email)).toEqual([embedToken, key]);
  });
});
