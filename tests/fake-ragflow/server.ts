/**
 * A fake RAGFlow server for tests: a real node:http server that speaks the account and API-key
 * contract of ../shared/ragflow/API.md in any of the three route generations.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export type Generation = 'legacy' | 'mixed' | 'restful';
export type Operation =
  | 'config'
  | 'register'
  | 'login'
  | 'logout'
  | 'me'
  | 'tokens.list'
  | 'tokens.create'
  | 'tokens.delete'
  | 'version'
  | 'datasets';
export type Fault =
  | 'html502'
  | 'hang'
  | 'reset'
  | 'non-json'
  | 'no-code'
  | 'huge'
  | 'unauthorized'
  | 'no-auth-header'
  | 'server-error';

export interface FakeUser {
  email: string;
  password: string;
  nickname?: string;
  disabled?: boolean;
}

export interface FakeRagflowOptions {
  generation: Generation;
  host?: string;
  port?: number;
  pathPrefix?: string;
  nginx?: boolean;
  registerEnabled?: boolean;
  passwordLoginEnabled?: boolean;
  version?: string;
  keyPair?: { publicKeyPem: string; privateKeyPem: string };
  freshKeyPair?: boolean;
  latencyMs?: number;
  users?: FakeUser[];
}

export interface RequestRecord {
  method: string;
  path: string;
  operation: Operation | null;
  authorization: string | null;
}

export interface FakeRagflow {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly publicKeyPem: string;
  readonly options: FakeRagflowOptions;
  readonly requests: RequestRecord[];
  count(operation?: Operation): number;
  resetCounts(): void;
  injectFault(operation: Operation | '*', fault: Fault, times?: number): void;
  clearFaults(): void;
  addUser(user: FakeUser): void;
  sessionToken(email: string): string | null;
  /** The nickname the account was registered with, as received; null for no such user. */
  nickname(email: string): string | null;
  /**
   * Signs the user in as the RAGFlow web app does (rotating the token like any login), without
   * an HTTP request, so that request counts stay the extension's own. Returns the new
   * `Authorization` value: the one the web app keeps in its page's localStorage under
   * `Authorization` (API.md, "Login, sessions, and a trap"). In nginx mode the same origin
   * serves the web app's page, where a test puts it.
   */
  signInWebApp(email: string): string;
  apiKeys(email: string): string[];
  /** Creates `count` keys for the user as its create route would, oldest first; returns them. */
  seedKeys(email: string, count: number): string[];
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Every secret the fake servers of this process saw or made, for the leak audits of the tests

/** What a leak audit looks for. The extension may keep API keys and session tokens in
 * `storage.session` only, and passwords and their ciphertexts nowhere at all. */
export interface SecretsSeen {
  /** Every password of a user (given, registered over HTTP, or tried at a login). */
  passwords: string[];
  /** Every encrypted password the fake received, as sent (base64). */
  passwordCiphertexts: string[];
  /** Every API key and its `beta` token the fake issued. */
  apiKeys: string[];
  /** Every session the fake opened: the `Authorization` value and the raw access token. */
  sessionTokens: string[];
}

const seen = {
  passwords: new Set<string>(),
  passwordCiphertexts: new Set<string>(),
  apiKeys: new Set<string>(),
  sessionTokens: new Set<string>(),
};

/**
 * The secrets of every fake server started in this process (Vitest runs each test file in a
 * fresh module graph, so: in this test file), closed servers included.
 */
export function secretsSeenByFakeServers(): SecretsSeen {
  return {
    passwords: [...seen.passwords],
    passwordCiphertexts: [...seen.passwordCiphertexts],
    apiKeys: [...seen.apiKeys],
    sessionTokens: [...seen.sessionTokens],
  };
}

// ---------------------------------------------------------------------------------------------
// Constants

const DEFAULT_VERSION: Record<Generation, string> = {
  legacy: 'v0.24.0',
  mixed: 'v0.25.0',
  restful: 'v0.25.1',
};

export const INDEX_HTML =
  '<!doctype html><html><head><title>RAGFlow</title></head><body><div id="root"></div></body></html>';

const NGINX_502_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
  '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.5</center>\r\n</body>\r\n</html>\r\n';

const NON_JSON_HTML =
  '<!doctype html><html><head><title>Not an API</title></head><body><p>Hello from somewhere else.</p></body></html>';

