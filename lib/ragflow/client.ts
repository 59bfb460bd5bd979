import ky, { type KyInstance, TimeoutError as KyTimeoutError } from 'ky';

import {
  CannotConnectError,
  errorFromEnvelope,
  MissingSessionTokenError,
  NotRagflowError,
  RagflowError,
  ResponseTooLargeError,
  ServerError,
  SessionExpiredError,
  TimeoutError,
} from './errors';
import { assertPasswordFits, encryptPassword, RAGFLOW_DEFAULT_PUBLIC_KEY, validatePublicKeyPem } from './password';
import {
  type Generation,
  generationFromVersion,
  KEY_CHECK,
  type Operation,
  type Route,
  ROUTES,
  VERSION_PROBE,
} from './routes';
import { normalizeServerUrl } from './server-url';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** RAGFlow's answers here are a few kilobytes; anything far larger is not worth reading. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface RagflowClientOptions {
  /** What the user typed; normalised (and rejected when invalid) by the constructor. */
  serverUrl: string;
  /** A generation detected earlier and remembered by the caller: saves the probe. */
  generation?: Generation;
  /** The server's own RSA public key (PEM), when it does not use RAGFlow's default pair. */
  publicKeyPem?: string;
  /** Per request; 10 s by default. */
  timeoutMs?: number;
  /** Called whenever detection settles on a generation (first time, or after a route moved). */
  onGenerationDetected?: (generation: Generation) => void;
  /** For environments whose global `fetch` is not the one to use. */
  fetch?: typeof globalThis.fetch;
}

export interface PublicConfig {
  registrationAllowed: boolean;
  passwordLoginAllowed: boolean;
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
 * in extension pages and in Node alike. The contract it speaks is API.md.
 */
export class RagflowClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private currentGeneration?: Generation;
  private detectedVersion?: string;
  private detection?: Promise<Generation>;
  private readonly publicKeyPem: string;
  private readonly http: KyInstance;
  private readonly onGenerationDetected?: (generation: Generation) => void;

  constructor(options: RagflowClientOptions) {
    this.baseUrl = normalizeServerUrl(options.serverUrl);
    this.currentGeneration = options.generation;
    this.publicKeyPem = options.publicKeyPem ? validatePublicKeyPem(options.publicKeyPem) : RAGFLOW_DEFAULT_PUBLIC_KEY;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.onGenerationDetected = options.onGenerationDetected;
    this.http = ky.create({
      timeout: this.timeoutMs,
      // Business errors come with HTTP 200 and HTTP errors carry RAGFlow's envelope: read both.
      throwHttpErrors: false,
      // Never retry POST or DELETE: a retried create mints a second key. GET is retried once,
      // on a network failure only (ky does not retry timeouts, and no status code is listed).
      retry: { limit: 1, methods: ['get'], statusCodes: [] },
      // Sessions travel in the Authorization header, never in cookies.
      credentials: 'omit',
      fetch: options.fetch,
    });
  }

  /** The route generation in use, once known. */
  get generation(): Generation | undefined {
    return this.currentGeneration;
  }

  /** The version the server reported while being detected (mixed and RESTful servers only). */
  get version(): string | undefined {
    return this.detectedVersion;
  }

  /**
   * Finds out which route generation the server speaks, with one request, and remembers it.
   * Concurrent callers share that one request.
   */
  detectGeneration(): Promise<Generation> {
    this.detection ??= this.probeGeneration().finally(() => {
      this.detection = undefined;
    });
    return this.detection;
  }

  async getPublicConfig(): Promise<PublicConfig> {
    const data = await this.call('config');
    const config = isRecord(data) ? data : {};
    return {
      // Legacy servers send 1/0, newer ones may send booleans.
      registrationAllowed: Boolean(config.registerEnabled ?? true),
      passwordLoginAllowed: !config.disablePasswordLogin,
    };
  }

