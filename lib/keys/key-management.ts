/**
 * Key management for the popup's key list: list, create, revoke, choose the pasting key, verify.
 * Everything but verify speaks with the account's cached session token; a server that no longer
 * takes it (HTTP 401) ends the cached session, so that the popup goes back to its sign-in form.
 */
import type {
  AccountRef,
  ClipboardClearPlan,
  KeyList,
  KeyRef,
  ListedKey,
  RevokeResult,
  RotateRequest,
  RotateResult,
} from '../messaging/protocol';
import type { ApiKey, KeyStatus, RagflowClient } from '../ragflow/client';
import { AppError, isAppError } from '../errors';
import { sessionExpired } from '../ragflow/errors';
import type { ServerUrl } from '../ragflow/server-url';
import { type AccountEntry, accountCache } from './account-cache';
import { type CopyFormat, copyText } from './copy-formats';
import { keyNotListed, keyNotRevoked } from './errors';
import { type KeyOwner, keyNotes } from './key-notes';

export interface KeyManagement {
  listKeys(account: AccountRef): Promise<KeyList>;
  createKey(account: AccountRef): Promise<{ key: ListedKey; currentKey: string | null }>;
  revokeKey(request: KeyRef): Promise<RevokeResult>;
  /**
   * Replaces a key in one step: a new key, chosen for paste at once (and for the sign-in, when
   * the account signed in with the old key), then the old key revoked. A failure before the new
   * key exists changes nothing; one after it leaves the old key valid, and says so.
   */
  rotateKey(request: RotateRequest): Promise<RotateResult>;
  /** Names a listed key, on this machine only; a blank name removes it. */
  nameKey(request: KeyRef & { name: string }): Promise<{ name: string | null }>;
  setCurrentKey(request: KeyRef): Promise<void>;
  verifyKey(request: { serverUrl: ServerUrl; token: string }): Promise<KeyStatus>;
  copyText(request: KeyRef & { format: CopyFormat }): Promise<string>;
}

/** What the key service shares with key management: its cache rules and its way to a client. */
export interface KeyServiceInternals {
  /** The cached account, unless its session outlived the server's session-cache lifetime. */
  cachedAccount(serverUrl: ServerUrl, email: string): Promise<AccountEntry | undefined>;
  /** Runs a task with a client of the server (host access checked, generation remembered). */
  withClient<T>(serverUrl: ServerUrl, task: (client: RagflowClient) => Promise<T>): Promise<T>;
  now(): number;
  /** Puts a key on the clipboard and plans its clearing, as for a copy from the popup; throws without one. */
  copyToClipboard?(key: string): Promise<ClipboardClearPlan>;
}

/** The `Authorization` value of an account signed in with an API key instead of a session. */
export const apiKeyAuthorization = (token: string) => `Bearer ${token}`;

/** The keys as the key list shows them: with the user's name for each, and where it was pasted. */
async function listedWithNotes(keys: readonly ApiKey[]): Promise<ListedKey[]> {
  const notes = await keyNotes.forKeys(keys.map((key) => key.token));
  return keys.map(({ token, createdAt, embed }) => {
    const note = notes.get(token);
    const places = note?.places ?? [];
    return {
      token,
      createdAt,
      ...(embed && { embed }),
      ...(note?.name && { name: note.name }),
      ...(places.length > 0 && { places }),
    };
  });
}

const ownerOf = (serverUrl: ServerUrl, email: string): KeyOwner => ({ serverUrl, email });

