/**
 * Signing in with an API key, revoking the key signed in with, and rotation, against the fake
 * server's release profiles (docs/ragflow-releases.md, "Signing in with an API key"). Counts are
 * the fake's own.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { accountCache } from '@/lib/keys/account-cache';
import { keyNotes } from '@/lib/keys/key-notes';
import { createKeyService, type KeyService } from '@/lib/keys/key-service';
import type { AppError } from '@/lib/errors';
import { type FakeRagflow, RELEASES, type Release, startFakeRagflow } from '../../fake-ragflow';
import { rejection } from '../../support/errors';

const ALICE = { email: 'alice@example.com', password: 'correct horse battery' };

/** Which releases take an API key on the key routes (v0.23.1 behaves as v0.23.0 there). */
const TAKES_KEYS: Record<Release, boolean> = {
  'v0.22': false,
  'v0.23.0': false,
  'v0.24': true,
  'v0.25.0': true,
  'v0.25.1': true,
  'v0.26': true,
  go: true,
};

let server: FakeRagflow;
let keys: KeyService;

async function start(release: Release): Promise<void> {
  fakeBrowser.reset();
  server = await startFakeRagflow({ release, users: [ALICE] });
  keys = createKeyService({
    hasHostAccess: async () => true,
    onStep: () => undefined,
    keyPolicy: async () => 'reuse',
    clientOptions: async () => ({ publicKeyPem: server.publicKeyPem }),
  });
}

afterEach(async () => {
  await server.close();
});

const account = () => ({ serverUrl: server.url, email: ALICE.email });

describe.each(RELEASES)('"Use an API key", %s', (release) => {
  beforeEach(() => start(release));

  it(
    TAKES_KEYS[release]
      ? 'signs in with the key: no login, the key kept like a session, chosen for paste'
      : 'says in a sentence that this release takes keys only on its SDK routes',
    async () => {
      const [older, mine] = server.seedKeys(ALICE.email, 2);
      server.signInWebApp(ALICE.email);
      const webAppSession = server.sessionToken(ALICE.email);
      server.resetCounts();
      if (!TAKES_KEYS[release]) {
        const error = await rejection<AppError>(keys.keyFromApiKey({ serverUrl: server.url, apiKey: older! }));
        expect([error.kind, error.messageKey]).toEqual(['api-key-sign-in', 'apiKeySignInUnsupported']);
        expect(await accountCache.allAccounts()).toEqual([]);
        expect(server.count('login')).toBe(0);
        return;
      }
      const result = await keys.keyFromApiKey({ serverUrl: server.url, apiKey: ` ${older} ` });
      expect(result).toMatchObject({ key: older, email: ALICE.email, source: 'api-key', viaApiKey: true });
      expect(server.count('login')).toBe(0);
      // One detection (a first contact), who-am-I, the list.
      const operations = server.requests.map((request) => request.operation);
      expect([operations.length, ...operations.slice(1)]).toEqual([3, 'me', 'tokens.list']);
      // The web app stays signed in.
      expect(server.sessionToken(ALICE.email)).toBe(webAppSession);
      expect(webAppSession).not.toBeNull();
      const entry = await accountCache.getAccount(server.url, ALICE.email);
      expect(entry).toMatchObject({ authorization: `Bearer ${older}`, viaApiKey: true, currentKey: older });
      expect(entry?.keys.map((key) => key.token).sort()).toEqual([older, mine].sort());
      // Key management works with it, and a sign-out logs nothing out on the server.
      expect((await keys.listKeys(account())).keys).toHaveLength(2);
      server.resetCounts();
      await keys.signOut({ serverUrl: server.url, alsoLogOutOfServer: true });
      expect(server.count('logout')).toBe(0);
      expect(await accountCache.allAccounts()).toEqual([]);
    },
  );
});

describe('"Use an API key", refusals', () => {
  it('tells an unknown key apart from a release that does not take one, and sends nothing for a malformed one', async () => {
    await start('v0.26');
    const unknown = await rejection<AppError>(
      keys.keyFromApiKey({ serverUrl: server.url, apiKey: `ragflow-${'x'.repeat(43)}` }),
    );
    expect(unknown.messageKey).toBe('apiKeySignInUnknown');
    server.resetCounts();
    const malformed = await rejection<AppError>(keys.keyFromApiKey({ serverUrl: server.url, apiKey: 'sk-123 hello' }));
    expect(malformed.messageKey).toBe('apiKeySignInMalformed');
    expect(server.requests).toEqual([]);
  });
});

