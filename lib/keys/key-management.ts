/**
 * Key management for the popup's key list: list, create, revoke, choose the pasting key, verify.
 * Everything but verify speaks with the account's cached session token; a server that no longer
 * takes it (HTTP 401) ends the cached session, so that the popup goes back to its sign-in form.
 */
import type { AccountRef, KeyList, KeyRef, ListedKey } from '../messaging/protocol';
import type { ApiKey, KeyStatus, RagflowClient } from '../ragflow/client';
import { isAppError } from '../errors';
import { sessionExpired } from '../ragflow/errors';
import { normalizeServerUrl } from '../ragflow/server-url';
import { type AccountEntry, accountCache } from './account-cache';
import { type CopyFormat, copyText } from './copy-formats';
import { keyNotListed, keyNotRevoked } from './errors';

export interface KeyManagement {
  listKeys(account: AccountRef): Promise<KeyList>;
  createKey(account: AccountRef): Promise<{ key: ListedKey; currentKey: string | null }>;
  revokeKey(request: KeyRef): Promise<void>;
  setCurrentKey(request: KeyRef): Promise<void>;
  verifyKey(request: { serverUrl: string; token: string }): Promise<KeyStatus>;
  copyText(request: KeyRef & { format: CopyFormat }): Promise<string>;
}

/** What the key service shares with key management: its cache rules and its way to a client. */
export interface KeyServiceInternals {
  /** The cached account, unless its session outlived the server's session-cache lifetime. */
  cachedAccount(serverUrl: string, email: string): Promise<AccountEntry | undefined>;
  /** Runs a task with a client of the server (host access checked, generation remembered). */
  withClient<T>(serverUrl: string, task: (client: RagflowClient) => Promise<T>): Promise<T>;
  now(): number;
}

const listed = ({ token, createdAt }: ApiKey): ListedKey => ({ token, createdAt });

export function createKeyManagement(internals: KeyServiceInternals): KeyManagement {
  /** Runs `task` with the account's session token; a 401 forgets the session before rethrowing. */
  async function withSession<T>(
    account: AccountRef,
    task: (client: RagflowClient, authorization: string, serverUrl: string, email: string) => Promise<T>,
  ): Promise<T> {
    const serverUrl = normalizeServerUrl(account.serverUrl);
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
    serverUrl: string,
    email: string,
    change: (entry: AccountEntry) => AccountEntry,
  ): Promise<AccountEntry | undefined> {
    const entry = await accountCache.getAccount(serverUrl, email);
    if (!entry) return undefined;
    const updated = change(entry);
    await accountCache.saveAccount(updated);
    return updated;
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
        return { keys: keys.map(listed), currentKey: saved?.currentKey ?? null };
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
        return { key: listed(key), currentKey: saved?.currentKey ?? null };
      });
    },

    revokeKey(request) {
      return withSession(request, async (client, authorization, serverUrl, email) => {
        await client.deleteKey(authorization, request.token);
        // RAGFlow answers "deleted" also when it deleted nothing: Python deletes in the user's
        // first tenant while it lists and creates in their own, so for a member of another team
        // the key survives (docs/ragflow-releases.md, "Deleting a key of a user invited to
        // another team"). Only a new list says whether the key is gone.
        const keys = await client.listKeys(authorization);
        await updateEntry(serverUrl, email, (entry) => ({
          ...entry,
          keys,
          currentKey: keys.some((key) => key.token === entry.currentKey) ? entry.currentKey : undefined,
          keysSavedAt: internals.now(),
        }));
        if (keys.some((key) => key.token === request.token)) throw keyNotRevoked();
      });
    },

    async setCurrentKey(request) {
      const serverUrl = normalizeServerUrl(request.serverUrl);
      const entry = await internals.cachedAccount(serverUrl, request.email.trim());
      if (!entry) throw sessionExpired('No cached session');
      // Only a key of this account as last listed: paste must never insert something else.
      if (!entry.keys.some((key) => key.token === request.token)) throw keyNotListed();
      await accountCache.saveAccount({ ...entry, currentKey: request.token });
    },

    async copyText(request) {
      const serverUrl = normalizeServerUrl(request.serverUrl);
      const entry = await internals.cachedAccount(serverUrl, request.email.trim());
      if (!entry) throw sessionExpired('No cached session');
      // Only a key of this account as last listed, checked again by copyText for RAGFlow's form.
      if (!entry.keys.some((key) => key.token === request.token)) throw keyNotListed();
      return copyText(request.format, request.token, serverUrl);
    },

    verifyKey(request) {
      // The key is its own credential here: no session needed, nothing cached changes.
      return internals.withClient(normalizeServerUrl(request.serverUrl), (client) => client.verifyKey(request.token));
    },
  };
}