const UNAUTHORIZED_BODY = { code: 401, message: "<Unauthorized '401: Unauthorized'>", data: null };
const SERVER_ERROR_BODY = { code: 500, message: 'Internal server error', data: null };
// RAGFlow's registration pattern, `^[\w\._-]+@([\w_-]+\.)+[\w-]{2,}$`. Python's `\w` matches any
// Unicode letter or digit (str.isalnum) and `_`, where JavaScript's matches ASCII only: spell it out.
const EMAIL_RE = /^[\p{L}\p{N}_.-]+@([\p{L}\p{N}_-]+\.)+[\p{L}\p{N}_-]{2,}$/u;
const MAX_BODY_BYTES = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Routes

type Auth = 'none' | 'session' | 'apikey';
interface Route {
  method: string;
  path: string | RegExp;
  op: Operation;
  auth: Auth;
}

const DATASETS: Route = { method: 'GET', path: '/api/v1/datasets', op: 'datasets', auth: 'apikey' };
const API_TOKENS: Route[] = [
  { method: 'GET', path: '/api/v1/system/tokens', op: 'tokens.list', auth: 'session' },
  { method: 'POST', path: '/api/v1/system/tokens', op: 'tokens.create', auth: 'session' },
  { method: 'DELETE', path: /^\/api\/v1\/system\/tokens\/([^/]+)$/, op: 'tokens.delete', auth: 'session' },
];
const LEGACY_USER: Route[] = [
  { method: 'GET', path: '/v1/system/config', op: 'config', auth: 'none' },
  { method: 'POST', path: '/v1/user/register', op: 'register', auth: 'none' },
  { method: 'POST', path: '/v1/user/login', op: 'login', auth: 'none' },
  { method: 'GET', path: '/v1/user/logout', op: 'logout', auth: 'session' },
  { method: 'GET', path: '/v1/user/info', op: 'me', auth: 'session' },
];

const ROUTES: Record<Generation, Route[]> = {
  legacy: [
    ...LEGACY_USER,
    { method: 'GET', path: '/v1/system/token_list', op: 'tokens.list', auth: 'session' },
    { method: 'POST', path: '/v1/system/new_token', op: 'tokens.create', auth: 'session' },
    { method: 'DELETE', path: /^\/v1\/system\/token\/([^/]+)$/, op: 'tokens.delete', auth: 'session' },
    { method: 'GET', path: '/v1/system/version', op: 'version', auth: 'session' },
    DATASETS,
  ],
  mixed: [
    ...LEGACY_USER,
    ...API_TOKENS,
    { method: 'GET', path: '/api/v1/system/version', op: 'version', auth: 'none' },
    DATASETS,
  ],
  restful: [
    { method: 'GET', path: '/api/v1/system/config', op: 'config', auth: 'none' },
    { method: 'POST', path: '/api/v1/users', op: 'register', auth: 'none' },
    { method: 'POST', path: '/api/v1/auth/login', op: 'login', auth: 'none' },
    { method: 'POST', path: '/api/v1/auth/logout', op: 'logout', auth: 'session' },
    { method: 'GET', path: '/api/v1/users/me', op: 'me', auth: 'session' },
    ...API_TOKENS,
    { method: 'GET', path: '/api/v1/system/version', op: 'version', auth: 'none' },
    DATASETS,
  ],
};

interface RouteMatch {
  route: Route;
  param: string | null;
}

function matchPath(route: Route, path: string): string | null | false {
  if (typeof route.path === 'string') return route.path === path ? null : false;
  const m = route.path.exec(path);
  return m ? (m[1] ?? null) : false;
}

/** `route` when path and method match, `'method'` when only the path matches, null otherwise. */
function findRoute(generation: Generation, method: string, path: string): RouteMatch | 'method' | null {
  let pathSeen = false;
  for (const route of ROUTES[generation]) {
    const param = matchPath(route, path);
    if (param === false) continue;
    if (route.method === method) return { route, param };
    pathSeen = true;
  }
  return pathSeen ? 'method' : null;
}

// ---------------------------------------------------------------------------------------------
// Keys and password decryption

interface KeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

const generateKeyPairAsync = promisify(crypto.generateKeyPair);
let cachedKeyPair: Promise<KeyPair> | undefined;

