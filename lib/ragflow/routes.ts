/**
 * RAGFlow's account and API-key routes in each of its three generations (API.md, "Three
 * generations of routes"). RAGFlow moved its web API to REST routes during 2026; a server in
 * the wild can be any of these.
 */
export type Generation = 'legacy' | 'mixed' | 'restful';

export const GENERATIONS: readonly Generation[] = ['legacy', 'mixed', 'restful'];

export type Operation =
  | 'config'
  | 'register'
  | 'login'
  | 'logout'
  | 'me'
  | 'tokens.list'
  | 'tokens.create'
  | 'tokens.delete';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface Route {
  method: HttpMethod;
  /** Path under the server's base URL; `{token}` is replaced for delete. */
  path: string;
}

export const ROUTES: Record<Generation, Record<Operation, Route>> = {
  // RAGFlow ≤ v0.24.x
  legacy: {
    config: { method: 'GET', path: '/v1/system/config' },
    register: { method: 'POST', path: '/v1/user/register' },
    login: { method: 'POST', path: '/v1/user/login' },
    logout: { method: 'GET', path: '/v1/user/logout' },
    me: { method: 'GET', path: '/v1/user/info' },
    'tokens.list': { method: 'GET', path: '/v1/system/token_list' },
    'tokens.create': { method: 'POST', path: '/v1/system/new_token' },
    'tokens.delete': { method: 'DELETE', path: '/v1/system/token/{token}' },
  },
  // RAGFlow v0.25.0: keys moved under /api/v1, accounts not yet.
  mixed: {
    config: { method: 'GET', path: '/v1/system/config' },
    register: { method: 'POST', path: '/v1/user/register' },
    login: { method: 'POST', path: '/v1/user/login' },
    logout: { method: 'GET', path: '/v1/user/logout' },
    me: { method: 'GET', path: '/v1/user/info' },
    'tokens.list': { method: 'GET', path: '/api/v1/system/tokens' },
    'tokens.create': { method: 'POST', path: '/api/v1/system/tokens' },
    'tokens.delete': { method: 'DELETE', path: '/api/v1/system/tokens/{token}' },
  },
  // RAGFlow ≥ v0.25.1 and the Go server.
  restful: {
    config: { method: 'GET', path: '/api/v1/system/config' },
    register: { method: 'POST', path: '/api/v1/users' },
    login: { method: 'POST', path: '/api/v1/auth/login' },
    logout: { method: 'POST', path: '/api/v1/auth/logout' },
    me: { method: 'GET', path: '/api/v1/users/me' },
    'tokens.list': { method: 'GET', path: '/api/v1/system/tokens' },
    'tokens.create': { method: 'POST', path: '/api/v1/system/tokens' },
    'tokens.delete': { method: 'DELETE', path: '/api/v1/system/tokens/{token}' },
  },
};

/**
 * The detection probe. It does not exist on legacy servers (JSON 404), and is public on mixed
 * and RESTful ones, where the version it reports tells them apart: v0.25.0 is the only mixed
 * release. One request, three answers.
 */
export const VERSION_PROBE: Route = { method: 'GET', path: '/api/v1/system/version' };

/** An SDK route that takes an API key on every generation: the cheap liveness check. */
export const KEY_CHECK: Route = { method: 'GET', path: '/api/v1/datasets?page=1&page_size=1' };

/**
 * Which generation a version string from the probe belongs to. Versions look like `v0.25.0`,
 * `v0.25.0-slim` or `v0.25.0-12-gabc123`. Anything unparsable (a Go server's own scheme, a dev
 * build) is taken as RESTful: the probe route exists there, and a wrong guess is corrected by
 * the re-detection that a 404 on a remembered route triggers.
 */
export function generationFromVersion(version: string): Generation {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return 'restful';
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  const isAfterMixed = major > 0 || minor > 25 || (minor === 25 && patch >= 1);
  return isAfterMixed ? 'restful' : 'mixed';
}
