import ky, { type KyInstance, TimeoutError as KyTimeoutError } from 'ky';

import { isApiKeyForm } from './api-key';
import { AppError, isAppError } from '../errors';
import { isRecord } from '../shared/is-record';
import {
  cannotConnect,
  errorFromEnvelope,
  invalidApiKey,
  missingSessionToken,
  notRagflow,
  redirectRefused,
  responseTooLarge,
  serverError,
  sessionExpired,
  timedOut,
} from './errors';
import { assertPasswordFits, encryptPassword, RAGFLOW_DEFAULT_PUBLIC_KEY, validatePublicKeyPem } from './password';
import {
  DETECTION_PROBE,
  GENERATIONS,
  type Generation,
  KEY_CHECK,
  type Operation,
  type Route,
  ROUTES,
  VERSION_ROUTE,
} from './routes';
import type { ServerUrl } from './server-url';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** RAGFlow's answers here are a few kilobytes; anything far larger is not worth reading. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface RagflowClientOptions {
  /** The server, as normalizeServerUrl made it (./server-url.ts). */
  serverUrl: ServerUrl;
  /** What a detection found earlier, remembered by the caller: saves the probe. */
  detected?: DetectedServer;
  /** The server's own RSA public key (PEM), when it does not use RAGFlow's default pair. */
  publicKeyPem?: string;
  /** Per request; 10 s by default. */
  timeoutMs?: number;
  /**
   * Called whenever what is known of the server changes: a detection (the first, or after a
   * route moved), or a public config read since.
   */
  onDetected?: (detected: DetectedServer) => void;
  /**
   * Runs the detection's request: given, it can let the clients of one server share a request
   * already on its way (the key service's, lib/keys/key-service.ts).
   */
  probeWith?: (probe: () => Promise<DetectedServer>) => Promise<DetectedServer>;
  /** For environments whose global `fetch` is not the one to use. */
  fetch?: typeof globalThis.fetch;
  /** Aborts every request of this client, the running one included (a sign-in the user cancelled). */
  signal?: AbortSignal;
}

export interface PublicConfig {
  registrationAllowed: boolean;
  passwordLoginAllowed: boolean;
}

/** What one detection request tells of a server (docs/ragflow-releases.md, "Detection"). */
export interface DetectedServer {
  generation: Generation;
  /** RAGFlow's Go server, which marks every answer with `X-API-Source: go`. */
  go: boolean;
  /**
   * The public config, where the detection probe carried it (legacy and mixed servers answer it
   * with the config itself) or where it was read since. RESTful servers keep it elsewhere.
   */
  config?: PublicConfig;
}

/** A sign-in channel other than the password (SSO: OAuth, OIDC, GitHub…), as the server names it. */
export interface LoginChannel {
  channel: string;
  displayName: string;
}

/**
 * Which release line a server is, as far as it tells without a session: legacy servers only by
 * the shape of their "not found" answer, v0.25.0 and v0.25.1 by their generation and a version
 * route that needs a session, later ones by the version they report.
 */
export type ReleaseLine = 'v0.22' | 'v0.23' | 'v0.24' | 'v0.25.0' | 'v0.25.1' | 'reported';

export interface ReleaseInfo {
  line: ReleaseLine;
  /** The version string the server reported (line `reported`). */
  version?: string;
  go: boolean;
}

export interface UserInfo {
  id?: string;
  email: string;
  nickname?: string;
}

export interface Session {
  /** The `Authorization` response header of login/register, to be sent back verbatim. */
  authorization: string;
  user: UserInfo;
}

export interface ApiKey {
  token: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  tenantId?: string;
  /**
   * The embed token of a chat or an agent (it names one in `dialog_id`), which RAGFlow up to
   * v0.24 kept in the same table as API keys: every token list shows it, after upgrades too
   * (docs/ragflow-releases.md, "Embed tokens"). It works as a key, but revoking it stops that embed.
   */
  embed?: true;
}

export type KeyStatus = 'valid' | 'invalid';

interface Envelope {
  code: number;
  message: string;
  data: unknown;
}

interface Answer {
  status: number;
  headers: Headers;
  /** The body parsed as JSON; undefined when it was not JSON. */
  json?: unknown;
  /** The parsed JSON envelope, or undefined when the body was not RAGFlow's JSON. */
  envelope?: Envelope;
}

