/**
 * RAGFlow's account and API-key routes in each of its three generations (docs/ragflow-api.md, "Three
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
  | 'tokens.delete'
  | 'channels';

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
    channels: { method: 'GET', path: '/v1/user/login/channels' },
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
    channels: { method: 'GET', path: '/v1/user/login/channels' },
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
    channels: { method: 'GET', path: '/api/v1/auth/login/channels' },
  },
};

/**
 * The detection probe: the public config route of legacy and mixed servers. One request tells the
 * three generations apart and, where the release allows, carries the public config too
 * (docs/ragflow-releases.md, "Detection"):
 * - v0.20–v0.24 answer `{registerEnabled}`: legacy;
 * - v0.25.0 answers `{registerEnabled, disablePasswordLogin}`: mixed (the field came with it);
 * - v0.25.1 and later, and the Go server, no longer have the route: their "not found" means
 *   RESTful, and the Go server says itself with `X-API-Source: go`.
 * The version route cannot do this: it needs a session on v0.25.0 and v0.25.1.
 */
export const DETECTION_PROBE: Route = ROUTES.legacy.config;

/**
 * The version route of mixed and RESTful servers, public from v0.25.2 and on the Go server. On
 * older servers it is an unknown route, whose answer names the release line: Test connection
 * uses it for that.
 */
export const VERSION_ROUTE: Route = { method: 'GET', path: '/api/v1/system/version' };

/** An SDK route that takes an API key on every generation: the cheap liveness check. */
export const KEY_CHECK: Route = { method: 'GET', path: '/api/v1/datasets?page=1&page_size=1' };
