import type { LoadedExtension } from './extension';

/** One account entry of the background's `storage.session` cache (lib/keys/account-cache.ts). */
export interface CachedAccount {
  serverUrl: string;
  email: string;
  authorization?: string;
  currentKey?: string;
}

/** The account entries of `storage.session`, read in the service worker. */
export async function cachedAccounts(extension: LoadedExtension): Promise<CachedAccount[]> {
  const worker = await extension.worker();
  return worker.evaluate(async () => {
    type Session = { get(keys: null): Promise<Record<string, unknown>> };
    const { session } = (globalThis as unknown as { chrome: { storage: { session: Session } } }).chrome.storage;
    const items = await session.get(null);
    return Object.entries(items)
      .filter(([key]) => key.startsWith('account:'))
      .map(([, value]) => value as CachedAccount);
  });
}

/** The cached entry of one account, if any. */
export async function cachedAccount(
  extension: LoadedExtension,
  serverUrl: string,
  email: string,
): Promise<CachedAccount | undefined> {
  const accounts = await cachedAccounts(extension);
  return accounts.find((entry) => entry.serverUrl === serverUrl && entry.email.toLowerCase() === email.toLowerCase());
}

/**
 * A popup that opens on its form: no cached session or key, no account remembered, and the
 * servers given already told about signing the web app out (so that opening the popup asks
 * them nothing, and request counts are the flow's own).
 */
export async function freshPopupState(extension: LoadedExtension, warnedServerUrls: string[]): Promise<void> {
  const worker = await extension.worker();
  await worker.evaluate(async (warned) => {
    type Area = { clear(): Promise<void>; remove(keys: string[]): Promise<void>; set(items: object): Promise<void> };
    const { session, local } = (globalThis as unknown as { chrome: { storage: { session: Area; local: Area } } }).chrome
      .storage;
    await session.clear();
    await local.remove(['popup.serverUrl', 'popup.email']);
    await local.set({ 'webSession.warnedServers': warned });
  }, warnedServerUrls);
}
