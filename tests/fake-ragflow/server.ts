/**
 * A fake RAGFlow server for tests: a real node:http server that speaks the account and API-key
 * contract of RAGFlow, release by release. What each release profile imitates, and where it
 * comes from in RAGFlow's source, is written down in docs/ragflow-releases.md.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

import type { ServerUrl } from '../../lib/ragflow/server-url';

export type Generation = 'legacy' | 'mixed' | 'restful';

/**
 * The release profiles (docs/ragflow-releases.md, "Release profiles"): `'v0.22'` stands for
 * v0.20–v0.22, `'v0.24'` for v0.23.1–v0.24.x, `'v0.26'` for v0.25.2 and later Python servers
 * (v0.26, v0.27), `'go'` for the Go server of v0.27.0 and later.
 */
export type Release = 'v0.22' | 'v0.23.0' | 'v0.24' | 'v0.25.0' | 'v0.25.1' | 'v0.26' | 'go';
export const RELEASES: readonly Release[] = ['v0.22', 'v0.23.0', 'v0.24', 'v0.25.0', 'v0.25.1', 'v0.26', 'go'];

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
  | 'channels'
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
  /**
   * The user was invited to another team, and the database lists that membership first: Python's
   * delete-token route then looks in the wrong tenant (docs/ragflow-releases.md, "Deleting a key
   * of a user invited to another team").
   */
  otherTeam?: boolean;
  /** A superuser (`is_superuser`): the Go server refuses it on its session routes. */
  superuser?: boolean;
}

/** One sign-in channel of the server's OAuth configuration (docs/ragflow-releases.md, "Login channels"). */
export interface SsoChannel {
  channel: string;
  display_name?: string;
  icon?: string;
}

export interface FakeRagflowOptions {
  /** Which release to imitate. Without it, `generation` picks one (legacy → v0.24, mixed → v0.25.0, restful → v0.26). */
  release?: Release;
  /** The route generation; set from `release` when that is given. */
  generation?: Generation;
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
  /** The `DISABLE_SDK` environment variable of v0.21–v0.24 (docs/ragflow-releases.md, "DISABLE_SDK"). */
  disableSdk?: boolean;
  /** The OAuth channels configured on the server, for the login-channels route. */
  ssoChannels?: SsoChannel[];
  /**
   * A hostile server: the keys it creates are not RAGFlow's (`ragflow-` and url-safe base64) but
   * {@link HOSTILE_KEY_TOKENS} in turn: shell and Python code, quotes, newlines, 10 KB.
   */
  hostileKeys?: boolean;
}

/**
 * What a hostile server (or anyone on the path to a plain-http one) can send as an API key: each
 * would run code if pasted unquoted into a shell or a Python string, or break a `.env` file.
 */
export const HOSTILE_KEY_TOKENS: readonly string[] = [
  'ragflow-$(touch /tmp/ragflow-keys-pwned)',
  'ragflow-`id`',
  'ragflow-"); __import__("os").system("id"); ("',
  "ragflow-'; id; echo '",
  'ragflow-abc\nRAGFLOW_BASE_URL=http://evil.example',
  'ragflow-abc\nimport os',
  `ragflow-${'A'.repeat(10 * 1024)}`,
];

export interface RequestRecord {
  method: string;
  path: string;
  operation: Operation | null;
  authorization: string | null;
}

