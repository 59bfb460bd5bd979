import type {
  ApiKeySignInRequest,
  ClipboardClearPlan,
  GetKeyRequest,
  KeyFlowStep,
  KeyResult,
  ServerFacts,
  SignOutRequest,
} from '../messaging/protocol';
import {
  type ApiKey,
  type DetectedServer,
  type LoginChannel,
  type PublicConfig,
  RagflowClient,
  type RagflowClientOptions,
} from '../ragflow/client';
import { AppError, isAppError, retold } from '../errors';
import { notRagflow } from '../ragflow/errors';
import type { ServerUrl } from '../ragflow/server-url';
import type { KeyPolicy } from '../settings/settings';
import { type AccountEntry, accountCache, type SessionFreshness } from './account-cache';
import { newestOwnKey, type ServerKey, serverKeyOf } from './cached-key';
import { detectedServers } from './detected-servers';
import { emailRequired, flowCancelled, noHostAccess, passwordRequired, sessionRejected } from './errors';
import { apiKeyAuthorization, createKeyManagement, type KeyManagement } from './key-management';
import { isApiKeyForm } from '../ragflow/api-key';
import { SingleFlight } from '../shared/single-flight';

export type { KeyPolicy };

/** What the popup and paste are told of a cached account's key. */
function resultOf(entry: AccountEntry, source: KeyResult['source']): KeyResult {
  const result: KeyResult = { key: entry.currentKey ?? '', serverUrl: entry.serverUrl, email: entry.email, source };
  if (entry.viaApiKey) return { ...result, viaApiKey: true };
  return entry.viaWebApp ? { ...result, viaWebApp: true } : result;
}

/** A cancelled flow's answer may still be on its way to the popup for this long: a cancel then undoes it. */
const SETTLED_FLOW_KEPT_MS = 60_000;

interface CancellableFlow {
  /** The web app's session flow learns the email from the server: it is in the result then. */
  account: { serverUrl: ServerUrl; email?: string };
  abort: AbortController;
  cancelled: boolean;
  /** The account's cache entry before the flow; undefined when there was none (or not known yet). */
  before: AccountEntry | undefined;
  /** What the flow answered, once it did. */
  result?: KeyResult;
  settled: boolean;
}

/** An account entry right after a sign-in: its session token is known. */
type SignedIn = AccountEntry & { authorization: string };

/** One cached account's keys, newest first, by token. */
export interface AccountKeys {
  serverUrl: ServerUrl;
  email: string;
  tokens: string[];
}

export interface KeyServiceDeps {
  /** Whether the browser lets the extension reach this server (host permission). */
  hasHostAccess(serverUrl: ServerUrl): Promise<boolean>;
  /** Tells the UI which step a flow is at. */
  onStep(step: KeyFlowStep, flowId: string | undefined): void;
  /** The key policy of a server; settings may override the default `reuse`. */
  keyPolicy(serverUrl: ServerUrl): Promise<KeyPolicy>;
  /** Extra client options of a server (custom public key, timeout). */
  clientOptions?(serverUrl: ServerUrl): Promise<Partial<RagflowClientOptions>>;
  /** How long a server's sessions stay cached, from the sign-in; undefined: until the browser closes. */
  sessionMaxAgeMs?(serverUrl: ServerUrl): Promise<number | undefined>;
  /** The background's clipboard, for a rotation asked to copy the new key (see KeyServiceInternals). */
  copyToClipboard?(key: string): Promise<ClipboardClearPlan>;
  now?(): number;
}