  /** Throws PasswordTooLongError when this server's key cannot carry the password; no request. */
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
   * session of that user, the RAGFlow web app included, is signed out by it (API.md, "a trap").
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
      if (!(error instanceof SessionExpiredError)) throw error;
    }
  }

  async whoAmI(authorization: string): Promise<UserInfo> {
    const data = await this.call('me', { authorization });
    return toUserInfo(data);
  }

  /** The user's API keys, newest first (RAGFlow promises no order). */
  async listKeys(authorization: string): Promise<ApiKey[]> {
    const data = await this.call('tokens.list', { authorization });
    if (!Array.isArray(data)) throw new NotRagflowError(this.baseUrl, 'Key list is not an array');
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
    if (envelope.code === 0) return 'valid';
    if (envelope.code === 109 || envelope.code === 401) return 'invalid';
    throw errorFromEnvelope(envelope.code, envelope.message, answer.status);
  }

  private async probeGeneration(): Promise<Generation> {
    const answer = await this.fetchRoute(VERSION_PROBE, {});
    let generation: Generation;
    if (answer.status === 404 && answer.envelope) {
      generation = 'legacy';
      this.detectedVersion = undefined;
    } else if (answer.status === 401 && answer.envelope) {
      // A server that guards its version is newer than the mixed release, which did not.
      generation = 'restful';
    } else {
      const envelope = this.expectEnvelope(answer);
      if (envelope.code !== 0 || typeof envelope.data !== 'string') {
        throw errorFromEnvelope(envelope.code, envelope.message, answer.status);
      }
      this.detectedVersion = envelope.data;
      generation = generationFromVersion(envelope.data);
    }
    this.remember(generation);
    return generation;
  }

  private remember(generation: Generation): void {
    this.currentGeneration = generation;
    this.onGenerationDetected?.(generation);
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
    const remembered = this.currentGeneration;
    const generation = remembered ?? (await this.detectGeneration());
    let answer = await this.fetchRoute(ROUTES[generation][operation], options);

    if (isRouteNotFound(answer)) {
      const moved = await this.generationAfterNotFound(operation, generation, remembered !== undefined);
      if (moved) answer = await this.fetchRoute(ROUTES[moved][operation], options);
    }
    if (isRouteNotFound(answer)) {
      throw new NotRagflowError(this.baseUrl, `No RAGFlow route for ${operation}`, 404);
    }
    if (answer.status === 401) throw new SessionExpiredError(answer.envelope?.message);
    const envelope = this.expectEnvelope(answer);
    if (envelope.code !== 0) throw errorFromEnvelope(envelope.code, envelope.message, answer.status);
    return answer;
  }

  /** After a 404, the generation to retry with, or undefined when there is none to try. */
  private async generationAfterNotFound(
    operation: Operation,
    failed: Generation,
    wasRemembered: boolean,
  ): Promise<Generation | undefined> {
    let next = wasRemembered ? await this.detectGeneration() : failed;
    if (next === failed && next !== 'legacy') {
      // The version said one thing and the routes another (a dev build, a patched server):
      // the other non-legacy generation is the only other candidate for this probe's answer.
      next = failed === 'mixed' ? 'restful' : 'mixed';
      if (ROUTES[next][operation].path === ROUTES[failed][operation].path) return undefined;
      this.remember(next);
      return next;
    }
    return next === failed ? undefined : next;
  }

  private async fetchRoute(route: Route, options: SendOptions): Promise<Answer> {
    const path = options.tokenInPath
      ? route.path.replace('{token}', encodeURIComponent(options.tokenInPath))
      : route.path;
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = {};
    // Sent verbatim: legacy servers reject the `Bearer ` form of a session token (API.md).
    if (options.authorization) headers.Authorization = options.authorization;

    let response: Response;
    try {
      response = await this.http(url, { method: route.method, headers, json: options.json });
    } catch (error) {
      if (error instanceof KyTimeoutError) throw new TimeoutError(this.baseUrl, this.timeoutMs, error);
      throw new CannotConnectError(this.baseUrl, error);
    }
    const text = await readCapped(response, MAX_RESPONSE_BYTES, this.baseUrl);
    return { status: response.status, headers: response.headers, envelope: parseEnvelope(text) };
  }

  /** The envelope of an answer, or the error that says why there is none. */
  private expectEnvelope(answer: Answer): Envelope {
    if (answer.status >= 500) {
      throw new ServerError(answer.status, answer.envelope?.message, answer.envelope?.code);
    }
    if (!answer.envelope) {
      throw new NotRagflowError(this.baseUrl, `HTTP ${answer.status} without RAGFlow's JSON envelope`, answer.status);
    }
    return answer.envelope;
  }

  private sessionFrom(answer: Answer, email: string): Session {
    const authorization = answer.headers.get('Authorization');
    if (!authorization) throw new MissingSessionTokenError();
    const user = isRecord(answer.envelope?.data) ? toUserInfo(answer.envelope.data) : { email };
    return { authorization, user: { ...user, email: user.email || email } };
  }

  private toApiKey(item: unknown): ApiKey {
    if (!isRecord(item) || typeof item.token !== 'string') {
      throw new NotRagflowError(this.baseUrl, 'API key without a token');
    }
    return {
      token: item.token,
      createdAt: typeof item.create_time === 'number' ? item.create_time : 0,
      tenantId: typeof item.tenant_id === 'string' ? item.tenant_id : undefined,
    };
  }
}

function isRouteNotFound(answer: Answer): boolean {
  // Only RAGFlow's own JSON 404 says "no such route"; nginx answers unknown paths with HTML.
  return answer.status === 404 && answer.envelope !== undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseEnvelope(text: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
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
  const tooLarge = () => new ResponseTooLargeError(serverUrl, limit, response.status);
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
    if (error instanceof RagflowError) throw error;
    throw new CannotConnectError(serverUrl, error);
  }
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(joined);
}