interface SendOptions {
  authorization?: string;
  json?: unknown;
  tokenInPath?: string;
}

/**
 * A client for one RAGFlow server. It holds no extension API, so it runs in the service worker,
 * in extension pages and in Node alike. The contract it speaks is docs/ragflow-api.md.
 */
export class RagflowClient {
  readonly baseUrl: ServerUrl;
  readonly timeoutMs: number;
  private current?: DetectedServer;
  private detection?: Promise<DetectedServer>;
  private readonly publicKeyPem: string;
  private readonly http: KyInstance;
  private readonly onDetected?: (detected: DetectedServer) => void;
  private readonly probeWith?: RagflowClientOptions['probeWith'];

  constructor(options: RagflowClientOptions) {
    this.baseUrl = options.serverUrl;
    this.current = options.detected;
    this.publicKeyPem = options.publicKeyPem ? validatePublicKeyPem(options.publicKeyPem) : RAGFLOW_DEFAULT_PUBLIC_KEY;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.onDetected = options.onDetected;
    this.probeWith = options.probeWith;
    this.http = ky.create({
      timeout: this.timeoutMs,
      // Business errors come with HTTP 200 and HTTP errors carry RAGFlow's envelope: read both.
      throwHttpErrors: false,
      // Never retry POST or DELETE: a retried create mints a second key. GET is retried once,
      // on a network failure only (ky does not retry timeouts, and no status code is listed).
      retry: { limit: 1, methods: ['get'], statusCodes: [] },
      // Sessions travel in the Authorization header, never in cookies.
      credentials: 'omit',
      // Never followed: a 307 or 308 would replay the body (the password's ciphertext) or the
      // session header to an origin the user never chose. fetchRoute refuses the redirect.
      redirect: 'manual',
      fetch: options.fetch,
      signal: options.signal,
    });
  }

  /** The route generation in use, once known. */
  get generation(): Generation | undefined {
    return this.current?.generation;
  }

  /** What is known of the server: its generation, whether it is the Go server, its public config. */
  get detected(): DetectedServer | undefined {
    return this.current;
  }

  /**
   * Finds out which route generation the server speaks, with one request, and remembers it; on
   * legacy and mixed servers that request is the public config, which is kept too. Concurrent
   * callers share that one request.
   */
  detect(): Promise<DetectedServer> {
    const probe = () => this.probe();
    this.detection ??= (this.probeWith?.(probe) ?? probe())
      .then((detected) => {
        this.remember(detected);
        return detected;
      })
      .finally(() => {
        this.detection = undefined;
      });
    return this.detection;
  }

  /** The generation alone, detected if not known yet. */
  async detectGeneration(): Promise<Generation> {
    return (await this.detect()).generation;
  }

  /**
   * Whether the server takes new accounts and password sign-ins. Known from the detection on
   * legacy and mixed servers (no request); one request on RESTful ones. `fresh` asks the server
   * again (a setting may have changed since).
   */
  async getPublicConfig(options: { fresh?: boolean } = {}): Promise<PublicConfig> {
    if (this.current?.config && !options.fresh) return this.current.config;
    if (this.current?.generation !== 'restful') {
      // On legacy and mixed servers the config route is the detection probe: detect (again).
      const detected = await this.detect();
      if (detected.config) return detected.config;
    }
    const config = toPublicConfig(await this.call('config'));
    if (this.current) this.remember({ ...this.current, config });
    return config;
  }

  /**
   * The sign-in channels besides the password (SSO), as the server lists them publicly; every
   * release has the route (docs/ragflow-releases.md, "Login channels").
   */
  async loginChannels(): Promise<LoginChannel[]> {
    const detected = this.current ?? (await this.detect());
    // Not worth a new detection: a server without the route has no channels to name.
    const answer = await this.fetchRoute(ROUTES[detected.generation].channels, {});
    const data = answer.status === 200 && answer.envelope?.code === 0 ? answer.envelope.data : undefined;
    if (!Array.isArray(data)) return [];
    return data.flatMap((item): LoginChannel[] => {
      if (!isRecord(item) || typeof item.channel !== 'string' || item.channel === 'password') return [];
      const name = item.display_name;
      return [{ channel: item.channel, displayName: typeof name === 'string' && name !== '' ? name : item.channel }];
    });
  }

