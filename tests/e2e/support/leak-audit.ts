/**
 * The leak audit every end-to-end test gets: after each test and when a browser closes, the
 * extension's storage (all three areas and IndexedDB) and everything the browser printed to a
 * console are searched for every secret the fake RAGFlow servers of the test file saw or made.
 * Passwords and their ciphertexts may be nowhere; API keys and session tokens only in
 * `storage.session` (README, "Privacy").
 *
 * Browsers launched through the support modules register here ({@link auditWhileOpen}); the
 * setup file of the end-to-end config audits every registered one after each test, so a new test
 * file is audited without asking for it.
 */
import { secretsSeenByFakeServers } from '../../fake-ragflow';
import type { StorageSnapshot } from './storage-dump';

export type SecretKind = 'password' | 'password ciphertext' | 'API key' | 'session token';

export interface Secret {
  kind: SecretKind;
  value: string;
}

/** One thing the browser printed: a console call, a log entry or an uncaught error. */
export interface ConsoleEntry {
  kind: 'console call' | 'browser log entry' | 'uncaught error';
  /** Which page or worker printed it. */
  source: string;
  text: string;
}

/** A piece of text the audit searches, and whether keys and session tokens may be there. */
export interface AuditedPlace {
  where: string;
  text: string;
  mayHoldKeys: boolean;
}

export interface Leak {
  kind: SecretKind;
  where: string;
  /** Enough of the secret to tell which one, not the secret: the report must not leak it. */
  hint: string;
}

/**
 * Shorter strings turn up by chance in any dump (a one-letter password is in every JSON text),
 * and no secret the fake issues is this short: keys, tokens and ciphertexts are far longer.
 */
const SHORTEST_SECRET = 6;

/** Every secret of the fake servers started so far in this test file, and the extra ones given. */
export function knownSecrets(extra: Secret[] = []): Secret[] {
  const seen = secretsSeenByFakeServers();
  const secrets: Secret[] = [
    // The extension base64-encodes the password before encrypting it, as RAGFlow's web app does.
    ...seen.passwords.flatMap((value) => [
      { kind: 'password' as const, value },
      { kind: 'password' as const, value: Buffer.from(value).toString('base64') },
    ]),
    ...seen.passwordCiphertexts.map((value) => ({ kind: 'password ciphertext' as const, value })),
    ...seen.apiKeys.map((value) => ({ kind: 'API key' as const, value })),
    ...seen.sessionTokens.map((value) => ({ kind: 'session token' as const, value })),
    ...extra,
  ];
  return secrets.filter((secret) => secret.value.length >= SHORTEST_SECRET);
}

const mayOnlyBeInSessionStorage = (kind: SecretKind) => kind === 'API key' || kind === 'session token';

/**
 * A long secret is looked for by its first 40 characters (still unique: random base64), because
 * the DevTools protocol shortens long strings inside logged objects. A secret in a JSON text may
 * also be escaped (a quote, a backslash, a control character).
 */
function forms(value: string): string[] {
  const needle = value.slice(0, 40);
  const escaped = JSON.stringify(needle).slice(1, -1);
  return escaped === needle ? [needle] : [needle, escaped];
}

export function findLeaks(places: AuditedPlace[], secrets: Secret[]): Leak[] {
  const leaks: Leak[] = [];
  for (const place of places) {
    for (const secret of secrets) {
      if (place.mayHoldKeys && mayOnlyBeInSessionStorage(secret.kind)) continue;
      if (forms(secret.value).some((form) => place.text.includes(form))) {
        leaks.push({ kind: secret.kind, where: place.where, hint: hintOf(secret.value) });
      }
    }
  }
  return leaks;
}

/** At most a quarter of the secret, and no more than a key's prefix and four characters. */
function hintOf(value: string): string {
  return `"${value.slice(0, Math.min(12, Math.floor(value.length / 4)))}…" (${value.length} characters)`;
}

/** The places of a storage snapshot: one per stored item, one per IndexedDB object store. */
export function placesOfStorage(snapshot: StorageSnapshot, browserName: string): AuditedPlace[] {
  const areas = (['local', 'sync', 'session'] as const).flatMap((area) =>
    Object.entries(snapshot[area]).map(([item, value]) => ({
      where: `${browserName} storage.${area} item "${item}"`,
      text: `${item}\n${JSON.stringify(value)}`,
      mayHoldKeys: area === 'session',
    })),
  );
  const databases = snapshot.indexedDb.map((store) => ({
    where: `${browserName} IndexedDB "${store.database}" store "${store.store}"`,
    text: store.records,
    mayHoldKeys: false,
  }));
  return [...areas, ...databases];
}

export function placesOfConsole(entries: ConsoleEntry[], browserName: string): AuditedPlace[] {
  return entries.map((entry, index) => ({
    where: `${browserName} console of ${entry.source} (${entry.kind}, message ${index + 1})`,
    text: entry.text,
    mayHoldKeys: false,
  }));
}

export class LeakError extends Error {
  constructor(readonly leaks: Leak[]) {
    const lines = leaks.map((leak) => `  - ${leak.kind} ${leak.hint} in ${leak.where}`);
    super(`${leaks.length} secret(s) where they must not be:\n${lines.join('\n')}`);
    this.name = 'LeakError';
  }
}

/** Throws a {@link LeakError} naming each secret found where it must not be. */
export function assertNoLeaks(places: AuditedPlace[], secrets: Secret[] = knownSecrets()): void {
  const leaks = findLeaks(places, secrets);
  if (leaks.length > 0) throw new LeakError(leaks);
}

/** A browser whose extension can be audited: it gathers its places, the audit searches them. */
export interface Auditable {
  auditLeaks(): Promise<void>;
}

const open = new Set<Auditable>();

/** Registers a browser for the audit after each test; returns what unregisters it (on close). */
export function auditWhileOpen(browser: Auditable): () => void {
  open.add(browser);
  return () => open.delete(browser);
}

/** Audits every browser still open. Called after each end-to-end test by the setup file. */
export async function auditOpenBrowsers(): Promise<void> {
  const failures: Error[] = [];
  for (const browser of open) {
    await browser.auditLeaks().catch((error: unknown) => failures.push(error as Error));
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, failures.map((error) => error.message).join('\n'));
}