async function generateKeyPair(): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

function sharedKeyPair(): Promise<KeyPair> {
  cachedKeyPair ??= generateKeyPair();
  return cachedKeyPair;
}

const forgeKeys = new Map<string, forge.pki.rsa.PrivateKey>();

/** RSA PKCS#1 v1.5 decrypt (as RAGFlow does), then base64 → UTF-8. Null if any step fails. */
export function decryptPassword(cipherBase64: string, privateKeyPem: string): string | null {
  try {
    let key = forgeKeys.get(privateKeyPem);
    if (!key) {
      key = forge.pki.privateKeyFromPem(privateKeyPem);
      forgeKeys.set(privateKeyPem, key);
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(cipherBase64)) return null;
    const b64 = key.decrypt(forge.util.decode64(cipherBase64), 'RSAES-PKCS1-V1_5');
    if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return null;
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// State

interface ApiKey {
  tenant_id: string;
  token: string;
  beta: string;
  create_time: number;
  create_date: string;
  update_time: null;
  update_date: null;
}

interface UserState {
  id: string;
  email: string;
  nickname: string;
  password: string;
  disabled: boolean;
  createTime: number;
  lastLogin: number | null;
  /** Raw access token (what `data.access_token` shows). */
  accessToken: string | null;
  /** Signed form of the access token: the `Authorization` header value clients send back. */
  authorization: string | null;
  keys: ApiKey[];
}

interface FaultEntry {
  operation: Operation | '*';
  fault: Fault;
  remaining: number;
}

interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

const json = (body: unknown, status = 200): Reply => ({ status, json: body });
const ok = (data: unknown, message = 'success'): Reply => json({ code: 0, message, data });
const fail = (code: number, message: string, data: unknown = false): Reply => json({ code, message, data });

function notFound(path: string): Reply {
  return json({ code: 404, message: `Not Found: ${path}`, data: null, error: 'Not Found' }, 404);
}

const hex32 = (): string => crypto.randomBytes(16).toString('hex');

/** Looks like itsdangerous' URLSafeTimedSerializer output, as RAGFlow's Authorization header. */
function signToken(accessToken: string): string {
  const payload = Buffer.from(JSON.stringify(accessToken)).toString('base64url');
  const ts = Buffer.from(Math.floor(Date.now() / 1000).toString(16), 'hex').toString('base64url');
  const sig = crypto.randomBytes(20).toString('base64url');
  return `${payload}.${ts}.${sig}`;
}

let hugeBody: Buffer | undefined;
function huge(): Buffer {
  hugeBody ??= Buffer.from(`{"code":0,"message":"success","data":"${'x'.repeat(10 * 1024 * 1024)}"}`);
  return hugeBody;
}

function normalizePrefix(prefix: string | undefined): string {
  if (!prefix) return '';
  let p = prefix.trim().replace(/\/+$/, '');
  if (p && !p.startsWith('/')) p = `/${p}`;
  return p;
}

const delay = (ms: number, timers: Set<NodeJS.Timeout>): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });

// ---------------------------------------------------------------------------------------------
// Server