  /**
   * The release line, for Test connection: one request to the version route (public from
   * v0.25.2 and on the Go server; on legacy servers an unknown route, whose answer's shape
   * differs by release). Not needed for anything else.
   */
  async releaseInfo(): Promise<ReleaseInfo> {
    const detected = this.current ?? (await this.detect());
    const { go } = detected;
    const answer = await this.fetchRoute(VERSION_ROUTE, {});
    if (detected.generation === 'legacy') return { line: legacyLineOf(answer), go };
    if (detected.generation === 'mixed') return { line: 'v0.25.0', go };
    // v0.25.1 guards the route with a session; v0.25.2 and later, and the Go server, do not.
    if (answer.status === 401) return { line: 'v0.25.1', go };
    const envelope = this.expectEnvelope(answer);
    if (envelope.code !== 0 || typeof envelope.data !== 'string') {
      throw errorFromEnvelope(envelope.code, envelope.message, answer.status);
    }
    return { line: 'reported', version: envelope.data, go };
  }

  /** Throws a `password-too-long` error when this server's key cannot carry the password; no request. */
  checkPassword(password: string): void {
    assertPasswordFits(password, this.publicKeyPem);
  }

  async register(account: { email: string; password: string; nickname: string }): Promise<Session> {
    const password = encryptPassword(account.password, this.publicKeyPem);
    const answer = await this.send('register', {
      json: { nickname: account.nickname, email: account.email, password },
    });
    return this.sessionFrom(answer, account.email);
  }

  /**
   * Logs in. Every successful login rotates the user's access token on the server: any other
   * session of that user, the RAGFlow web app included, is signed out by it (docs/ragflow-api.md, "Every login rotates the session").
   */
  async login(credentials: { email: string; password: string }): Promise<Session> {
    const password = encryptPassword(credentials.password, this.publicKeyPem);
    const answer = await this.send('login', { json: { email: credentials.email, password } });
    return this.sessionFrom(answer, credentials.email);
  }

  /** Invalidates the session on the server. An already dead session counts as logged out. */
  async logout(authorization: string): Promise<void> {
    try {
      await this.call('logout', { authorization });
    } catch (error) {
      if (!isAppError(error, 'session-expired')) throw error;
    }
  }

  async whoAmI(authorization: string): Promise<UserInfo> {
    const data = await this.call('me', { authorization });
    return toUserInfo(data);
  }

  /** The user's API keys, newest first (RAGFlow promises no order). */
  async listKeys(authorization: string): Promise<ApiKey[]> {
    const data = await this.call('tokens.list', { authorization });
    if (!Array.isArray(data)) throw notRagflow(this.baseUrl, 'Key list is not an array');
    return data.map((item) => this.toApiKey(item)).sort((a, b) => b.createdAt - a.createdAt);
  }

  async createKey(authorization: string): Promise<ApiKey> {
    const data = await this.call('tokens.create', { authorization, json: {} });
    return this.toApiKey(data);
  }

  /** Deletes a key. RAGFlow answers success also when the key did not exist. */
  async deleteKey(authorization: string, token: string): Promise<void> {
    await this.call('tokens.delete', { authorization, tokenInPath: token });
  }

  /**
   * Checks an API key against an SDK route that every generation has. Resolves `invalid` when
   * the server rejects the key (legacy and mixed: HTTP 200 with code 109; RESTful: HTTP 401);
   * throws when the server cannot say (unreachable, not RAGFlow, 5xx).
   */
  async verifyKey(apiKey: string): Promise<KeyStatus> {
    const answer = await this.fetchRoute(KEY_CHECK, { authorization: `Bearer ${apiKey}` });
    if (answer.status === 401) return 'invalid';
    const envelope = this.expectEnvelope(answer);
    // A legacy server with DISABLE_SDK set answers code 0 for any key, without a list: only a
    // list proves that the key was checked (docs/ragflow-releases.md, "DISABLE_SDK").
    if (envelope.code === 0 && Array.isArray(envelope.data)) return 'valid';
    if (envelope.code === 0) {
      throw new AppError('not-ragflow', {
        reason: 'key-check-off',
        substitutions: [this.baseUrl],
        serverMessage: 'The key check answered without a list',
        status: answer.status,
      });
    }
    if (envelope.code === 109 || envelope.code === 401) return 'invalid';
    throw errorFromEnvelope(envelope.code, envelope.message, answer.status);
  }

