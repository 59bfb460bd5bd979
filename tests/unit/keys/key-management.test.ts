import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { accountCache } from '@/lib/keys/account-cache';
import { createKeyService, type KeyService } from '@/lib/keys/key-service';
import { GENERATIONS, RagflowClient } from '@/lib/ragflow';
import { type FakeRagflow, startFakeRagflow } from '../../fake-ragflow';
import { rejection } from '../../support/errors';

const ALICE = { email: 'alice@example.com', password: 'alice-keys-pw' };

let server: FakeRagflow;
let keys: KeyService;

/** The server's keys, newest first (it keeps them oldest first). */
const newestFirst = (tokens: string[]) => [...tokens].reverse();

const account = () => ({ serverUrl: server.url, email: ALICE.email });

afterEach(async () => {
  await server.close();
});

describe.each(GENERATIONS)('key management, %s', (generation) => {
  let pastingKey: string;

  beforeEach(async () => {
    fakeBrowser.reset();
    server = await startFakeRagflow({ generation, users: [ALICE] });
    keys = createKeyService({
      hasHostAccess: async () => true,
      onStep: () => {},
      keyPolicy: async () => 'reuse',
      clientOptions: async () => ({ publicKeyPem: server.publicKeyPem }),
    });
    // Signed in through the key flow, as the popup does: one key, the pasting key.
    pastingKey = (await keys.getKey({ serverUrl: server.url, ...ALICE })).key;
    server.resetCounts();
  });

  it("lists the server's keys newest first, with one request, and names the pasting key", async () => {
    server.seedKeys(ALICE.email, 2);
    const list = await keys.listKeys({ serverUrl: server.url, email: ' Alice@Example.com' });
    expect(list.keys.map((key) => key.token)).toEqual(newestFirst(server.apiKeys(ALICE.email)));
    expect(list.keys.every((key) => key.createdAt > 0)).toBe(true);
    expect(list.currentKey).toBe(pastingKey);
    expect(server.requests.map((request) => request.operation)).toEqual(['tokens.list']);
    // The cache holds the list as listed.
    expect((await accountCache.getAccount(server.url, ALICE.email))?.keys).toHaveLength(3);
  });

  it('creates a key, the newest, without changing the pasting key', async () => {
    const created = await keys.createKey(account());
    expect(server.apiKeys(ALICE.email)).toHaveLength(2);
    expect(created).toEqual({
      key: { token: server.apiKeys(ALICE.email)[1], createdAt: expect.any(Number) },
      currentKey: pastingKey,
    });
    expect((await keys.listKeys(account())).keys[0]?.token).toBe(created.key.token);
    expect((await keys.keyForServer(account().serverUrl)).key).toBe(pastingKey);
  });

  it('revokes the pasting key: gone from the server and from the cache, so paste has none', async () => {
    await keys.revokeKey({ ...account(), token: pastingKey });
    expect(server.apiKeys(ALICE.email)).toEqual([]);
    expect((await keys.keyForServer(account().serverUrl)).key).toBeUndefined();
    const entry = await accountCache.getAccount(server.url, ALICE.email);
    expect(entry).toMatchObject({ keys: [], authorization: expect.any(String) });
    expect(entry?.currentKey).toBeUndefined();
    // With no pasting key, a new key takes the place.
    const created = await keys.createKey(account());
    expect(created.currentKey).toBe(created.key.token);
    expect((await keys.keyForServer(account().serverUrl)).key).toBe(created.key.token);
  });

  it('revokes another key and keeps the pasting key', async () => {
    const [other] = server.seedKeys(ALICE.email, 1);
    await keys.listKeys(account());
    await keys.revokeKey({ ...account(), token: other! });
    expect(server.apiKeys(ALICE.email)).toEqual([pastingKey]);
    expect((await keys.keyForServer(account().serverUrl)).key).toBe(pastingKey);
    expect((await accountCache.getAccount(server.url, ALICE.email))?.keys.map((key) => key.token)).toEqual([
      pastingKey,
    ]);
  });

  it('changes the pasting key to a listed key only, with no request', async () => {
    const [newer] = server.seedKeys(ALICE.email, 1);
    const error = await rejection(keys.setCurrentKey({ ...account(), token: newer! }));
    expect(error).toMatchObject({ kind: 'key-not-listed', messageKey: 'keysErrorNotListed' });

    await keys.listKeys(account());
    server.resetCounts();
    await keys.setCurrentKey({ ...account(), token: newer! });
    expect((await keys.keyForServer(account().serverUrl)).key).toBe(newer);
    expect(server.count()).toBe(0);
  });

  it('builds a snippet of a listed key only, quoted, with no request', async () => {
    const [unlisted] = server.seedKeys(ALICE.email, 1);
    const error = await rejection(keys.copyText({ ...account(), token: unlisted!, format: 'curl' }));
    expect(error).toMatchObject({ kind: 'key-not-listed', messageKey: 'keysErrorNotListed' });
    expect(await keys.copyText({ ...account(), token: pastingKey, format: 'curl' })).toBe(
      `curl -H 'Authorization: Bearer ${pastingKey}' '${server.url}/api/v1/datasets?page=1&page_size=1'`,
    );
    expect(server.count()).toBe(0);
  });

  it('forgets a pasting key that was deleted elsewhere once the list shows it gone', async () => {
    server.seedKeys(ALICE.email, 1);
    // Deleted with the same session, as the web app open beside would.
    await new RagflowClient({ serverUrl: server.url }).deleteKey(server.sessionToken(ALICE.email)!, pastingKey);

    const list = await keys.listKeys(account());
    expect(list.currentKey).toBeNull();
    expect((await keys.keyForServer(account().serverUrl)).key).toBeUndefined();
  });

  it('verifies a key: valid while it exists, invalid once revoked', async () => {
    expect(await keys.verifyKey({ serverUrl: server.url, token: pastingKey })).toBe('valid');
    await keys.revokeKey({ ...account(), token: pastingKey });
    expect(await keys.verifyKey({ serverUrl: server.url, token: pastingKey })).toBe('invalid');
    expect(server.count('datasets')).toBe(2);
  });

  it('drops the session on a 401 and says the session expired', async () => {
    server.injectFault('tokens.list', 'unauthorized', 1);
    const error = await rejection(keys.listKeys(account()));
    expect(error).toMatchObject({ kind: 'session-expired', messageKey: 'errorSessionExpired' });
    expect(await accountCache.getAccount(server.url, ALICE.email)).toBeUndefined();
    // Without a session, nothing else reaches the server either.
    server.resetCounts();
    expect((await rejection(keys.createKey(account()))).kind).toBe('session-expired');
    expect(server.count()).toBe(0);
  });
});

describe('verifying against a server that cannot answer', () => {
  it('throws the typed error instead of guessing valid or invalid', async () => {
    server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
    const { url } = server;
    await server.close();
    const keys = createKeyService({
      hasHostAccess: async () => true,
      onStep: () => {},
      keyPolicy: async () => 'reuse',
    });
    const error = await rejection(keys.verifyKey({ serverUrl: url, token: 'ragflow-whatever' }));
    expect(error).toMatchObject({ kind: 'cannot-connect', messageKey: 'errorCannotConnect' });
  });
});