export interface FakeRagflow {
  /** The base URL, in the form the extension's normalizeServerUrl gives it: scheme, host, prefix. */
  readonly url: ServerUrl;
  readonly origin: string;
  readonly port: number;
  readonly publicKeyPem: string;
  readonly options: FakeRagflowOptions;
  /** The release profile in force (follows `options.release`, or `options.generation` without it). */
  readonly release: Release;
  readonly requests: RequestRecord[];
  count(operation?: Operation): number;
  resetCounts(): void;
  injectFault(operation: Operation | '*', fault: Fault, times?: number): void;
  /** Answers the operation with a redirect (307 by default: the client replays the body) to `location`. */
  injectRedirect(operation: Operation | '*', location: string, status?: number): void;
  clearFaults(): void;
  /**
   * Adds a key with exactly this token to the user's keys, as a hostile server would list it, or
   * as an embed token of a chat or agent (`embed`) in the same list.
   */
  plantKey(email: string, token: string, embed?: { dialogId: string; source?: 'agent' }): void;
  addUser(user: FakeUser): void;
  sessionToken(email: string): string | null;
  /** The nickname the account was registered with, as received; null for no such user. */
  nickname(email: string): string | null;
  /**
   * Signs the user in as the RAGFlow web app does (rotating the token like any login), without
   * an HTTP request, so that request counts stay the extension's own. Returns the new
   * `Authorization` value: the one the web app keeps in its page's localStorage under
   * `Authorization`. In nginx mode the same origin serves the web app's page, where a test puts it.
   */
  signInWebApp(email: string): string;
  /**
   * Makes the user's current session older than the Go server's 24 hours, as if it had been
   * signed a day ago. Python servers never expire a session, so there it changes nothing
   * (docs/ragflow-releases.md, "Session lifetime").
   */
  expireSession(email: string): void;
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
// Release profiles (docs/ragflow-releases.md, "Release profiles")

interface Traits {
  generation: Generation;
  go: boolean;
  /** ≤ v0.22.0 ran on Flask (Flask-CORS echoes the origin); later Python on Quart (quart-cors answers `*`). */
  flask: boolean;
  /** "Unknown routes": the error handler's answer. */
  notFound: 'exception' | 'plain404' | 'json404';
  /** "Unauthorized answers": ≤ v0.23.x turn the 401 into an HTTP 200 envelope. */
  unauthorizedHttp200: boolean;
  /** "The Authorization header": how a session route reads the header. */
  auth: 'session-only' | 'two-words-key' | 'bearer-or-key' | 'go';
  /** "Version route": `GET …/system/version` needs a session. */
  versionNeedsLogin: boolean;
  /** "The SDK key check": which decorator guards `GET /api/v1/datasets`. */
  datasets: 'token_required' | 'login_required' | 'go';
  /** "Deleting a key of a user invited to another team". */
  deleteUsesFirstTenant: boolean;
  /** "User data in answers": v0.26+ strips password and access_token. */
  safeUserDict: boolean;
  /** "Nickname rule" of v0.26.1+. */
  nicknameRule: boolean;
  /** "DISABLE_SDK": token_required looks at the variable (v0.21–v0.24). */
  disableSdkApplies: boolean;
  /** "Public config": whether `disablePasswordLogin` is in the answer. */
  configHasPasswordLogin: boolean;
  defaultVersion: string;
}

const PY_LEGACY: Omit<Traits, 'notFound' | 'unauthorizedHttp200' | 'auth' | 'deleteUsesFirstTenant' | 'flask'> = {
  generation: 'legacy',
  go: false,
  versionNeedsLogin: true,
  datasets: 'token_required',
  safeUserDict: false,
  nicknameRule: false,
  disableSdkApplies: true,
  configHasPasswordLogin: false,
  defaultVersion: 'v0.24.0',
};

const V0_25_0: Traits = {
  generation: 'mixed',
  go: false,
  flask: false,
  notFound: 'json404',
  unauthorizedHttp200: false,
  auth: 'bearer-or-key',
  versionNeedsLogin: true,
  datasets: 'login_required',
  deleteUsesFirstTenant: true,
  safeUserDict: false,
  nicknameRule: false,
  disableSdkApplies: false,
  configHasPasswordLogin: true,
  defaultVersion: 'v0.25.0',
};

const V0_25_1: Traits = { ...V0_25_0, generation: 'restful', defaultVersion: 'v0.25.1' };

const TRAITS: Record<Release, Traits> = {
  'v0.22': {
    ...PY_LEGACY,
    flask: true,
    notFound: 'exception',
    unauthorizedHttp200: true,
    auth: 'session-only',
    deleteUsesFirstTenant: false,
    defaultVersion: 'v0.22.1',
  },
  'v0.23.0': {
    ...PY_LEGACY,
    flask: false,
    notFound: 'plain404',
    unauthorizedHttp200: true,
    auth: 'session-only',
    deleteUsesFirstTenant: false,
    defaultVersion: 'v0.23.0',
  },
  'v0.24': {
    ...PY_LEGACY,
    flask: false,
    notFound: 'json404',
    unauthorizedHttp200: false,
    auth: 'two-words-key',
    deleteUsesFirstTenant: true,
    defaultVersion: 'v0.24.0',
  },
  'v0.25.0': V0_25_0,
  // Each later Python release as what changed since the one before.
  'v0.25.1': V0_25_1,
  'v0.26': { ...V0_25_1, versionNeedsLogin: false, safeUserDict: true, nicknameRule: true, defaultVersion: 'v0.27.0' },
  go: {
    generation: 'restful',
    go: true,
    flask: false,
    notFound: 'json404',
    unauthorizedHttp200: false,
    auth: 'go',
    versionNeedsLogin: false,
    datasets: 'go',
    deleteUsesFirstTenant: false,
    safeUserDict: false,
    nicknameRule: false,
    disableSdkApplies: false,
    configHasPasswordLogin: true,
    defaultVersion: 'v0.27.0',
  },
};

/** What a server started with `generation` only imitates (kept for the tests written before releases). */
const RELEASE_OF_GENERATION: Record<Generation, Release> = { legacy: 'v0.24', mixed: 'v0.25.0', restful: 'v0.26' };
/** The version those servers report, as they always did. */
const COMPAT_VERSION: Record<Generation, string> = { legacy: 'v0.24.0', mixed: 'v0.25.0', restful: 'v0.25.1' };

export function generationOf(release: Release): Generation {
  return TRAITS[release].generation;
}

export const INDEX_HTML =
  '<!doctype html><html><head><title>RAGFlow</title></head><body><div id="root"></div></body></html>';

const NGINX_502_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
  '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.5</center>\r\n</body>\r\n</html>\r\n';

const NON_JSON_HTML =
  '<!doctype html><html><head><title>Not an API</title></head><body><p>Hello from somewhere else.</p></body></html>';

const UNAUTHORIZED_MESSAGE = "<Unauthorized '401: Unauthorized'>";
const UNAUTHORIZED_BODY = { code: 401, message: UNAUTHORIZED_MESSAGE, data: null };
const SERVER_ERROR_BODY = { code: 500, message: 'Internal server error', data: null };
// RAGFlow's registration pattern, `^[\w\._-]+@([\w_-]+\.)+[\w-]{2,}$`. Python's `\w` matches any
// Unicode letter or digit (str.isalnum) and `_`, where JavaScript's matches ASCII only: spell it out.
const EMAIL_RE = /^[\p{L}\p{N}_.-]+@([\p{L}\p{N}_-]+\.)+[\p{L}\p{N}_-]{2,}$/u;
// Go's regexp `\w` is ASCII only (docs/ragflow-releases.md, "Go server: validation").
const GO_EMAIL_RE = /^[\w._-]+@([\w_-]+\.)+[\w-]{2,}$/;
// A rough stand-in for the `email` tag of Go's request validator: one @, no spaces.
const GO_BINDING_EMAIL_RE = /^[^\s@]+@[^\s@]+$/;
// v0.26.1's nickname rule: `^[\w ._'-]+$` with Python's Unicode `\w`, at most 100 characters.
const NICKNAME_RE = /^[\p{L}\p{N}_ ._'-]+$/u;
const NICKNAME_MAX_LENGTH = 100;
const GO_SESSION_MAX_AGE_S = 86400;
const MAX_BODY_BYTES = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Routes (docs/ragflow-releases.md, "Route map")

type Auth = 'none' | 'session' | 'sdk';
interface Route {
  method: string;
  path: string | RegExp;
  op: Operation;
  auth: Auth;
}

const DATASETS: Route = { method: 'GET', path: '/api/v1/datasets', op: 'datasets', auth: 'sdk' };
const API_TOKENS: Route[] = [
  { method: 'GET', path: '/api/v1/system/tokens', op: 'tokens.list', auth: 'session' },
  { method: 'POST', path: '/api/v1/system/tokens', op: 'tokens.create', auth: 'session' },
  { method: 'DELETE', path: /^\/api\/v1\/system\/tokens\/([^/]+)$/, op: 'tokens.delete', auth: 'session' },
];
const LEGACY_USER: Route[] = [
  { method: 'GET', path: '/v1/system/config', op: 'config', auth: 'none' },
  { method: 'POST', path: '/v1/user/register', op: 'register', auth: 'none' },
  { method: 'POST', path: '/v1/user/login', op: 'login', auth: 'none' },
  { method: 'GET', path: '/v1/user/login', op: 'login', auth: 'none' },
  { method: 'GET', path: '/v1/user/login/channels', op: 'channels', auth: 'none' },
  { method: 'GET', path: '/v1/user/logout', op: 'logout', auth: 'session' },
  { method: 'GET', path: '/v1/user/info', op: 'me', auth: 'session' },
];
const LEGACY_TOKENS: Route[] = [
  { method: 'GET', path: '/v1/system/token_list', op: 'tokens.list', auth: 'session' },
  { method: 'POST', path: '/v1/system/new_token', op: 'tokens.create', auth: 'session' },
  { method: 'DELETE', path: /^\/v1\/system\/token\/([^/]+)$/, op: 'tokens.delete', auth: 'session' },
  { method: 'GET', path: '/v1/system/version', op: 'version', auth: 'session' },
];
const RESTFUL_USER: Route[] = [
  { method: 'GET', path: '/api/v1/system/config', op: 'config', auth: 'none' },
  { method: 'POST', path: '/api/v1/users', op: 'register', auth: 'none' },
  { method: 'POST', path: '/api/v1/auth/login', op: 'login', auth: 'none' },
  { method: 'GET', path: '/api/v1/auth/login/channels', op: 'channels', auth: 'none' },
  { method: 'POST', path: '/api/v1/auth/logout', op: 'logout', auth: 'session' },
  { method: 'GET', path: '/api/v1/users/me', op: 'me', auth: 'session' },
];

function routesOf(release: Release, versionNeedsLogin: boolean): Route[] {
  const version: Route = {
    method: 'GET',
    path: '/api/v1/system/version',
    op: 'version',
    auth: versionNeedsLogin ? 'session' : 'none',
  };
  switch (release) {
    case 'v0.22':
    case 'v0.23.0':
    case 'v0.24':
      return [...LEGACY_USER, ...LEGACY_TOKENS, DATASETS];
    case 'v0.25.0':
      return [...LEGACY_USER, ...API_TOKENS, version, DATASETS];
    case 'v0.25.1':
    case 'v0.26':
      return [...RESTFUL_USER, ...API_TOKENS, version, DATASETS];
    case 'go':
      return [
        ...RESTFUL_USER,
        { method: 'GET', path: '/v1/user/info', op: 'me', auth: 'session' },
        ...API_TOKENS,
        { method: 'GET', path: '/api/v1/system/keys', op: 'tokens.list', auth: 'session' },
        { method: 'POST', path: '/api/v1/system/keys', op: 'tokens.create', auth: 'session' },
        { method: 'DELETE', path: /^\/api\/v1\/system\/keys\/([^/]+)$/, op: 'tokens.delete', auth: 'session' },
        version,
        { ...DATASETS, auth: 'session' },
      ];
  }
}

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
function findRoute(routes: Route[], method: string, path: string): RouteMatch | 'method' | null {
  let pathSeen = false;
  for (const route of routes) {
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
function forgeKey(privateKeyPem: string): forge.pki.rsa.PrivateKey {
  let key = forgeKeys.get(privateKeyPem);
  if (!key) {
    key = forge.pki.privateKeyFromPem(privateKeyPem);
    forgeKeys.set(privateKeyPem, key);
  }
  return key;
}

/** base64 of the UTF-8 bytes: what RAGFlow's servers compare after the RSA step. */
const credentialOf = (password: string): string => Buffer.from(password, 'utf8').toString('base64');

/** The password inside a credential, when it is base64 of UTF-8 text. */
function passwordOf(credential: string): string | null {
  if (credential.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(credential)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(credential, 'base64'));
  } catch {
    return null;
  }
}

type Decrypted = { ok: true; text: string } | { ok: false; repr: string };

/**
 * Python's `decrypt()`: base64-decode (lenient, as `base64.b64decode`), RSA PKCS#1 v1.5 with the
 * sentinel "Fail to decrypt password!", then `.decode("utf-8")`. The exception a failure raises,
 * as `repr()` shows it (docs/ragflow-releases.md, "Undecryptable passwords").
 */
function pythonDecrypt(cipher: unknown, privateKeyPem: string): Decrypted {
  if (typeof cipher !== 'string')
    return { ok: false, repr: 'TypeError("argument should be a bytes-like object or ASCII string, not \'NoneType\'")' };
  // binascii.a2b_base64 skips characters outside the alphabet and then checks the padding.
  const kept = cipher.replace(/[^A-Za-z0-9+/=]/g, '');
  const data = kept.replace(/=/g, '');
  const pads = kept.length - data.length;
  if (data.length % 4 === 1) {
    return {
      ok: false,
      repr: `Error('Invalid base64-encoded string: number of data characters (${data.length}) cannot be 1 more than a multiple of 4')`,
    };
  }
  if (data.length % 4 !== 0 && (data.length + pads) % 4 !== 0) return { ok: false, repr: "Error('Incorrect padding')" };
  const bytes = Buffer.from(data, 'base64');
  const key = forgeKey(privateKeyPem);
  if (bytes.length !== Math.ceil(key.n.bitLength() / 8)) {
    return { ok: false, repr: "ValueError('Ciphertext with incorrect length.')" };
  }
  let plain: string;
  try {
    plain = key.decrypt(bytes.toString('binary'), 'RSAES-PKCS1-V1_5');
  } catch {
    // The sentinel comes back as a str, and str has no .decode().
    return { ok: false, repr: "AttributeError(\"'str' object has no attribute 'decode'\")" };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(plain, 'binary')) };
  } catch {
    return { ok: false, repr: "UnicodeDecodeError('utf-8', b'', 0, 1, 'invalid start byte')" };
  }
}

/**
 * Go's `DecryptPassword`: strict base64, RSA PKCS#1 v1.5; on either failure the input itself is
 * taken as the password (docs/ragflow-releases.md, "Go server: passwords it cannot decrypt").
 */
function goDecrypt(cipher: string, privateKeyPem: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(cipher) || cipher.length % 4 !== 0) return cipher;
  try {
    return forgeKey(privateKeyPem).decrypt(forge.util.decode64(cipher), 'RSAES-PKCS1-V1_5');
  } catch {
    return cipher;
  }
}