describe.each(['v0.24', 'v0.26', 'go'] as const)('revoking and rotating, %s', (release) => {
  beforeEach(() => start(release));

  it('revoking the key signed in with signs out cleanly', async () => {
    const [mine, other] = server.seedKeys(ALICE.email, 2);
    await keys.keyFromApiKey({ serverUrl: server.url, apiKey: mine! });
    expect(await keys.revokeKey({ ...account(), token: other! })).toEqual({ signedOut: false });
    expect(await keys.revokeKey({ ...account(), token: mine! })).toEqual({ signedOut: true });
    expect(server.apiKeys(ALICE.email)).toEqual([]);
    expect(await accountCache.allAccounts()).toEqual([]);
  });

  it('rotates in one step: one valid key left, the new one, chosen for paste; the sign-in moves to it', async () => {
    const [mine] = server.seedKeys(ALICE.email, 1);
    await keys.keyFromApiKey({ serverUrl: server.url, apiKey: mine! });
    await keyNotes.setName(account(), mine!, 'n8n prod');
    await keyNotes.recordPaste(account(), mine!, 'https://n8n.example.com', 5);
    const rotated = await keys.rotateKey({ ...account(), token: mine! });
    expect(rotated).toMatchObject({
      oldRevoked: true,
      currentKey: rotated.key.token,
      key: { name: 'n8n prod' },
      places: [{ origin: 'https://n8n.example.com', at: 5 }],
    });
    expect(server.apiKeys(ALICE.email)).toEqual([rotated.key.token]);
    expect((await keys.keyForServer(account().serverUrl)).key).toBe(rotated.key.token);
    expect((await accountCache.getAccount(server.url, ALICE.email))?.authorization).toBe(`Bearer ${rotated.key.token}`);
    // The old key's records went with it.
    expect((await keyNotes.forKeys([mine!])).size).toBe(0);
  });

  it('copies the new key when asked, while the old one still works, and says how the clipboard is cleared', async () => {
    const pasting = (await keys.getKey({ serverUrl: server.url, ...ALICE })).key;
    const copies: { key: string; oldStillListed: boolean }[] = [];
    keys = createKeyService({
      hasHostAccess: async () => true,
      onStep: () => undefined,
      keyPolicy: async () => 'reuse',
      clientOptions: async () => ({ publicKeyPem: server.publicKeyPem }),
      async copyToClipboard(key) {
        copies.push({ key, oldStillListed: server.apiKeys(ALICE.email).includes(pasting) });
        return { status: 'scheduled', seconds: 30 };
      },
    });
    const rotated = await keys.rotateKey({ ...account(), token: pasting, copy: true });
    expect(copies).toEqual([{ key: rotated.key.token, oldStillListed: true }]);
    expect(rotated).toMatchObject({ oldRevoked: true, copied: { status: 'scheduled', seconds: 30 } });
    expect(server.apiKeys(ALICE.email)).toEqual([rotated.key.token]);
  });

  it('loses nothing when the new key cannot be made: the old one stays valid and chosen', async () => {
    const pasting = (await keys.getKey({ serverUrl: server.url, ...ALICE })).key;
    server.injectFault('tokens.create', 'server-error');
    await expect(keys.rotateKey({ ...account(), token: pasting })).rejects.toBeTruthy();
    expect(server.apiKeys(ALICE.email)).toEqual([pasting]);
    expect((await keys.keyForServer(account().serverUrl)).key).toBe(pasting);
  });

  it('says the old key still works when it cannot be revoked; the new one is chosen all the same', async () => {
    const pasting = (await keys.getKey({ serverUrl: server.url, ...ALICE })).key;
    server.injectFault('tokens.delete', 'server-error');
    const rotated = await keys.rotateKey({ ...account(), token: pasting });
    expect(rotated).toMatchObject({ oldRevoked: false, error: { messageKey: expect.any(String) } });
    expect(server.apiKeys(ALICE.email).sort()).toEqual([pasting, rotated.key.token].sort());
    expect((await keys.keyForServer(account().serverUrl)).key).toBe(rotated.key.token);
  });
});
