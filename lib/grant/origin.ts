/** An exact-host origin pattern the grant page may ask for, like `https://rag.example.com/*`. */
export interface GrantOrigin {
  pattern: string;
  host: string;
}

const ORIGIN_PATTERN = /^(https?):\/\/([^/?#*@\s]+)\/\*$/;

/**
 * Reads the grant page's `?origin=`. Anyone can open the page with any query, so only what the
 * popup itself produces (`originPattern()`: http(s), one host, no port, no wildcard) is accepted.
 */
export function parseGrantOrigin(raw: string | null): GrantOrigin | null {
  const match = raw === null ? null : ORIGIN_PATTERN.exec(raw);
  if (!match) return null;
  const [, scheme, host] = match;
  let url: URL;
  try {
    url = new URL(`${scheme}://${host}/`);
  } catch {
    return null;
  }
  // The URL parser lower-cases, decodes and re-encodes: a host it changes is not a plain host.
  if (url.hostname !== host || url.port !== '') return null;
  return { pattern: `${scheme}://${url.hostname}/*`, host: url.hostname };
}
