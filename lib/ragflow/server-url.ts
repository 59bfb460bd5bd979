import type { AppError } from '../errors';
import { invalidServerUrl } from './errors';

/** Longer than anything worth parsing; a guard against pasted garbage. */
export const MAX_SERVER_URL_LENGTH = 2048;

/**
 * Longer than any real server address once query and fragment are gone: a DNS name has at most
 * 253 characters, and a reverse proxy's path prefix a few dozen. A pasted web-app address with a
 * long query still fits; a path of hundreds of characters is a page, not a server.
 */
export const MAX_SERVER_BASE_URL_LENGTH = 512;

/** A scheme followed by something that is not a port number (`localhost:9380` has no scheme). */
const SCHEME_PATTERN = /^([a-z][a-z\d+.-]*):(?!\d+(?:[/?#]|$))/i;

const BROWSER_PAGE_SCHEMES = new Set([
  'about',
  'chrome',
  'chrome-extension',
  'chrome-untrusted',
  'edge',
  'brave',
  'opera',
  'vivaldi',
  'moz-extension',
  'resource',
  'view-source',
  'devtools',
]);

/**
 * Suffixes users paste along with the server (the SDK base URL, a route): the client adds these
 * paths itself, so keeping them would double the prefix (`/api/v1/api/v1/...`).
 */
const API_PATH_SUFFIX = /(?:\/api\/v1|\/api|\/v1)$/i;

declare const serverUrlBrand: unique symbol;

/**
 * A server's base URL as {@link normalizeServerUrl} makes it, and only that: code that holds one
 * trusts it as it is. Made at the edges, where an address comes from outside (a form, an imported
 * or stored settings file, a tab's address, a message from a page); nowhere else.
 */
export type ServerUrl = string & { readonly [serverUrlBrand]: true };

/**
 * Turns what a user typed into the base URL every request is built on:
 * `localhost:9380` → `http://localhost:9380`, `https://Host/prefix/` → `https://host/prefix`.
 * A reverse-proxy path prefix is kept; query, fragment and trailing slashes are dropped.
 * The one way to make a {@link ServerUrl}. Throws an `invalid-server-url` error with a reason the
 * UI can explain; anything but a string (a message's field, a stored value) is malformed.
 */
export function normalizeServerUrl(input: unknown): ServerUrl {
  if (typeof input !== 'string') throw invalidServerUrl('malformed');
  const trimmed = input.trim();
  if (trimmed === '') throw invalidServerUrl('empty');
  if (trimmed.length > MAX_SERVER_URL_LENGTH) throw invalidServerUrl('too-long');

  const scheme = SCHEME_PATTERN.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    throw rejectScheme(scheme);
  }
  const withScheme = scheme === undefined ? `http://${trimmed.replace(/^\/+/, '')}` : trimmed;

  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalidServerUrl('malformed');
  }
  // A bare host: a local RAGFlow (Docker, a machine on the LAN) speaks plain http, so that stays
  // the default there; a public name gets https, so that nothing goes out in cleartext unasked.
  if (scheme === undefined && !isPrivateHost(url.hostname)) url.protocol = 'https:';
  // `new URL('http:host')` is accepted and means http://host/; only `http://` forms are ours.
  if (!/^https?:\/\//i.test(withScheme) || url.hostname === '') {
    throw invalidServerUrl('malformed');
  }
  if (url.username !== '' || url.password !== '') throw invalidServerUrl('credentials');

  const path = url.pathname.replace(/\/+$/, '').replace(API_PATH_SUFFIX, '').replace(/\/+$/, '');
  const baseUrl = `${url.protocol}//${url.host}${path}`;
  if (baseUrl.length > MAX_SERVER_BASE_URL_LENGTH) throw invalidServerUrl('too-long');
  return baseUrl as ServerUrl;
}

/**
 * For an edge that has nothing to say about an address that is not one (a tab of another site,
 * a hand-edited stored value): the server URL, or undefined.
 */
export function serverUrlOrUndefined(input: unknown): ServerUrl | undefined {
  try {
    return normalizeServerUrl(input);
  } catch {
    return undefined;
  }
}

function rejectScheme(scheme: string): AppError<'invalid-server-url'> {
  if (scheme === 'javascript' || scheme === 'vbscript') return invalidServerUrl('javascript');
  if (scheme === 'file') return invalidServerUrl('file');
  if (scheme === 'data' || scheme === 'blob') return invalidServerUrl('data');
  if (BROWSER_PAGE_SCHEMES.has(scheme)) return invalidServerUrl('browser-page', `${scheme}:`);
  return invalidServerUrl('unsupported-scheme', `${scheme}:`);
}

/**
 * The origin match pattern a browser permission needs for this server. Match patterns carry
 * no port (`http://localhost:9380/*` is invalid in Firefox); `http://host/*` covers them all.
 */
export function originPattern(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

/** Loopback: `localhost` and its subdomains, 127.0.0.0/8 and `[::1]`. Never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '[::1]';
}

/**
 * A host a bare address keeps plain http for: loopback, an IP address (v4 or v6), a name with a
 * single label (a Docker service, an intranet host) or under `.local` or `.lan`. Self-hosted
 * RAGFlow lives there, mostly without a certificate. Everything else is a public name.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (isLoopbackHost(host)) return true;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || host.startsWith('[')) return true;
  return !host.includes('.') || host.endsWith('.local') || host.endsWith('.lan');
}

/**
 * Whether what goes to this server crosses a network in cleartext: plain http to anything but
 * loopback. The password's RSA step does not make that safe (docs/ragflow-api.md, "Password
 * encryption").
 */
export function isCleartextOverNetwork(baseUrl: string): boolean {
  const url = new URL(baseUrl);
  return url.protocol === 'http:' && !isLoopbackHost(url.hostname);
}