  private async probe(): Promise<DetectedServer> {
    const answer = await this.fetchRoute(DETECTION_PROBE, {});
    const go = answer.headers.get('X-API-Source')?.toLowerCase() === 'go';
    let detected: DetectedServer;
    if (isRouteNotFound(answer)) {
      // No legacy config route: v0.25.1 or later, or the Go server.
      detected = { generation: 'restful', go };
    } else {
      const envelope = this.expectEnvelope(answer);
      if (envelope.code !== 0) throw errorFromEnvelope(envelope.code, envelope.message, answer.status);
      const data = isRecord(envelope.data) ? envelope.data : {};
      // `disablePasswordLogin` came with v0.25.0, the only mixed release.
      detected = { generation: 'disablePasswordLogin' in data ? 'mixed' : 'legacy', go, config: toPublicConfig(data) };
    }
    return detected;
  }

  private remember(detected: DetectedServer): void {
    this.current = detected;
    this.onDetected?.(detected);
  }

  /** Sends an operation and returns the `data` of a successful envelope. */
  private async call(operation: Operation, options: SendOptions = {}): Promise<unknown> {
    const answer = await this.send(operation, options);
    return answer.envelope?.data;
  }

  /**
   * Sends an operation on the routes of the server's generation, detecting it first if needed.
   * A JSON 404 from a route that an earlier detection chose means the server was upgraded (or
   * downgraded) since: detect again and retry once. Safe for POST too: a 404 created nothing.
   */
  private async send(operation: Operation, options: SendOptions): Promise<Answer> {
    const remembered = this.current?.generation;
    const generation = remembered ?? (await this.detectGeneration());
    let answer = await this.fetchRoute(ROUTES[generation][operation], options);

    if (isRouteNotFound(answer)) {
      const moved = await this.generationAfterNotFound(operation, generation, remembered !== undefined);
      if (moved) answer = await this.fetchRoute(ROUTES[moved][operation], options);
    }
    if (isRouteNotFound(answer)) {
      throw notRagflow(this.baseUrl, `No RAGFlow route for ${operation}`, 404);
    }
    if (answer.status === 401) throw sessionExpired(answer.envelope?.message);
    const envelope = this.expectEnvelope(answer);
    if (envelope.code !== 0) throw errorFromEnvelope(envelope.code, envelope.message, answer.status);
    return answer;
  }

  /**
   * After a "not found", the generation to retry with, or undefined when there is none to try.
   * A remembered generation is detected again (the server was upgraded or downgraded since).
   * When detection itself chose the failing routes (a patched server, a dev build), the one
   * other generation with another path for this operation is tried: at most one more request.
   */
  private async generationAfterNotFound(
    operation: Operation,
    failed: Generation,
    wasRemembered: boolean,
  ): Promise<Generation | undefined> {
    const next = wasRemembered ? await this.detectGeneration() : failed;
    if (next !== failed) return next;
    const failedPath = ROUTES[failed][operation].path;
    const other = GENERATIONS.find((candidate) => ROUTES[candidate][operation].path !== failedPath);
    if (!other || !this.current) return undefined;
    this.remember({ ...this.current, generation: other });
    return other;
  }