/** RSA PKCS#1 v1.5 decrypt (as RAGFlow does), then base64 → UTF-8. Null if any step fails. */
export function decryptPassword(cipherBase64: string, privateKeyPem: string): string | null {
  try {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(cipherBase64)) return null;
    const b64 = forgeKey(privateKeyPem).decrypt(forge.util.decode64(cipherBase64), 'RSAES-PKCS1-V1_5');
    return passwordOf(b64);
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
  /**
   * Set on the embed tokens of a chat (its dialog id) or an agent (its canvas id, source
   * "agent"), made by `/v1/api/new_token` up to v0.24 in the same table as API keys: every token
   * list shows them, after upgrades too (api/apps/api_app.py @ v0.24.0).
   */
  dialog_id?: string;
  source?: string;
}

interface UserState {
  id: string;
  email: string;
  nickname: string;
  /** base64 of the password's UTF-8 bytes: the text RAGFlow hashes and compares. */
  credential: string;
  disabled: boolean;
  otherTeam: boolean;
  superuser: boolean;
  createTime: number;
  lastLogin: number | null;
  /** Raw access token (what `data.access_token` shows). */
  accessToken: string;
  /** Signed form of the access token: the `Authorization` header value clients send back. */
  authorization: string | null;
  /** When that signature was made (seconds): the Go server refuses it after 24 h. */
  signedAt: number;
  keys: ApiKey[];
}

