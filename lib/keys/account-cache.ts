import { browser } from 'wxt/browser';

import type { ApiKey } from '../ragflow/client';
import type { ServerUrl } from '../ragflow/server-url';
import { cachedKeyItemKey, cachedKeyOf, isSessionFresh } from './cached-key';

/**
 * What the extension remembers of one account on one server. Lives only in
 * `storage.session`: memory, cleared when the browser closes, readable by trusted contexts only
 * (extension pages and the service worker; its default access level, which we never change).
 * Never holds the password or its ciphertext.
 */
export interface AccountEntry {
  serverUrl: ServerUrl;
  email: string;
  /** The session token (`Authorization` of login/register), while it is believed valid. */
  authorization?: string;
  /** The account's keys as last listed or created, newest first. */
  keys: ApiKey[];
  /** The key handed out (popup, paste). */
  currentKey?: string;
  sessionSavedAt?: number;
  keysSavedAt?: number;
  /** The session token is the RAGFlow web app's, read from its tab: never log it out from here. */
  viaWebApp?: boolean;
  /**
   * Signed in with an API key the user already had: `authorization` is `Bearer <key>`. Never
   * logged out from here either: on Python an API key's logout ends every session of its owner
   * (docs/ragflow-releases.md, "The Authorization header").
   */
  viaApiKey?: boolean;
}

/**
 * How long a signed-in session may be kept, and the time now. An entry whose sign-in is older
 * is treated as absent, and removed (the rule: isSessionFresh in ./cached-key.ts). Without one,
 * an entry lasts as long as storage.session: until the browser closes.
 */
export interface SessionFreshness {
  maxAgeMs: number;
  now: number;
}

const ACCOUNT_PREFIX = 'account:';

function accountItemKey(serverUrl: ServerUrl, email: string): string {
  // RAGFlow compares emails as typed, but people do not type case consistently.
  return `${ACCOUNT_PREFIX}${serverUrl} ${email.trim().toLowerCase()}`;
}

/** An account's two items: the entry (with its session token) and its key (./cached-key.ts). */
function itemKeysOf(entry: Pick<AccountEntry, 'serverUrl' | 'email'>): string[] {
  return [accountItemKey(entry.serverUrl, entry.email), cachedKeyItemKey(entry.serverUrl, entry.email)];
}

/** Whether a `storage.session` key holds an account entry (for storage.onChanged listeners). */
export function isAccountItemKey(key: string): boolean {
  return key.startsWith(ACCOUNT_PREFIX);
}

/** Typed access to the session cache. State lives here, not in module variables, so that a
 * restarted service worker carries on where it was. */
export const accountCache = {
  async getAccount(
    serverUrl: ServerUrl,
    email: string,
    freshness?: SessionFreshness,
  ): Promise<AccountEntry | undefined> {
    const key = accountItemKey(serverUrl, email);
    const items = await browser.storage.session.get(key);
    const entry = items[key] as AccountEntry | undefined;
    if (entry && freshness && isExpired(entry, freshness)) {
      await browser.storage.session.remove(itemKeysOf(entry));
      return undefined;
    }
    return entry;
  },

  /** Saves the entry and, beside it, the key it hands out (or no key item while it has none). */
  async saveAccount(entry: AccountEntry): Promise<void> {
    const cachedKey = cachedKeyOf(entry);
    const keyItem = cachedKeyItemKey(entry.serverUrl, entry.email);
    await browser.storage.session.set({
      [accountItemKey(entry.serverUrl, entry.email)]: entry,
      ...(cachedKey && { [keyItem]: cachedKey }),
    });
    if (!cachedKey) await browser.storage.session.remove(keyItem);
  },

  /** Forgets the session token (after a 401) but keeps nothing that depended on it either. */
  async dropSession(serverUrl: ServerUrl, email: string): Promise<void> {
    await browser.storage.session.remove(itemKeysOf({ serverUrl, email }));
  },

  async accountsOfServer(serverUrl: ServerUrl): Promise<AccountEntry[]> {
    return (await this.allAccounts()).filter((entry) => entry.serverUrl === serverUrl);
  },

  /** Every cached account, of every server. */
  async allAccounts(): Promise<AccountEntry[]> {
    const items = await browser.storage.session.get(null);
    return Object.entries(items)
      .filter(([key]) => isAccountItemKey(key))
      .map(([, value]) => value as AccountEntry);
  },

  /**
   * Every cached account still within its server's session-cache lifetime (`maxAgeMsOf`:
   * undefined for no limit). Older ones are treated as absent and removed, as in getAccount.
   */
  async freshAccounts(maxAgeMsOf: (serverUrl: ServerUrl) => number | undefined, now: number): Promise<AccountEntry[]> {
    const accounts = await this.allAccounts();
    const expired = accounts.filter((entry) => {
      const maxAgeMs = maxAgeMsOf(entry.serverUrl);
      return maxAgeMs !== undefined && isExpired(entry, { maxAgeMs, now });
    });
    if (expired.length > 0) {
      await browser.storage.session.remove(expired.flatMap(itemKeysOf));
    }
    return accounts.filter((entry) => !expired.includes(entry));
  },

  /** Forgets every account of a server (sign out). Its detection stays (storage.local): not a secret. */
  async forgetServer(serverUrl: ServerUrl): Promise<void> {
    const accounts = await this.accountsOfServer(serverUrl);
    await browser.storage.session.remove(accounts.flatMap(itemKeysOf));
  },
};

function isExpired(entry: AccountEntry, { maxAgeMs, now }: SessionFreshness): boolean {
  return !isSessionFresh(entry.sessionSavedAt, maxAgeMs, now);
}