export function createKeyManagement(internals: KeyServiceInternals): KeyManagement {
  /** Runs `task` with the account's session token; a 401 forgets the session before rethrowing. */
  async function withSession<T>(
    account: AccountRef,
    task: (client: RagflowClient, authorization: string, serverUrl: ServerUrl, email: string) => Promise<T>,
  ): Promise<T> {
    const { serverUrl } = account;
    const email = account.email.trim();
    const entry = await internals.cachedAccount(serverUrl, email);
    // No session to use: to the user this is the same as one that expired. Sign in again.
    if (!entry?.authorization) throw sessionExpired('No cached session');
    const { authorization } = entry;
    try {
      return await internals.withClient(serverUrl, (client) => task(client, authorization, serverUrl, email));
    } catch (error) {
      if (isAppError(error, 'session-expired')) await accountCache.dropSession(serverUrl, email);
      throw error;
    }
  }

  /**
   * Changes the cached entry as it is now, after the server answered: another flow (a sign-in,
   * another popup) may have saved it meanwhile. Nothing is saved for an account signed out since.
   */
  async function updateEntry(
    serverUrl: ServerUrl,
    email: string,
    change: (entry: AccountEntry) => AccountEntry,
  ): Promise<AccountEntry | undefined> {
    const entry = await accountCache.getAccount(serverUrl, email);
    if (!entry) return undefined;
    const updated = change(entry);
    await accountCache.saveAccount(updated);
    return updated;
  }

  /** The entry with the keys just listed; a pasting key no longer listed is dropped. */
  async function keepListed(serverUrl: ServerUrl, email: string, keys: ApiKey[]): Promise<void> {
    await updateEntry(serverUrl, email, (entry) => ({
      ...entry,
      keys,
      currentKey: keys.some((key) => key.token === entry.currentKey) ? entry.currentKey : undefined,
      keysSavedAt: internals.now(),
    }));
  }

  /**
   * Revokes the key the account signed in with. No list can follow (the server now refuses the
   * sign-in), so the key check says whether it is gone; then the account is signed out here,
   * cleanly, and the popup says why.
   */
  async function revokeSignInKey(
    client: RagflowClient,
    token: string,
    serverUrl: ServerUrl,
    email: string,
  ): Promise<RevokeResult> {
    await client.deleteKey(apiKeyAuthorization(token), token);
    if ((await client.verifyKey(token)) === 'valid') throw keyNotRevoked();
    await accountCache.dropSession(serverUrl, email);
    await keyNotes.forgetKeys([token]);
    return { signedOut: true };
  }

  async function copyNew(token: string): Promise<ClipboardClearPlan | { status: 'failed' }> {
    try {
      if (!internals.copyToClipboard) throw new Error('No clipboard here');
      return await internals.copyToClipboard(token);
    } catch {
      return { status: 'failed' };
    }
  }

  return {
    listKeys(account) {
      return withSession(account, async (client, authorization, serverUrl, email) => {
        const keys = await client.listKeys(authorization);
        const saved = await updateEntry(serverUrl, email, (entry) => ({
          ...entry,
          keys,
          // A pasting key deleted elsewhere (the web app, the CLI) must not be pasted any more.
          currentKey: keys.some((key) => key.token === entry.currentKey) ? entry.currentKey : undefined,
          keysSavedAt: internals.now(),
        }));
        // A key gone from the list is revoked: what was noted of it goes with it.
        await keyNotes.keepOnlyListed(
          ownerOf(serverUrl, email),
          keys.map((key) => key.token),
        );
        return { keys: await listedWithNotes(keys), currentKey: saved?.currentKey ?? null };
      });
    },

    createKey(account) {
      return withSession(account, async (client, authorization, serverUrl, email) => {
        const key = await client.createKey(authorization);
        // Paste keeps the key the user chose: a key made for another app does not replace it.
        // Only when no key is chosen (the chosen one was revoked) does the new one take over.
        const saved = await updateEntry(serverUrl, email, (entry) => ({
          ...entry,
          keys: [key, ...entry.keys],
          currentKey: entry.currentKey ?? key.token,
          keysSavedAt: internals.now(),
        }));
        const [shown] = await listedWithNotes([key]);
        return { key: shown!, currentKey: saved?.currentKey ?? null };
      });
    },

    revokeKey(request) {
      return withSession(request, async (client, authorization, serverUrl, email) => {
        if (authorization === apiKeyAuthorization(request.token)) {
          return revokeSignInKey(client, request.token, serverUrl, email);
        }
        await client.deleteKey(authorization, request.token);
        // RAGFlow answers "deleted" also when it deleted nothing: Python deletes in the user's
        // first tenant while it lists and creates in their own, so for a member of another team
        // the key survives (docs/ragflow-releases.md, "Deleting a key of a user invited to
        // another team"). Only a new list says whether the key is gone.
        const keys = await client.listKeys(authorization);
        await keepListed(serverUrl, email, keys);
        if (keys.some((key) => key.token === request.token)) throw keyNotRevoked();
        await keyNotes.forgetKeys([request.token]);
        return { signedOut: false };
      });
    },

    rotateKey(request) {
      return withSession(request, async (client, authorization, serverUrl, email) => {
        const old = request.token;
        const entry = await accountCache.getAccount(serverUrl, email);
        if (!entry?.keys.some((key) => key.token === old)) throw keyNotListed();
        const created = await client.createKey(authorization);
        // From here the new key exists: it is the pasting key at once, and the sign-in moves to
        // it when the old key was the sign-in, so revoking the old one cannot sign the user out.
        const signInMoves = authorization === apiKeyAuthorization(old);
        const nextAuthorization = signInMoves ? apiKeyAuthorization(created.token) : authorization;
        await updateEntry(serverUrl, email, (current) => ({
          ...current,
          keys: [created, ...current.keys],
          currentKey: created.token,
          ...(signInMoves && { authorization: nextAuthorization }),
          keysSavedAt: internals.now(),
        }));
        const owner = ownerOf(serverUrl, email);
        await keyNotes.carryName(owner, old, created.token);
        // The places to update are the old key's: said before its note goes.
        const places = (await keyNotes.forKeys([old])).get(old)?.places ?? [];
        const [key] = await listedWithNotes([created]);
        // Copied when asked, while the old key still works: the user can update an app with it first.
        const copied = request.copy ? await copyNew(created.token) : undefined;
        const result = { key: key!, currentKey: created.token, places, ...(copied && { copied }) };
        try {
          await client.deleteKey(nextAuthorization, old);
          const keys = await client.listKeys(nextAuthorization);
          await keepListed(serverUrl, email, keys);
          if (keys.some((listedKey) => listedKey.token === old)) throw keyNotRevoked();
        } catch (error) {
          const failure = isAppError(error) ? error : new AppError('unexpected');
          return {
            ...result,
            oldRevoked: false,
            error: { messageKey: failure.messageKey, substitutions: [...failure.substitutions] },
          };
        }
        await keyNotes.forgetKeys([old]);
        return { ...result, oldRevoked: true };
      });
    },

    async nameKey(request) {
      const { serverUrl } = request;
      const email = request.email.trim();
      const entry = await internals.cachedAccount(serverUrl, email);
      if (!entry) throw sessionExpired('No cached session');
      // Only a key of this account as last listed: a name is about a key the user can see.
      if (!entry.keys.some((key) => key.token === request.token)) throw keyNotListed();
      const name = await keyNotes.setName(ownerOf(serverUrl, email), request.token, request.name);
      return { name: name ?? null };
    },

    async setCurrentKey(request) {
      const { serverUrl } = request;
      const entry = await internals.cachedAccount(serverUrl, request.email.trim());
      if (!entry) throw sessionExpired('No cached session');
      // Only a key of this account as last listed: paste must never insert something else.
      if (!entry.keys.some((key) => key.token === request.token)) throw keyNotListed();
      await accountCache.saveAccount({ ...entry, currentKey: request.token });
    },

    async copyText(request) {
      const { serverUrl } = request;
      const entry = await internals.cachedAccount(serverUrl, request.email.trim());
      if (!entry) throw sessionExpired('No cached session');
      // Only a key of this account as last listed, checked again by copyText for RAGFlow's form.
      if (!entry.keys.some((key) => key.token === request.token)) throw keyNotListed();
      return copyText(request.format, request.token, serverUrl);
    },

    verifyKey(request) {
      // The key is its own credential here: no session needed, nothing cached changes.
      return internals.withClient(request.serverUrl, (client) => client.verifyKey(request.token));
    },
  };
}