interface FaultEntry {
  operation: Operation | '*';
  fault: Fault | 'redirect';
  remaining: number;
  /** For `redirect`: where to, and with which status. */
  location?: string;
  status?: number;
}

interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Answered through `construct_response` (Python) or with the Go login headers: CORS headers of its own. */
  ownCors?: boolean;
}

const json = (body: unknown, status = 200): Reply => ({ status, json: body });
const ok = (data: unknown, message = 'success'): Reply => json({ code: 0, message, data });
const fail = (code: number, message: string, data: unknown = false): Reply => json({ code, message, data });
const goReply = (code: number, data: unknown, message: string, status = 200): Reply =>
  json({ code, data, message }, status);

const hex32 = (): string => crypto.randomBytes(16).toString('hex');

/** Looks like itsdangerous' URLSafeTimedSerializer output, as RAGFlow's Authorization header. */
function signToken(accessToken: string, seconds: number): string {
  const payload = Buffer.from(JSON.stringify(accessToken)).toString('base64url');
  const ts = Buffer.from(seconds.toString(16).padStart(8, '0'), 'hex').toString('base64url');
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

/** Python's str.title(), enough for channel names. */
const title = (s: string): string => s.toLowerCase().replace(/(^|[^a-z])([a-z])/g, (_, a, b) => a + b.toUpperCase());

/** Go's time.Format("2006-01-02T15:04:05"), in UTC. */
const goDate = (ms: number): string => new Date(ms).toISOString().slice(0, 19);
/** Go's JSON of a time.Time (RFC 3339), in UTC. */
const goTime = (ms: number): string => `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;

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
  if (options.release) {
    if (!RELEASES.includes(options.release)) throw new Error(`unknown release: ${options.release}`);
    options.generation = generationOf(options.release);
  }
  options.generation ??= 'restful';
  const keyPair = options.keyPair ?? (options.freshKeyPair ? await generateKeyPair() : await sharedKeyPair());
  const requests: RequestRecord[] = [];
  const faults: FaultEntry[] = [];
  const users = new Map<string, UserState>(); // by lower-cased email
  const sessions = new Map<string, UserState>(); // Authorization header value → user
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let lastKeyTime = 0;
  let hostileKeysMade = 0;
  let closed = false;

  /** Servers started with `generation` only keep the answers the older tests were written against. */
  const compat = (): boolean => options.release === undefined;
  const release = (): Release => options.release ?? RELEASE_OF_GENERATION[options.generation ?? 'restful'];
  const traits = (): Traits => {
    const t = TRAITS[release()];
    // Those tests read the mixed server's version without signing in.
    return compat() && release() === 'v0.25.0' ? { ...t, versionNeedsLogin: false } : t;
  };
  const version = (): string =>
    options.version ?? (compat() ? COMPAT_VERSION[options.generation ?? 'restful'] : traits().defaultVersion);
  const nowS = (): number => Math.floor(Date.now() / 1000);

  function addUser(u: FakeUser): void {
    seen.passwords.add(u.password);
    const now = Date.now();
    // A registered user always has an access token, signed in or not: it is in the user's row.
    const accessToken = hex32();
    seen.sessionTokens.add(accessToken);
    users.set(u.email.toLowerCase(), {
      id: hex32(),
      email: u.email,
      nickname: u.nickname ?? u.email.split('@')[0] ?? u.email,
      credential: credentialOf(u.password),
      disabled: u.disabled ?? false,
      otherTeam: u.otherTeam ?? false,
      superuser: u.superuser ?? false,
      createTime: now,
      lastLogin: null,
      accessToken,
      authorization: null,
      signedAt: 0,
      keys: [],
    });
  }
  for (const u of options.users ?? []) addUser(u);

  function logIn(user: UserState): string {
    if (user.authorization) sessions.delete(user.authorization);
    user.accessToken = hex32();
    user.signedAt = nowS();
    user.authorization = signToken(user.accessToken, user.signedAt);
    seen.sessionTokens.add(user.accessToken).add(user.authorization);
    user.lastLogin = Date.now();
    sessions.set(user.authorization, user);
    return user.authorization;
  }

  function logOut(user: UserState): void {
    if (user.authorization) sessions.delete(user.authorization);
    user.authorization = null;
    user.accessToken = `INVALID_${hex32()}`;
  }

  /** A stand-in for the werkzeug hash in the user's row (docs/ragflow-releases.md, "User data in answers"). */
  const passwordHash = (user: UserState): string =>
    `scrypt:32768:8:1$${user.id.slice(0, 16)}$${crypto.createHash('sha512').update(user.credential).digest('hex')}`;

  /** The user's row as each server serialises it (docs/ragflow-releases.md, "User data in answers"). */
  function userJson(user: UserState): Record<string, unknown> {
    const t = traits();
    if (t.go) {
      return {
        access_token: user.accessToken,
        // nil when the user has none, not '' (internal/service/user.go @ v0.27.0).
        avatar: null,
        color_schema: 'Bright',
        create_date: goDate(user.createTime),
        create_time: user.createTime,
        email: user.email,
        id: user.id,
        is_active: user.disabled ? '0' : '1',
        is_anonymous: '0',
        is_authenticated: '1',
        is_superuser: user.superuser,
        language: 'English',
        last_login_time: user.lastLogin === null ? '' : goDate(user.lastLogin),
        login_channel: 'password',
        nickname: user.nickname,
        password: passwordHash(user),
        status: '1',
        timezone: 'UTC+8\tAsia/Shanghai',
        update_date: goDate(user.lastLogin ?? user.createTime),
        update_time: user.lastLogin ?? user.createTime,
      };
    }
    const date = (ms: number | null) => (ms === null ? null : new Date(ms).toUTCString());
    const row: Record<string, unknown> = {
      id: user.id,
      access_token: user.accessToken,
      nickname: user.nickname,
      password: passwordHash(user),
      email: user.email,
      avatar: null,
      language: 'English',
      color_schema: 'Bright',
      timezone: 'UTC+8\tAsia/Shanghai',
      last_login_time: date(user.lastLogin),
      is_authenticated: '1',
      is_active: user.disabled ? '0' : '1',
      is_anonymous: '0',
      login_channel: 'password',
      status: '1',
      is_superuser: user.superuser,
      create_time: user.createTime,
      create_date: date(user.createTime),
      update_time: user.lastLogin ?? user.createTime,
      update_date: date(user.lastLogin ?? user.createTime),
    };
    if (t.safeUserDict) {
      delete row.password;
      delete row.access_token;
    }
    return row;
  }

  function keyByToken(token: string | undefined): UserState | null {
    if (!token) return null;
    for (const user of users.values()) if (user.keys.some((k) => k.token === token)) return user;
    return null;
  }

  /** Who a session route lets in (docs/ragflow-releases.md, "The Authorization header"). */
  function resolveUser(authorization: string | null): UserState | null {
    if (!authorization) return null;
    const t = traits();
    switch (t.auth) {
      case 'session-only':
        return sessions.get(authorization) ?? null;
      case 'two-words-key': {
        const direct = sessions.get(authorization);
        if (direct) return direct;
        const parts = authorization.trim().split(/\s+/);
        return parts.length === 2 ? keyByToken(parts[1]) : null;
      }
      case 'bearer-or-key': {
        const token =
          authorization.slice(0, 7).toLowerCase() === 'bearer '
            ? authorization.trim().split(/\s+/).slice(1).join(' ')
            : authorization;
        return sessions.get(token) ?? keyByToken(token);
      }
      case 'go': {
        const token = authorization.startsWith('Bearer ') ? authorization.slice(7).trim() : authorization.trim();
        const user = sessions.get(token);
        if (user && nowS() - user.signedAt <= GO_SESSION_MAX_AGE_S) return user;
        const parts = authorization.split(' ');
        return parts.length <= 2 ? keyByToken(parts[parts.length - 1]) : null;
      }
    }
  }

  function goSessionUser(authorization: string): UserState | null {
    const token = authorization.startsWith('Bearer ') ? authorization.slice(7).trim() : authorization.trim();
    const user = sessions.get(token);
    return user && nowS() - user.signedAt <= GO_SESSION_MAX_AGE_S ? user : null;
  }

  function unauthorized(authorization: string | null): Reply {
    const t = traits();
    if (t.go) return goReply(401, null, authorization ? 'Invalid access token' : 'Missing Authorization header', 401);
    return json(UNAUTHORIZED_BODY, t.unauthorizedHttp200 ? 200 : 401);
  }

  function notFound(path: string): Reply {
    switch (traits().notFound) {
      case 'exception':
        return json({ code: 100, message: "<NotFound '404: Not Found'>", data: null });
      case 'plain404':
        return json({ error: 'Not Found', message: `The requested URL ${path} was not found` }, 404);
      case 'json404':
        return json({ code: 404, message: `Not Found: ${path}`, data: null, error: 'Not Found' }, 404);
    }
  }

  function methodNotAllowed(path: string): Reply {
    if (compat())
      return json({ code: 405, message: 'Method Not Allowed', data: null, error: 'Method Not Allowed' }, 405);
    // Gin has no 405 by default (NoRoute answers); Python's catch-all error handler wraps werkzeug's.
    if (traits().go) return notFound(path);
    return json({ code: 100, message: "<MethodNotAllowed '405: Method Not Allowed'>", data: null });
  }

  function takeFault(op: Operation | null): FaultEntry | null {
    const i = faults.findIndex((f) => f.remaining > 0 && (f.operation === '*' || f.operation === op));
    const entry = faults[i];
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(i, 1);
    return entry;
  }

  function parseBody(req: http.IncomingMessage, raw: Buffer): Record<string, unknown> | null {
    if (!/json/i.test(req.headers['content-type'] ?? '')) return null;
    return parseJsonObject(raw);
  }

  function parseJsonObject(raw: Buffer): Record<string, unknown> | null {
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

  // --- Python ------------------------------------------------------------------------------

  function pyLogin(body: Record<string, unknown> | null): Reply | [Reply, string] {
    if (compat() && options.passwordLoginEnabled === false) {
      return fail(109, 'Password login is disabled on this server.', null);
    }
    if (!body) return fail(109, 'Unauthorized!');
    const email = typeof body.email === 'string' ? body.email : '';
    const user = users.get(email.toLowerCase());
    if (!user) return fail(109, `Email: ${email} is not registered!`);
    const decrypted = pythonDecrypt(body.password, keyPair.privateKeyPem);
    if (!decrypted.ok) return fail(500, 'Fail to crypt password');
    if (decrypted.text !== user.credential) return fail(109, 'Email and password do not match!');
    if (user.disabled) return fail(403, 'This account has been disabled, please contact the administrator!');
    // The row is serialised before the new token is set, but as its own live data dict: the
    // answer carries the new token all the same (docs/ragflow-releases.md, "User data in answers").
    const auth = logIn(user);
    return [{ ...ok(userJson(user), 'Welcome back!'), ownCors: true }, auth];
  }

  function pyRegister(body: Record<string, unknown> | null): Reply | [Reply, string] {
    const missing = ['nickname', 'email', 'password'].filter((k) => !body || body[k] === undefined);
    if (!body || missing.length) return fail(101, `required argument are missing: ${missing.join(',')}; `, null);
    if (options.registerEnabled === false) return fail(103, 'User registration is disabled!');
    const email = String(body.email);
    if (!EMAIL_RE.test(email)) return fail(103, `Invalid email address: ${email}!`);
    if (users.has(email.toLowerCase())) return fail(103, `Email: ${email} has already registered!`);
    let nickname = body.nickname;
    if (traits().nicknameRule && !compat()) {
      if (nickname === null) return fail(101, 'Nickname is required.');
      if (typeof nickname !== 'string') return fail(101, 'Nickname must be a string.');
      nickname = nickname.trim();
      const n = nickname as string;
      if (!n) return fail(101, 'Nickname cannot be empty.');
      if ([...n].length > NICKNAME_MAX_LENGTH)
        return fail(101, `Nickname must be at most ${NICKNAME_MAX_LENGTH} characters.`);
      if (!NICKNAME_RE.test(n)) return fail(101, 'Nickname contains invalid characters.');
    } else if (compat() && options.generation === 'restful' && !(typeof nickname === 'string' && nickname.trim())) {
      return fail(101, 'Nickname cannot be empty.');
    }
    // Decrypted outside the route's try: the catch-all error handler answers (docs/ragflow-releases.md,
    // "Undecryptable passwords").
    const decrypted = pythonDecrypt(body.password, keyPair.privateKeyPem);
    if (!decrypted.ok) return fail(100, decrypted.repr, null);
    const name = typeof nickname === 'string' ? nickname : String(nickname);
    addUser({ email, password: passwordOf(decrypted.text) ?? decrypted.text, nickname: name });
    const user = users.get(email.toLowerCase())!;
    user.credential = decrypted.text;
    const auth = logIn(user);
    return [{ ...ok(userJson(user), `${name}, welcome aboard!`), ownCors: true }, auth];
  }

  function pyDatasets(authorization: string | null): Reply {
    const t = traits();
    if (t.datasets === 'login_required') {
      return resolveUser(authorization) ? json({ code: 0, data: [], total_datasets: 0 }) : unauthorized(authorization);
    }
    // token_required (docs/ragflow-releases.md, "The SDK key check" and "DISABLE_SDK").
    if (t.disableSdkApplies && options.disableSdk) return ok(false, "`Authorization` can't be empty");
    if (!authorization) return ok(false, "`Authorization` can't be empty");
    const parts = authorization.trim().split(/\s+/);
    if (parts.length < 2) return ok(false, 'Please check your authorization format.');
    if (!keyByToken(parts[1])) return fail(109, 'Authentication error: API key is invalid!');
    return json({ code: 0, data: [], total_datasets: 0 });
  }

  // --- Go ----------------------------------------------------------------------------------

  /** gin's ShouldBindJSON with `binding:"required"` / `email` tags (docs/ragflow-releases.md, "Go server: validation"). */
  function goBind(raw: Buffer, struct: string, fields: [string, string, boolean][]): Record<string, string> | string {
    const text = raw.toString('utf8');
    if (!text.trim()) return 'EOF';
    const body = parseJsonObject(raw);
    if (!body) return 'invalid character looking for beginning of value';
    const errors: string[] = [];
    const values: Record<string, string> = {};
    for (const [key, field, email] of fields) {
      const v = typeof body[key] === 'string' ? (body[key] as string) : '';
      values[key] = v;
      const tag = !v ? 'required' : email && !GO_BINDING_EMAIL_RE.test(v) ? 'email' : null;
      if (tag)
        errors.push(`Key: '${struct}.${field}' Error:Field validation for '${field}' failed on the '${tag}' tag`);
    }
    return errors.length ? errors.join('\n') : values;
  }

  function goLogin(raw: Buffer): Reply | [Reply, string] {
    const bound = goBind(raw, 'EmailLoginRequest', [
      ['email', 'Email', true],
      ['password', 'Password', false],
    ]);
    if (typeof bound === 'string') return goReply(400, false, bound);
    const user = users.get(bound.email!.toLowerCase());
    if (!user) return goReply(109, false, `email: ${bound.email} is not registered`);
    if (goDecrypt(bound.password!, keyPair.privateKeyPem) !== user.credential) {
      return goReply(109, false, 'email and password do not match');
    }
    if (user.disabled) return goReply(403, false, 'this account has been disabled, please contact the administrator');
    const auth = logIn(user);
    return [{ ...goReply(0, userJson(user), 'Welcome back!'), ownCors: true }, auth];
  }

  function goRegister(raw: Buffer): Reply | [Reply, string] {
    const bound = goBind(raw, 'RegisterRequest', [
      ['email', 'Email', true],
      ['password', 'Password', false],
      ['nickname', 'Nickname', false],
    ]);
    if (typeof bound === 'string') return goReply(400, false, bound);
    const { email = '', password = '', nickname = '' } = bound;
    if (options.registerEnabled === false) return goReply(103, false, 'user registration is disabled');
    if (!GO_EMAIL_RE.test(email)) return goReply(103, false, `invalid email address: ${email}`);
    if (users.has(email.toLowerCase())) return goReply(103, false, `email: ${email} has already registered`);
    const credential = goDecrypt(password, keyPair.privateKeyPem);
    addUser({ email, password: passwordOf(credential) ?? credential, nickname });
    const user = users.get(email.toLowerCase())!;
    user.credential = credential;
    const auth = logIn(user);
    return [{ ...goReply(0, userJson(user), `${nickname}, welcome aboard!`), ownCors: true }, auth];
  }

  /** Go's API-key objects: nil fields are left out, times are RFC 3339 (docs/ragflow-releases.md, "API key objects"). */
  const goKey = (k: ApiKey) => ({
    tenant_id: k.tenant_id,
    token: k.token,
    beta: k.beta,
    create_time: k.create_time,
    create_date: goTime(k.create_time),
    update_time: k.create_time,
    update_date: goTime(k.create_time),
    // Pointer fields with omitempty (internal/entity/api_token.go): absent unless set.
    ...(k.dialog_id && { dialog_id: k.dialog_id, source: k.source }),
  });

  // --- Shared ------------------------------------------------------------------------------

  function createKey(user: UserState): ApiKey {
    const hostile = options.hostileKeys ? HOSTILE_KEY_TOKENS[hostileKeysMade++ % HOSTILE_KEY_TOKENS.length] : undefined;
    return plantedKey(user, hostile ?? `ragflow-${crypto.randomBytes(32).toString('base64url')}`);
  }

  function plantedKey(user: UserState, token: string): ApiKey {
    const now = Math.max(Date.now(), lastKeyTime + 1);
    lastKeyTime = now;
    const key: ApiKey = {
      tenant_id: user.id,
      token,
      beta: traits().go ? hex32() : crypto.randomBytes(24).toString('base64url').slice(0, 32),
      create_time: now,
      create_date: new Date(now).toUTCString(),
      update_time: null,
      update_date: null,
    };
    seen.apiKeys.add(key.token).add(key.beta);
    user.keys.push(key);
    return key;
  }

  function channels(): Reply {
    // The Go server's channel list is a stub that answers no channel (docs/ragflow-releases.md, "Login channels").
    if (traits().go) return goReply(0, [], 'success');
    return ok(
      (options.ssoChannels ?? []).map((c) => ({
        channel: c.channel,
        display_name: c.display_name ?? title(c.channel),
        icon: c.icon ?? 'sso',
      })),
    );
  }

  /** Returns the reply and, for login/register, the Authorization header to send. */
  function dispatch(
    match: RouteMatch,
    req: http.IncomingMessage,
    raw: Buffer,
    authorization: string | null,
  ): Reply | [Reply, string] {
    const { route, param } = match;
    const t = traits();
    let user: UserState | null = null;
    if (route.auth === 'session') {
      user = resolveUser(authorization);
      if (!user) return unauthorized(authorization);
      if (t.go && user.superuser) return goReply(403, null, "Super user shouldn't access the URL", 403);
    }
    switch (route.op) {
      case 'config': {
        if (t.go) {
          return goReply(
            0,
            {
              registerEnabled: options.registerEnabled !== false,
              disablePasswordLogin: options.passwordLoginEnabled === false,
            },
            'success',
          );
        }
        const data: Record<string, unknown> = { registerEnabled: options.registerEnabled === false ? 0 : 1 };
        if (t.configHasPasswordLogin) data.disablePasswordLogin = options.passwordLoginEnabled === false;
        return ok(data);
      }
      case 'version':
        return t.go ? goReply(0, version(), 'success') : ok(version());
      case 'channels':
        return channels();
      case 'login':
        return t.go ? goLogin(raw) : pyLogin(parseBody(req, raw));
      case 'register':
        return t.go ? goRegister(raw) : pyRegister(parseBody(req, raw));
      case 'logout':
        if (t.go) {
          // Go's logout handler reads the header again and takes a session only.
          const session = authorization ? goSessionUser(authorization) : null;
          if (!session) return goReply(401, null, 'Invalid access token', 401);
          logOut(session);
          return goReply(0, true, 'success');
        }
        if (user) logOut(user);
        return ok(true);
      case 'me':
        return t.go ? goReply(0, userJson(user!), 'success') : ok(userJson(user!));
      case 'tokens.list':
        if (t.go) return goReply(0, user!.keys.map(goKey), 'success');
        return ok(user!.keys.map((k) => ({ dialog_id: null, source: null, ...k })));
      case 'tokens.create': {
        const key = createKey(user!);
        return t.go ? goReply(0, goKey(key), 'success') : ok(key);
      }
      case 'tokens.delete': {
        let token = param ?? '';
        try {
          token = decodeURIComponent(token);
        } catch {
          /* keep raw */
        }
        // docs/ragflow-releases.md, "Deleting a key of a user invited to another team".
        const wrongTenant = t.deleteUsesFirstTenant && user!.otherTeam;
        if (!wrongTenant) user!.keys = user!.keys.filter((k) => k.token !== token);
        return t.go ? goReply(0, true, 'success') : ok(true);
      }
      case 'datasets':
        if (t.go) return json({ code: 0, data: [], total_datasets: 0 });
        return pyDatasets(authorization);
    }
  }

  /** CORS headers of an ordinary answer (docs/ragflow-releases.md, "CORS"). */
  function corsHeaders(req: http.IncomingMessage, reply: Reply | null): Record<string, string> {
    const origin = req.headers.origin;
    const echo: Record<string, string> = {
      'Access-Control-Allow-Origin': origin ?? '*',
      ...(origin ? { 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' } : {}),
    };
    if (compat()) return { ...echo, 'Access-Control-Expose-Headers': 'Authorization' };
    const t = traits();
    const own: Record<string, string> = reply?.ownCors
      ? {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Method': '*',
          'Access-Control-Allow-Headers': '*',
          'Access-Control-Expose-Headers': 'Authorization',
        }
      : {};
    if (t.go) {
      return reply?.ownCors ? { ...own, 'Access-Control-Allow-Methods': '*' } : {};
    }
    return { ...(t.flask ? echo : { 'Access-Control-Allow-Origin': '*' }), ...own };
  }

  function send(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, body?: Buffer): void {
    if (closed || res.destroyed || res.writableEnded) return;
    const payload =
      body ?? Buffer.from(reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? ''), 'utf8');
    const apiAnswer = reply.json !== undefined || body !== undefined;
    res.writeHead(reply.status, {
      ...corsHeaders(req, reply),
      ...(traits().go && apiAnswer ? { 'X-API-Source': 'go' } : {}),
      'Content-Type':
        reply.contentType ??
        (reply.json !== undefined
          ? traits().go
            ? 'application/json; charset=utf-8'
            : 'application/json'
          : 'text/html; charset=utf-8'),
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
    const t = traits();

    // Work out where the request goes (before faults, which are keyed by operation).
    let reply: Reply | null = null;
    let match: RouteMatch | null = null;
    const inPrefix = !prefix || fullPath === prefix || fullPath.startsWith(`${prefix}/`);
    const path = inPrefix ? fullPath.slice(prefix.length) || '/' : fullPath;
    const isApiPath = (p: string) => /^\/(v1|api)(\/|$)/.test(p);
    const preflight = method === 'OPTIONS' && !(t.go && !compat());
    if (!inPrefix) {
      reply = options.nginx ? { status: 200, text: INDEX_HTML } : notFound(fullPath);
    } else if (options.nginx && !isApiPath(path)) {
      reply = { status: 200, text: INDEX_HTML };
    } else if (!preflight) {
      const found = findRoute(routesOf(release(), t.versionNeedsLogin), method, path);
      if (found === 'method') {
        reply = methodNotAllowed(path);
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
    if (operation === 'login' || operation === 'register') notePassword(parseJsonObject(raw));

    if (preflight) {
      if (options.latencyMs) await delay(options.latencyMs, timers);
      if (closed || res.destroyed) return;
      res.writeHead(204, {
        ...corsHeaders(req, null),
        'Access-Control-Allow-Headers': 'Authorization, Content-Type',
        'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
        'Access-Control-Max-Age': '600',
        'Content-Length': '0',
      });
      res.end();
      return;
    }

    const faultEntry = takeFault(operation);
    const fault = faultEntry?.fault ?? null;
    if (options.latencyMs) await delay(options.latencyMs, timers);
    if (closed) return;

    switch (fault) {
      case 'redirect':
        return send(req, res, {
          status: faultEntry?.status ?? 307,
          text: '',
          headers: { Location: faultEntry?.location ?? '/' },
        });
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
  // Lower-case scheme, a numeric host and a prefix without a trailing slash: already normalised.
  const url = `${origin}${normalizePrefix(options.pathPrefix)}` as ServerUrl;
  const userOf = (email: string): UserState => {
    const user = users.get(email.toLowerCase());
    if (!user) throw new Error(`No user ${email} on this fake server`);
    return user;
  };

  return {
    url,
    origin,
    port,
    publicKeyPem: keyPair.publicKeyPem,
    options,
    get release(): Release {
      return release();
    },
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
    injectRedirect(operation: Operation | '*', location: string, status = 307): void {
      faults.push({ operation, fault: 'redirect', remaining: Infinity, location, status });
    },
    clearFaults(): void {
      faults.length = 0;
    },
    plantKey(email: string, token: string, embed?: { dialogId: string; source?: 'agent' }): void {
      const key = plantedKey(userOf(email), token);
      if (embed) Object.assign(key, { dialog_id: embed.dialogId, ...(embed.source && { source: embed.source }) });
    },
    addUser,
    sessionToken(email: string): string | null {
      return users.get(email.toLowerCase())?.authorization ?? null;
    },
    nickname(email: string): string | null {
      return users.get(email.toLowerCase())?.nickname ?? null;
    },
    signInWebApp(email: string): string {
      return logIn(userOf(email));
    },
    expireSession(email: string): void {
      userOf(email).signedAt -= GO_SESSION_MAX_AGE_S + 1;
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