export interface KeyService extends KeyManagement {
  getKey(request: GetKeyRequest): Promise<KeyResult>;
  /**
   * Cancels a sign-in (`keys.get`, `keyFromSession` or `keyFromApiKey`) by its flow id: its running request is
   * aborted, and whatever it cached (the session of its login, its keys) is put back as it was,
   * also when its answer was already on its way to the popup.
   */
  cancel(request: { flowId: string }): Promise<void>;
  /**
   * Which key and session the cache holds for this server (any of its accounts), under the same
   * freshness rule as every other answer of the cache: what paste inserts, or gets a key with.
   */
  keyForServer(serverUrl: ServerUrl): Promise<ServerKey>;
  /** The servers with a fresh cached account (a key or a session), for the paste menu. */
  cachedServers(): Promise<ServerUrl[]>;
  /** Every fresh cached account's keys as last listed: for the paste menu's named keys and paste records. */
  cachedAccountKeys(): Promise<AccountKeys[]>;
  signOut(request: SignOutRequest): Promise<void>;
  /** The server's public config as it is now (one request): before offering a new account. */
  serverConfig(serverUrl: ServerUrl): Promise<PublicConfig>;
  /**
   * What is known of a server: from the last detection (no request), else from a new one (one
   * request); with its SSO channels where it takes no passwords.
   */
  serverFacts(serverUrl: ServerUrl): Promise<ServerFacts>;
  /**
   * A key with a session token the extension did not sign in for: the RAGFlow web app's. No
   * login, so the web app stays signed in (docs/ragflow-api.md, "Every login rotates the session"). A rejected token throws
   * a `session-expired` error.
   */
  keyFromSession(request: { serverUrl: ServerUrl; authorization: string; flowId?: string }): Promise<KeyResult>;
  /**
   * Signs in with an API key the user already has (RAGFlow v0.24 and later, and the Go server,
   * take one on the key routes: docs/ragflow-releases.md, "Signing in with an API key"). No
   * login: the web app stays signed in, and SSO accounts, which have no password, can use it.
   */
  keyFromApiKey(request: ApiKeySignInRequest): Promise<KeyResult>;
}

/**
 * The account and key flow of the background, with the fewest requests:
 * a cached key → else a cached session token (list, reuse or create) → else a login first.
 * Registration happens only when the request asks for it.
 */