  private async fetchRoute(route: Route, options: SendOptions): Promise<Answer> {
    const path = options.tokenInPath
      ? route.path.replace('{token}', encodeURIComponent(options.tokenInPath))
      : route.path;
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = {};
    // Sent verbatim: legacy servers reject the `Bearer ` form of a session token (docs/ragflow-releases.md, "The Authorization header").
    if (options.authorization) headers.Authorization = options.authorization;

    let response: Response;
    try {
      response = await this.http(url, { method: route.method, headers, json: options.json });
    } catch (error) {
      if (error instanceof KyTimeoutError) throw timedOut(this.baseUrl, this.timeoutMs, error);
      throw cannotConnect(this.baseUrl, error);
    }
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      await response.body?.cancel();
      throw redirectRefused(this.baseUrl, redirectTarget(response, url), response.status || undefined);
    }
    const text = await readCapped(response, MAX_RESPONSE_BYTES, this.baseUrl);
    const json = parseJson(text);
    return { status: response.status, headers: response.headers, json, envelope: toEnvelope(json) };
  }

  /** The envelope of an answer, or the error that says why there is none. */
  private expectEnvelope(answer: Answer): Envelope {
    if (answer.status >= 500) {
      throw serverError(answer.status, answer.envelope?.message, answer.envelope?.code);
    }
    if (!answer.envelope) {
      throw notRagflow(this.baseUrl, `HTTP ${answer.status} without RAGFlow's JSON envelope`, answer.status);
    }
    return answer.envelope;
  }

  private sessionFrom(answer: Answer, email: string): Session {
    const authorization = answer.headers.get('Authorization');
    if (!authorization) throw missingSessionToken();
    const user = isRecord(answer.envelope?.data) ? toUserInfo(answer.envelope.data) : { email };
    return { authorization, user: { ...user, email: user.email || email } };
  }

  private toApiKey(item: unknown): ApiKey {
    if (!isRecord(item) || typeof item.token !== 'string') {
      throw notRagflow(this.baseUrl, 'API key without a token');
    }
    if (!isApiKeyForm(item.token)) throw invalidApiKey(this.baseUrl);
    return {
      token: item.token,
      createdAt: typeof item.create_time === 'number' ? item.create_time : 0,
      tenantId: typeof item.tenant_id === 'string' ? item.tenant_id : undefined,
      ...(typeof item.dialog_id === 'string' && item.dialog_id !== '' && { embed: true as const }),
    };
  }
}

/**
 * Whether RAGFlow said "no such route". Its answer differs by release (docs/ragflow-releases.md,
 * "Unknown routes"): HTTP 404 with the envelope (v0.24 and later, the Go server), HTTP 404 with
 * `{error, message}` and no code (v0.23), and HTTP 200 with code 100 and Werkzeug's NotFound in
 * the message (v0.22 and earlier, which had no 404 handler). nginx answers unknown paths with
 * HTML instead, which is not RAGFlow at all.
 */
function isRouteNotFound(answer: Answer): boolean {
  const body = answer.json;
  if (!isRecord(body)) return false;
  if (answer.status === 404) return typeof body.code === 'number' || body.error === 'Not Found';
  return answer.status === 200 && body.code === 100 && /NotFound/.test(String(body.message));
}

/**
 * The origin a redirect points to, when the answer shows it: Node's fetch does, a browser's
 * `redirect: 'manual'` answer is opaque (no status, no headers).
 */
function redirectTarget(response: Response, requestUrl: string): string | undefined {
  const location = response.headers.get('Location');
  if (!location) return undefined;
  try {
    return new URL(location, requestUrl).origin;
  } catch {
    return undefined;
  }
}

/** The legacy release line, from its answer to a route it does not have. */
function legacyLineOf(answer: Answer): ReleaseLine {
  if (answer.status === 200) return 'v0.22';
  return isRecord(answer.json) && typeof answer.json.code !== 'number' ? 'v0.23' : 'v0.24';
}

function toPublicConfig(data: unknown): PublicConfig {
  const config = isRecord(data) ? data : {};
  return {
    // Legacy servers send 1/0, newer ones may send booleans.
    registrationAllowed: Boolean(config.registerEnabled ?? true),
    // Before v0.25.0 password sign-in could not be switched off.
    passwordLoginAllowed: !config.disablePasswordLogin,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toEnvelope(parsed: unknown): Envelope | undefined {
  if (!isRecord(parsed) || typeof parsed.code !== 'number') return undefined;
  return {
    code: parsed.code,
    message: typeof parsed.message === 'string' ? parsed.message : '',
    data: parsed.data,
  };
}

function toUserInfo(data: unknown): UserInfo {
  if (!isRecord(data)) return { email: '' };
  return {
    id: typeof data.id === 'string' ? data.id : undefined,
    email: typeof data.email === 'string' ? data.email : '',
    nickname: typeof data.nickname === 'string' ? data.nickname : undefined,
  };
}

/** Reads a body as text, giving up past `limit` bytes instead of buffering a flood. */
async function readCapped(response: Response, limit: number, serverUrl: string): Promise<string> {
  const tooLarge = () => responseTooLarge(serverUrl, limit, response.status);
  const declared = Number(response.headers.get('Content-Length'));
  if (declared > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw cannotConnect(serverUrl, error);
  }
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(joined);
}
