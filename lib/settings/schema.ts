/**
 * The shape of the settings and the plain functions over it, without the storage item: pages
 * that only read settings through the background (the popup) import this and stay small.
 */
import type { ServerUrl } from '../ragflow/server-url';

/** Reuse the account's newest key (the default), or always create a new one. */
export type KeyPolicy = 'reuse' | 'new';

/**
 * How long a signed-in session (its token and key) stays in the extension's cache. Until the
 * browser closes is storage.session's own lifetime; minutes are counted from the sign-in.
 */
export type SessionLifetime = { kind: 'until-browser-closes' } | { kind: 'minutes'; minutes: number };

export const DEFAULT_SESSION_LIFETIME: SessionLifetime = { kind: 'until-browser-closes' };

/** One week: past that, "until the browser closes" says what the user means more plainly. */
export const SESSION_MINUTES_RANGE = { min: 1, max: 7 * 24 * 60 } as const;

/** One RAGFlow server the user set up. Holds no secret: no password, session or API key. */
export interface ServerSettings {
  id: string;
  name: string;
  /** Made by the validators (lib/settings/validate.ts) when saved or imported; trusted once stored. */
  url: ServerUrl;
  /** The account to fill in the popup for this server. */
  email?: string;
  keyPolicy: KeyPolicy;
  /** The server's own RSA public key (PEM), when it does not use RAGFlow's default pair. */
  publicKeyPem?: string;
  sessionLifetime: SessionLifetime;
}

export interface Settings {
  servers: ServerSettings[];
  defaultServerId?: string;
}

export const DEFAULT_SETTINGS: Settings = { servers: [] };

/** The saved server at this base URL. */
export function findServer(
  settings: { readonly servers: readonly ServerSettings[] },
  serverUrl: ServerUrl,
): ServerSettings | undefined {
  return settings.servers.find((server) => server.url === serverUrl);
}

/** The default server, else the first one; undefined when none is set up. */
export function defaultServer(settings: Settings): ServerSettings | undefined {
  return settings.servers.find((server) => server.id === settings.defaultServerId) ?? settings.servers[0];
}

/**
 * The session-cache lifetime of a server. One that is not set up (typed in the popup, or removed
 * since) has no lifetime of its own: it gets the shortest any set-up server has, so that a key
 * never outlives what the user chose for the servers they did set up.
 */
export function sessionLifetimeFor(
  settings: { readonly servers: readonly ServerSettings[] },
  serverUrl: ServerUrl,
): SessionLifetime {
  const own = findServer(settings, serverUrl)?.sessionLifetime;
  if (own) return own;
  const minutes = settings.servers.flatMap(({ sessionLifetime }) =>
    sessionLifetime.kind === 'minutes' ? [sessionLifetime.minutes] : [],
  );
  return minutes.length > 0 ? { kind: 'minutes', minutes: Math.min(...minutes) } : DEFAULT_SESSION_LIFETIME;
}

/** How old a cached session may get, in milliseconds; undefined: until the browser closes. */
export function sessionMaxAgeMs(lifetime: SessionLifetime = DEFAULT_SESSION_LIFETIME): number | undefined {
  return lifetime.kind === 'minutes' ? lifetime.minutes * 60_000 : undefined;
}