export function createKeyService(deps: KeyServiceDeps): KeyService {
  const now = deps.now ?? Date.now;
  const flights = new SingleFlight<KeyResult>();
  const detections = new SingleFlight<DetectedServer>();
  const flows = new Map<string, CancellableFlow>();

  /**
   * Runs a sign-in that its popup may cancel. The account's cache entry as it was before is kept,
   * so that a cancel puts it back: a cancelled sign-in leaves nothing cached, even one whose
   * login had already answered (its session is cached at once, see keepSession).
   */
  async function cancellable(
    account: { serverUrl: ServerUrl; email?: string },
    flowId: string | undefined,
    run: (signal: AbortSignal | undefined) => Promise<KeyResult>,
  ): Promise<KeyResult> {
    if (flowId === undefined) return run(undefined);
    const before =
      account.email === undefined ? undefined : await accountCache.getAccount(account.serverUrl, account.email);
    const flow: CancellableFlow = { account, abort: new AbortController(), cancelled: false, before, settled: false };
    flows.set(flowId, flow);
    try {
      const result = await run(flow.abort.signal);
      flow.result = result;
      if (flow.cancelled) throw flowCancelled();
      return result;
    } catch (error) {
      throw flow.cancelled ? flowCancelled() : error;
    } finally {
      flow.settled = true;
      if (flow.cancelled) await undoFlow(flow);
      // A cancel may still come after the answer left (the popup's click raced it): kept a while.
      setTimeout(() => flows.delete(flowId), SETTLED_FLOW_KEPT_MS);
    }
  }

  /** Puts the account's cache entry back as it was before the flow. */
  async function undoFlow(flow: CancellableFlow): Promise<void> {
    const email = flow.account.email ?? flow.result?.email;
    if (email === undefined) return;
    if (flow.before) await accountCache.saveAccount(flow.before);
    else await accountCache.dropSession(flow.account.serverUrl, email);
  }

  /** The cached account, unless its session outlived the server's session-cache lifetime. */
  async function cachedAccount(serverUrl: ServerUrl, email: string): Promise<AccountEntry | undefined> {
    const maxAgeMs = await deps.sessionMaxAgeMs?.(serverUrl);
    const freshness: SessionFreshness | undefined = maxAgeMs === undefined ? undefined : { maxAgeMs, now: now() };
    return accountCache.getAccount(serverUrl, email, freshness);
  }

  /** Every cached account still fresh; the expired ones are removed, as in cachedAccount. */
  async function freshAccounts(): Promise<AccountEntry[]> {
    const servers = [...new Set((await accountCache.allAccounts()).map((entry) => entry.serverUrl))];
    const maxAges = new Map(
      await Promise.all(
        servers.map(async (serverUrl) => [serverUrl, await deps.sessionMaxAgeMs?.(serverUrl)] as const),
      ),
    );
    return accountCache.freshAccounts((serverUrl) => maxAges.get(serverUrl), now());
  }

  /** A client of the server, and whether it encrypts with a public key of the server's own. */
  async function openClient(
    serverUrl: ServerUrl,
    onDetected: (detected: DetectedServer) => void,
    signal?: AbortSignal,
  ): Promise<{ client: RagflowClient; ownPublicKey: boolean }> {
    // Three local reads, at once: none of them waits on another.
    const [access, known, extra] = await Promise.all([
      deps.hasHostAccess(serverUrl),
      detectedServers.get(serverUrl),
      deps.clientOptions?.(serverUrl),
    ]);
    if (!access) throw noHostAccess(new URL(serverUrl).host);
    const client = new RagflowClient({
      ...extra,
      serverUrl,
      detected: known,
      onDetected,
      signal,
      // The popup's question about a server and a sign-in, at once: one detection request. If
      // it was the sign-in's and the user cancelled that, whoever shared it asks again.
      probeWith: (probe) =>
        detections
          .run(serverUrl, probe)
          .catch((error: AppError) =>
            (error.cause as Error | undefined)?.name === 'AbortError' && !signal?.aborted
              ? detections.run(serverUrl, probe)
              : Promise.reject(error),
          ),
    });
    return { client, ownPublicKey: Boolean(extra?.publicKeyPem) };
  }

  /**
   * Runs `task` with a client of the server, then remembers what detection found (whether the
   * task succeeded or not), so that the next flow needs no probe, and explains the errors that
   * depend on which server said them.
   */
  async function withClient<T>(
    serverUrl: ServerUrl,
    task: (client: RagflowClient) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    let detected: DetectedServer | undefined;
    const { client, ownPublicKey } = await openClient(
      serverUrl,
      (found) => {
        detected = found;
      },
      signal,
    );
    try {
      return await task(client);
    } catch (error) {
      throw await explained(error, client, ownPublicKey);
    } finally {
      if (detected) await detectedServers.remember(client.baseUrl, detected, now());
    }
  }

  /** The same error in the words that fit this server. */
  async function explained(error: unknown, client: RagflowClient, ownPublicKey: boolean): Promise<unknown> {
    const go = client.detected?.go === true;
    if (isAppError(error, 'password-login-disabled')) await detectedServers.notePasswordLoginOff(client.baseUrl);
    // The Go server ends a session after 24 hours, where Python's never end: say why.
    if (isAppError(error, 'session-expired') && go) return retold(error, 'go');
    if (isAppError(error, 'wrong-password') && client.detected?.generation === 'restful' && !client.detected.config) {
      const off = await passwordsOff(client, error);
      if (off) return off;
    }
    // The Go server takes a password it cannot decrypt as typed, so a wrong public key shows up
    // as a wrong password (docs/ragflow-releases.md, "Go server: passwords it cannot decrypt").
    if (isAppError(error, 'wrong-password') && go && ownPublicKey) return retold(error, 'or-public-key');
    return error;
  }

  /**
   * A RESTful server's config is not read before a sign-in: it is a request of its own there, and
   * no release refuses a password at the login when password sign-in is "off" (the web app only
   * hides the field: docs/ragflow-releases.md, "Public config"). A refused password is the moment
   * it matters: an SSO account has none. Read it then (and the channels, if off), and remember
   * both, so that the popup leads with the web app's session from now on.
   */
  async function passwordsOff(client: RagflowClient, refused: AppError): Promise<AppError | undefined> {
    const config = await client.getPublicConfig().catch(() => undefined);
    if (!config || config.passwordLoginAllowed || !client.detected) return undefined;
    const channels = await client.loginChannels().catch((): LoginChannel[] => []);
    await detectedServers.remember(client.baseUrl, client.detected, now(), channels);
    return new AppError('password-login-disabled', {
      serverCode: refused.serverCode ?? 0,
      serverMessage: refused.serverMessage ?? refused.message,
    });
  }

  /** The account's keys, newest first; the first that is not an embed token is the one to hand out. */
  async function keysFromSession(client: RagflowClient, authorization: string): Promise<ApiKey[]> {
    const keys = await client.listKeys(authorization);
    const policy = await deps.keyPolicy(client.baseUrl);
    if (policy === 'reuse' && newestOwnKey(keys)) return keys;
    const created = await client.createKey(authorization);
    return [created, ...keys];
  }

  /**
   * The keys right after a sign-in: a 401 now means the fresh token was refused, not that it aged.
   * The token kept from that sign-in is dropped then: it would only fail again.
   */
  async function keysAfterSignIn(client: RagflowClient, signedIn: SignedIn, create: boolean): Promise<ApiKey[]> {
    const { authorization } = signedIn;
    try {
      // A new account has no keys yet: create one without listing.
      return create ? [await client.createKey(authorization)] : await keysFromSession(client, authorization);
    } catch (error) {
      if (!isAppError(error, 'session-expired')) throw error;
      await accountCache.dropSession(signedIn.serverUrl, signedIn.email);
      throw sessionRejected();
    }
  }

  async function runFlow(
    request: GetKeyRequest,
    serverUrl: ServerUrl,
    email: string,
    signal: AbortSignal | undefined,
  ): Promise<KeyResult> {
    const step = (name: KeyFlowStep) => deps.onStep(name, request.flowId);
    const cached = await cachedAccount(serverUrl, email);
    if (cached?.currentKey && !request.createAccount) {
      return resultOf(cached, 'cache');
    }
    // Said before "password required": granting access is what the user must do first, and a
    // password typed now would be refused for the same reason.
    if (!(await deps.hasHostAccess(serverUrl))) throw noHostAccess(new URL(serverUrl).host);
    const password = request.password ?? '';
    if (!cached?.authorization && password === '') throw passwordRequired();

    step('connecting');
    return withClient(
      serverUrl,
      async (client) => {
        // A password the server's key cannot carry would fail at the login: say so before any request.
        if (password !== '') client.checkPassword(password);
        // The probe would otherwise run inside the first operation, under a later step's name.
        if (!client.generation) await client.detect();
        if (cached?.authorization && !request.createAccount) {
          try {
            step('getting-key');
            const keys = await keysFromSession(client, cached.authorization);
            return await save(withKeys(cached, keys), 'session');
          } catch (error) {
            if (!isAppError(error, 'session-expired')) throw error;
            // The token was rotated (another login, the web app) or logged out: forget it.
            await accountCache.dropSession(serverUrl, email);
            if (password === '') throw error;
          }
        }

        if (request.createAccount) {
          step('creating-account');
          const session = await client.register({ email, password, nickname: request.createAccount.nickname });
          const signedIn = await keepSession(serverUrl, email, session.authorization);
          step('getting-key');
          const keys = await keysAfterSignIn(client, signedIn, true);
          return await save(withKeys(signedIn, keys), 'register');
        }

        step('signing-in');
        const session = await client.login({ email, password });
        const signedIn = await keepSession(serverUrl, email, session.authorization);
        step('getting-key');
        const keys = await keysAfterSignIn(client, signedIn, false);
        return await save(withKeys(signedIn, keys), 'login');
      },
      signal,
    );
  }

  /** Who-am-I says whose session it is; then its keys are cached like a login's. */
  async function runSessionFlow(
    serverUrl: ServerUrl,
    authorization: string,
    flowId: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<KeyResult> {
    deps.onStep('connecting', flowId);
    return withClient(
      serverUrl,
      async (client) => {
        const { email } = await client.whoAmI(authorization);
        if (email === '') throw notRagflow(serverUrl, 'Who-am-I answered without an email');
        deps.onStep('getting-key', flowId);
        const keys = await keysFromSession(client, authorization);
        const entry = { ...signedInEntry(serverUrl, email, authorization), viaWebApp: true };
        return await save(withKeys(entry, keys), 'web-session');
      },
      signal,
    );
  }

  /**
   * Who-am-I with the key says whose it is; its keys are then cached like a login's, under the
   * same lifetime, with the key itself as the sign-in. A refusal is told apart by the key check:
   * a key the server does not know, or a release that takes keys only on its SDK routes.
   */
  async function runApiKeyFlow(
    serverUrl: ServerUrl,
    apiKey: string,
    flowId: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<KeyResult> {
    deps.onStep('connecting', flowId);
    return withClient(
      serverUrl,
      async (client) => {
        const authorization = apiKeyAuthorization(apiKey);
        let email: string;
        try {
          ({ email } = await client.whoAmI(authorization));
        } catch (error) {
          if (!isAppError(error, 'session-expired')) throw error;
          const status = await client.verifyKey(apiKey);
          throw new AppError('api-key-sign-in', { reason: status === 'valid' ? 'unsupported' : 'unknown-key' });
        }
        if (email === '') throw notRagflow(serverUrl, 'Who-am-I answered without an email');
        deps.onStep('getting-key', flowId);
        const listed = await client.listKeys(authorization);
        const policy = await deps.keyPolicy(client.baseUrl);
        // The key the user brought is the one to paste, unless the server's policy wants a new one.
        const created = policy === 'new' ? [await client.createKey(authorization)] : [];
        const keys = [...created, ...listed];
        const entry = { ...signedInEntry(serverUrl, email, authorization), viaApiKey: true };
        const currentKey =
          created[0]?.token ?? (listed.some((key) => key.token === apiKey) ? apiKey : newestOwnKey(listed)?.token);
        return await save({ ...entry, keys, currentKey, keysSavedAt: now() }, 'api-key');
      },
      signal,
    );
  }

  /** An account as a sign-in leaves it: its session token, no key yet. */
  function signedInEntry(serverUrl: ServerUrl, email: string, authorization: string): SignedIn {
    return { serverUrl, email, authorization, keys: [], sessionSavedAt: now() };
  }

  /**
   * Caches the session token of a login (or registration) at once, before any key request: the
   * service worker may be stopped between the two (Chrome stops idle workers, and a stopped
   * worker loses the flow in memory), and the token is what spares the user a second password
   * prompt and RAGFlow a second login, which would rotate the token again (docs/ragflow-api.md, "Every login rotates the session").
   * It holds no key: a flow that fails from here on caches none. The token stays until the
   * server rejects it (401: dropped in keysAfterSignIn, or later in runFlow).
   */
  async function keepSession(serverUrl: ServerUrl, email: string, authorization: string): Promise<SignedIn> {
    const entry = signedInEntry(serverUrl, email, authorization);
    await accountCache.saveAccount(entry);
    return entry;
  }

  /** The signed-in entry with the keys it got; the session-cache lifetime still counts from the sign-in. */
  function withKeys(entry: AccountEntry, keys: ApiKey[]): AccountEntry {
    return { ...entry, keys, currentKey: newestOwnKey(keys)?.token, keysSavedAt: now() };
  }

  async function save(entry: AccountEntry, source: KeyResult['source']): Promise<KeyResult> {
    await accountCache.saveAccount(entry);
    return resultOf(entry, source);
  }

  return {
    ...createKeyManagement({ cachedAccount, withClient, now, copyToClipboard: deps.copyToClipboard }),

    async getKey(request) {
      const { serverUrl } = request;
      const email = request.email.trim();
      if (email === '') throw emailRequired();
      // Five concurrent requests for one account make one login and at most one key.
      return flights.run(`${serverUrl} ${email.toLowerCase()}`, () =>
        cancellable({ serverUrl, email }, request.flowId, (signal) => runFlow(request, serverUrl, email, signal)),
      );
    },

    async cancel({ flowId }) {
      const flow = flows.get(flowId);
      if (!flow || flow.cancelled) return;
      flow.cancelled = true;
      flow.abort.abort();
      // Still running: it undoes itself as it ends. Already answered: undone here.
      if (flow.settled) await undoFlow(flow);
    },

    async keyForServer(serverUrl) {
      return serverKeyOf(await freshAccounts(), serverUrl);
    },

    async cachedServers() {
      return [...new Set((await freshAccounts()).map((entry) => entry.serverUrl))];
    },

    async cachedAccountKeys() {
      return (await freshAccounts()).map(({ serverUrl, email, keys }) => ({
        serverUrl,
        email,
        tokens: keys.map((key) => key.token),
      }));
    },

    async signOut(request) {
      const { serverUrl } = request;
      const accounts = await accountCache.accountsOfServer(serverUrl);
      // Forget locally first: whatever the server says next, nothing stays cached.
      await accountCache.forgetServer(serverUrl);
      if (!request.alsoLogOutOfServer) return;
      await withClient(serverUrl, async (client) => {
        // Never the web app's own session: logging it out would sign the web app out. Nor an API
        // key: on Python its logout ends every session of its owner, the web app's included.
        for (const { authorization, viaWebApp: fromWebApp, viaApiKey } of accounts) {
          if (authorization && !fromWebApp && !viaApiKey) await client.logout(authorization);
        }
      });
    },

    async keyFromSession({ serverUrl, authorization, flowId }) {
      // Two clicks make one flow: under the "new" policy, one key.
      // Whose account it is comes with the answer: the undo of a cancel finds it in the result.
      return flights.run(`web-session ${serverUrl}`, () =>
        cancellable({ serverUrl }, flowId, (signal) => runSessionFlow(serverUrl, authorization, flowId, signal)),
      );
    },

    async keyFromApiKey({ serverUrl, apiKey: typed, flowId }) {
      const apiKey = typed.trim();
      if (!isApiKeyForm(apiKey)) throw new AppError('api-key-sign-in', { reason: 'malformed' });
      return flights.run(`api-key ${serverUrl}`, () =>
        cancellable({ serverUrl }, flowId, (signal) => runApiKeyFlow(serverUrl, apiKey, flowId, signal)),
      );
    },

    serverConfig(serverUrl) {
      return withClient(serverUrl, (client) => client.getPublicConfig({ fresh: true }));
    },

    async serverFacts(serverUrl) {
      const known = await detectedServers.get(serverUrl);
      const channelsMissing = known?.config?.passwordLoginAllowed === false && known.channels === undefined;
      if (known && !channelsMissing) return known;
      // withClient remembers what the detection found.
      const channels = await withClient(serverUrl, async (client) => {
        // Legacy and mixed servers answer the detection with their config. A RESTful server's
        // config costs a request of its own, more than a first contact may spend; it is read
        // when a password is refused (see passwordsOff), or by Test connection.
        const { config } = client.detected ?? (await client.detect());
        // Only where passwords are off: then the channels are how people sign in, worth naming.
        return config?.passwordLoginAllowed === false
          ? await client.loginChannels().catch((): LoginChannel[] => [])
          : undefined;
      });
      if (channels) await detectedServers.saveChannels(serverUrl, channels);
      const facts = await detectedServers.get(serverUrl);
      if (!facts) throw notRagflow(serverUrl, 'Detection left nothing to remember');
      return facts;
    },
  };
}
