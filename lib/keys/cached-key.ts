/**
 * What the key cache answers, as plain data and plain rules, for every reader of it: the key
 * service in the background, paste, and the popup, which reads its account's key straight from
 * `storage.session` so that it never waits on the service worker (a stopped worker takes hundreds
 * of milliseconds to start). No extension API here: the popup loads this without the polyfill.
 */
import type { ServerUrl } from '../ragflow/server-url';
import { sessionLifetimeFor, sessionMaxAgeMs, type Settings } from '../settings/schema';
import type { AccountEntry } from './account-cache';

/**
 * The key handed out for one account, in a `storage.session` item of its own, beside the account
 * entry that holds the session token: the popup reads this item and never the token.
 */
export interface CachedKey {
  serverUrl: ServerUrl;
  email: string;
  key: string;
  /** The session is the RAGFlow web app's (see KeyResult.viaWebApp). */
  viaWebApp?: boolean;
  /** Signed in with an API key (see KeyResult.viaApiKey). */
  viaApiKey?: boolean;
  /** When the session behind the key was signed in: the freshness rule counts from here. */
  sessionSavedAt?: number;
}

const CACHED_KEY_PREFIX = 'key:';

/** The `storage.session` key of an account's {@link CachedKey}. */
export function cachedKeyItemKey(serverUrl: ServerUrl, email: string): string {
  // RAGFlow compares emails as typed, but people do not type case consistently.
  return `${CACHED_KEY_PREFIX}${serverUrl} ${email.trim().toLowerCase()}`;
}

/** The key item an account entry stands for; none while it has no key to hand out. */
export function cachedKeyOf(entry: AccountEntry): CachedKey | undefined {
  if (!entry.currentKey) return undefined;
  return {
    serverUrl: entry.serverUrl,
    email: entry.email,
    key: entry.currentKey,
    ...(entry.viaWebApp && { viaWebApp: true }),
    ...(entry.viaApiKey && { viaApiKey: true }),
    ...(entry.sessionSavedAt !== undefined && { sessionSavedAt: entry.sessionSavedAt }),
  };
}

/**
 * The one freshness rule of the cache: a session (and the key it got) is kept for the server's
 * session-cache lifetime from its sign-in (`maxAgeMs`; undefined: until the browser closes, which
 * is storage.session's own lifetime). Without a sign-in time it cannot prove it is young enough.
 */
export function isSessionFresh(sessionSavedAt: number | undefined, maxAgeMs: number | undefined, now: number): boolean {
  if (maxAgeMs === undefined) return true;
  return sessionSavedAt !== undefined && now - sessionSavedAt <= maxAgeMs;
}

/** How old a server's cached session may get under the settings; undefined: until the browser closes. */
export function sessionMaxAgeFor(settings: Pick<Settings, 'servers'>, serverUrl: ServerUrl): number | undefined {
  return sessionMaxAgeMs(sessionLifetimeFor(settings, serverUrl));
}

/** Whether a cached key may still be shown or pasted, under the settings at hand. */
export function isKeyFresh(cachedKey: CachedKey, settings: Pick<Settings, 'servers'>, now: number): boolean {
  return isSessionFresh(cachedKey.sessionSavedAt, sessionMaxAgeFor(settings, cachedKey.serverUrl), now);
}

/**
 * The key to hand out of a list, newest first: the newest that is not an embed token (see
 * ApiKey.embed), which belongs to a chat or agent embedded somewhere and would stop it if the
 * user revoked it as theirs. The background picks the pasting key with it, and the key list
 * the one it offers after the pasting key was revoked.
 */
export function newestOwnKey<Key extends { embed?: boolean }>(keys: readonly Key[]): Key | undefined {
  return keys.find((key) => !key.embed);
}

/** What the cache holds for one server: the key to paste, and the account to get one with. */
export interface ServerKey {
  /** The current key of the server's account saved last, when several are cached. */
  key?: string;
  /** The account signed in last (its session token cached), to get a key with when none is cached. */
  signedInEmail?: string;
}

/**
 * Which key and session for this server, from the fresh accounts of the cache. Only accounts of
 * that very server count.
 */
export function serverKeyOf(accounts: readonly AccountEntry[], serverUrl: ServerUrl): ServerKey {
  const ofServer = accounts.filter((account) => account.serverUrl === serverUrl);
  const savedAt = (account: AccountEntry) => Math.max(account.keysSavedAt ?? 0, account.sessionSavedAt ?? 0);
  const key = ofServer.filter((account) => account.currentKey).sort((a, b) => savedAt(b) - savedAt(a))[0]?.currentKey;
  const signedIn = ofServer
    .filter((account) => account.authorization)
    .sort((a, b) => (b.sessionSavedAt ?? 0) - (a.sessionSavedAt ?? 0))[0];
  return { ...(key && { key }), ...(signedIn && { signedInEmail: signedIn.email }) };
}