export async function startFakeRagflow(input: FakeRagflowOptions): Promise<FakeRagflow> {
  const options: FakeRagflowOptions = {
    host: '127.0.0.1',
    port: 0,
    nginx: false,
    registerEnabled: true,
    passwordLoginEnabled: true,
    latencyMs: 0,
    ...input,
  };
  const keyPair = options.keyPair ?? (options.freshKeyPair ? await generateKeyPair() : await sharedKeyPair());
  const requests: RequestRecord[] = [];
  const faults: FaultEntry[] = [];
  const users = new Map<string, UserState>(); // by lower-cased email
  const sessions = new Map<string, UserState>(); // Authorization header value → user
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let lastKeyTime = 0;
  let closed = false;

  const version = (): string => options.version ?? DEFAULT_VERSION[options.generation];

  function addUser(u: FakeUser): void {
    seen.passwords.add(u.password);
    const now = Date.now();
    users.set(u.email.toLowerCase(), {
      id: hex32(),
      email: u.email,
      nickname: u.nickname ?? u.email.split('@')[0] ?? u.email,
      password: u.password,
      disabled: u.disabled ?? false,
      createTime: now,
      lastLogin: null,
      accessToken: null,
      authorization: null,
      keys: [],
    });
  }
  for (const u of options.users ?? []) addUser(u);

  function logIn(user: UserState): string {
    if (user.authorization) sessions.delete(user.authorization);
    user.accessToken = hex32();
    user.authorization = signToken(user.accessToken);
    seen.sessionTokens.add(user.accessToken).add(user.authorization);
    user.lastLogin = Date.now();
    sessions.set(user.authorization, user);
    return user.authorization;
  }

  function userJson(user: UserState): Record<string, unknown> {
    const date = (ms: number | null) => (ms === null ? null : new Date(ms).toUTCString());
    return {
      id: user.id,
      email: user.email,
      nickname: user.nickname,
      access_token: user.accessToken,
      avatar: null,
      color_schema: 'Bright',
      language: 'English',
      timezone: 'UTC+8\tAsia/Shanghai',
      is_active: user.disabled ? '0' : '1',
      is_anonymous: '0',
      is_authenticated: '1',
      is_superuser: false,
      login_channel: 'password',
      status: '1',
      last_login_time: date(user.lastLogin),
      create_time: user.createTime,
      create_date: date(user.createTime),
      update_time: user.lastLogin ?? user.createTime,
      update_date: date(user.lastLogin ?? user.createTime),
    };
  }

  function sessionUser(authorization: string | null): UserState | null {
    if (!authorization) return null;
    const direct = sessions.get(authorization);
    if (direct) return direct;
    if (options.generation === 'restful') {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (m?.[1]) return sessions.get(m[1]) ?? null;
    }
    return null;
  }

  function apiKeyUser(authorization: string | null): UserState | null {
    const m = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
    const token = m?.[1];
    if (!token) return null;
    for (const user of users.values()) if (user.keys.some((k) => k.token === token)) return user;
    return null;
  }

  function takeFault(op: Operation | null): Fault | null {
    const i = faults.findIndex((f) => f.remaining > 0 && (f.operation === '*' || f.operation === op));
    const entry = faults[i];
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(i, 1);
    return entry.fault;
  }

  function parseBody(req: http.IncomingMessage, raw: Buffer): Record<string, unknown> | null {
    if (!/json/i.test(req.headers['content-type'] ?? '')) return null;
    try {
      const value: unknown = JSON.parse(raw.toString('utf8'));
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  /** Records the password of a login or registration, as sent and decrypted, whatever the answer. */
  function notePassword(body: Record<string, unknown> | null): void {
    if (typeof body?.password !== 'string') return;
    seen.passwordCiphertexts.add(body.password);
    const password = decryptPassword(body.password, keyPair.privateKeyPem);
    if (password !== null) seen.passwords.add(password);
  }

  function handleLogin(body: Record<string, unknown> | null): Reply | [Reply, string] {
    if (options.passwordLoginEnabled === false) {
      return fail(109, 'Password login is disabled on this server.', null);
    }
    if (!body) return fail(109, 'Unauthorized!');
    const email = typeof body.email === 'string' ? body.email : '';
    const user = users.get(email.toLowerCase());
    if (!user) return fail(109, `Email: ${email} is not registered!`);
    const password = typeof body.password === 'string' ? decryptPassword(body.password, keyPair.privateKeyPem) : null;
    if (password === null) return fail(500, 'Fail to crypt password');
    if (password !== user.password) return fail(109, 'Email and password do not match!');
    if (user.disabled) return fail(403, 'This account has been disabled, please contact the administrator!');
    const auth = logIn(user);
    return [ok(userJson(user), 'Welcome back!'), auth];
  }

  function handleRegister(body: Record<string, unknown> | null): Reply | [Reply, string] {
    const missing = ['nickname', 'email', 'password'].filter((k) => !body || body[k] === undefined);
    if (!body || missing.length) return fail(101, `required argument are missing: ${missing.join(',')}; `);
    if (options.registerEnabled === false) return fail(103, 'User registration is disabled!');
    const email = String(body.email);
    const nickname = typeof body.nickname === 'string' ? body.nickname.trim() : '';
    if (options.generation === 'restful' && !nickname) return fail(101, 'Nickname cannot be empty.');
    if (!EMAIL_RE.test(email)) return fail(103, `Invalid email address: ${email}!`);
    if (users.has(email.toLowerCase())) return fail(103, `Email: ${email} has already registered!`);
    const password = typeof body.password === 'string' ? decryptPassword(body.password, keyPair.privateKeyPem) : null;
    if (password === null) return fail(500, 'Fail to crypt password');
    addUser({ email, password, nickname: typeof body.nickname === 'string' ? body.nickname : String(body.nickname) });
    const user = users.get(email.toLowerCase())!;
    const auth = logIn(user);
    return [ok(userJson(user), `${user.nickname}, welcome aboard!`), auth];
  }

  function createKey(user: UserState): ApiKey {
    const now = Math.max(Date.now(), lastKeyTime + 1);
    lastKeyTime = now;
    const key: ApiKey = {
      tenant_id: user.id,
      token: `ragflow-${crypto.randomBytes(32).toString('base64url')}`,
      beta: crypto.randomBytes(24).toString('base64url').slice(0, 32),
      create_time: now,
      create_date: new Date(now).toUTCString(),
      update_time: null,
      update_date: null,
    };
    seen.apiKeys.add(key.token).add(key.beta);
    user.keys.push(key);
    return key;
  }

  /** Returns the reply and, for login/register, the Authorization header to send. */
  function dispatch(
    match: RouteMatch,
    req: http.IncomingMessage,
    raw: Buffer,
    authorization: string | null,
  ): Reply | [Reply, string] {
    const { route, param } = match;
    let user: UserState | null = null;
    if (route.auth === 'session') {
      user = sessionUser(authorization);
      if (!user) return json(UNAUTHORIZED_BODY, 401);
    }
    switch (route.op) {
      case 'config': {
        const data: Record<string, unknown> = { registerEnabled: options.registerEnabled === false ? 0 : 1 };
        if (options.generation !== 'legacy') data.disablePasswordLogin = options.passwordLoginEnabled === false;
        return ok(data);
      }
      case 'version':
        return ok(version());
      case 'login':
        return handleLogin(parseBody(req, raw));
      case 'register':
        return handleRegister(parseBody(req, raw));
      case 'logout':
        if (user?.authorization) sessions.delete(user.authorization);
        if (user) {
          user.accessToken = null;
          user.authorization = null;
        }
        return ok(true);
      case 'me':
        return ok(user ? userJson(user) : null);
      case 'tokens.list':
        return ok((user?.keys ?? []).map((k) => ({ ...k, dialog_id: null, source: null })));
      case 'tokens.create':
        return ok(user ? createKey(user) : null);
      case 'tokens.delete': {
        let token = param ?? '';
        try {
          token = decodeURIComponent(token);
        } catch {
          /* keep raw */
        }
        if (user) user.keys = user.keys.filter((k) => k.token !== token);
        return ok(true);
      }
      case 'datasets': {
        if (apiKeyUser(authorization)) return json({ code: 0, data: [], message: 'success', total_datasets: 0 });
        const restful = options.generation === 'restful';
        return json(
          { code: restful ? 401 : 109, message: 'Authentication error: API key is invalid!', data: false },
          restful ? 401 : 200,
        );
      }
    }
  }

  function corsHeaders(req: http.IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    return {
      'Access-Control-Allow-Origin': origin ?? '*',
      ...(origin ? { 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' } : {}),
      'Access-Control-Expose-Headers': 'Authorization',
    };
  }

  function send(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, body?: Buffer): void {
    if (closed || res.destroyed || res.writableEnded) return;
    const payload =
      body ?? Buffer.from(reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? ''), 'utf8');
    res.writeHead(reply.status, {
      ...corsHeaders(req),
      'Content-Type': reply.contentType ?? (reply.json !== undefined ? 'application/json' : 'text/html; charset=utf-8'),
      'Content-Length': String(payload.length),
      ...reply.headers,
    });
    res.end(payload);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const fullPath = rawUrl.split('?')[0] ?? '/';
    const authorization = req.headers.authorization ?? null;
    const prefix = normalizePrefix(options.pathPrefix);

    // Work out where the request goes (before faults, which are keyed by operation).
    let reply: Reply | null = null;
    let match: RouteMatch | null = null;
    const inPrefix = !prefix || fullPath === prefix || fullPath.startsWith(`${prefix}/`);
    const path = inPrefix ? fullPath.slice(prefix.length) || '/' : fullPath;
    const isApiPath = (p: string) => /^\/(v1|api)(\/|$)/.test(p);
    if (!inPrefix) {
      reply = options.nginx ? { status: 200, text: INDEX_HTML } : notFound(fullPath);
    } else if (options.nginx && !isApiPath(path)) {
      reply = { status: 200, text: INDEX_HTML };
    } else if (method !== 'OPTIONS') {
      const found = findRoute(options.generation, method, path);
      if (found === 'method') {
        reply = json({ code: 405, message: 'Method Not Allowed', data: null, error: 'Method Not Allowed' }, 405);
      } else if (found === null) {
        reply = notFound(path);
      } else {
        match = found;
      }
    }
    const operation = match?.route.op ?? null;
    requests.push({ method, path: fullPath, operation, authorization });

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size <= MAX_BODY_BYTES) chunks.push(buf);
    }
    const raw = Buffer.concat(chunks);
    // Before any fault: a password sent to a server that then fails was still sent.
    if (operation === 'login' || operation === 'register') notePassword(parseBody(req, raw));

    if (method === 'OPTIONS') {
      if (options.latencyMs) await delay(options.latencyMs, timers);
      if (closed || res.destroyed) return;
      res.writeHead(204, {
        ...corsHeaders(req),
        'Access-Control-Allow-Headers': 'Authorization, Content-Type',
        'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
        'Access-Control-Max-Age': '600',
        'Content-Length': '0',
      });
      res.end();
      return;
    }

    const fault = takeFault(operation);
    if (options.latencyMs) await delay(options.latencyMs, timers);
    if (closed) return;

    switch (fault) {
      case 'hang':
        return; // never answer; close() destroys the socket
      case 'reset':
        req.socket.destroy();
        return;
      case 'html502':
        return send(req, res, { status: 502, text: NGINX_502_HTML });
      case 'non-json':
        return send(req, res, { status: 200, text: NON_JSON_HTML });
      case 'no-code':
        return send(req, res, json({ data: null, message: 'ok' }));
      case 'huge':
        return send(req, res, { status: 200, json: null }, huge());
      case 'unauthorized':
        return send(req, res, json(UNAUTHORIZED_BODY, 401));
      case 'server-error':
        return send(req, res, json(SERVER_ERROR_BODY, 500));
      case 'no-auth-header':
      case null:
        break;
    }

    if (reply || !match) return send(req, res, reply ?? notFound(path));
    const result = dispatch(match, req, raw, authorization);
    if (Array.isArray(result)) {
      const [r, auth] = result;
      const headers: Record<string, string> = fault === 'no-auth-header' ? {} : { Authorization: auth };
      return send(req, res, { ...r, headers });
    }
    return send(req, res, result);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      send(req, res, json({ code: 100, message: String(err), data: null }, 500));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = `${origin}${normalizePrefix(options.pathPrefix)}`;

  return {
    url,
    origin,
    port,
    publicKeyPem: keyPair.publicKeyPem,
    options,
    requests,
    count(operation?: Operation): number {
      if (operation === undefined) return requests.filter((r) => r.method !== 'OPTIONS').length;
      return requests.filter((r) => r.operation === operation).length;
    },
    resetCounts(): void {
      requests.length = 0;
    },
    injectFault(operation: Operation | '*', fault: Fault, times = Infinity): void {
      faults.push({ operation, fault, remaining: times });
    },
    clearFaults(): void {
      faults.length = 0;
    },
    addUser,
    sessionToken(email: string): string | null {
      return users.get(email.toLowerCase())?.authorization ?? null;
    },
    nickname(email: string): string | null {
      return users.get(email.toLowerCase())?.nickname ?? null;
    },
    signInWebApp(email: string): string {
      const user = users.get(email.toLowerCase());
      if (!user) throw new Error(`No user ${email} on this fake server`);
      return logIn(user);
    },
    apiKeys(email: string): string[] {
      return (users.get(email.toLowerCase())?.keys ?? []).map((k) => k.token);
    },
    seedKeys(email: string, count: number): string[] {
      const user = users.get(email.toLowerCase());
      if (!user) throw new Error(`No user ${email}`);
      return Array.from({ length: count }, () => createKey(user).token);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      for (const s of sockets) s.destroy();
      await done;
    },
  };
}
