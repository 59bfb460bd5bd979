/**
 * The one protocol of the message bus: every message name with its request and response type.
 * Senders and the background both use this map, so a wrong payload is a compile error.
 */
import type { ErrorKind } from '../errors';
import type { CopyFormat } from '../keys/copy-formats';
import type { DetectedServer, KeyStatus, LoginChannel, PublicConfig, ReleaseLine } from '../ragflow/client';
import type { Generation } from '../ragflow/routes';
import type { Settings } from '../settings/schema';

/** Steps of the key flow, named to the user while it runs. */
export type KeyFlowStep = 'connecting' | 'signing-in' | 'creating-account' | 'getting-key';

/**
 * Where a key came from: the session cache, the cached session token, a login, a new account,
 * or the session of the RAGFlow web app open in a tab.
 */
export type KeySource = 'cache' | 'session' | 'login' | 'register' | 'web-session';

export interface AccountRef {
  /** As the user typed it; the background normalises it. */
  serverUrl: string;
  email: string;
}

export interface GetKeyRequest extends AccountRef {
  /** Only when the user typed one; never stored. */
  password?: string;
  /** Set only when the user asked to create the account (never a blind first step). */
  createAccount?: { nickname: string };
  /** Lets the caller tell its own progress events apart. */
  flowId?: string;
}

export interface KeyResult {
  key: string;
  /** The normalised server URL the key belongs to. */
  serverUrl: string;
  email: string;
  source: KeySource;
  /**
   * The session is the RAGFlow web app's own (taken from its tab): logging it out on the server
   * would sign the web app out, so the popup does not offer that.
   */
  viaWebApp?: boolean;
}

export interface SignOutRequest {
  serverUrl: string;
  /** Also invalidate the session on the server (RAGFlow's logout). Off by default. */
  alsoLogOutOfServer: boolean;
}

/** "Use my RAGFlow session": a key through the session of the web app open in a tab. */
export interface WebSessionKeyRequest {
  serverUrl: string;
  /** The web-app tab the popup found; another tab of that server's web app if it is gone. */
  tabId?: number;
  flowId?: string;
}

/**
 * What the extension found out about a server: its route generation, whether it is the Go
 * server, its public config and its SSO channels, where known (remembered in storage.local).
 */
export interface ServerFacts extends DetectedServer {
  /** Normalised server URL. */
  serverUrl: string;
  /** The sign-in channels besides the password; undefined until asked. */
  channels?: LoginChannel[];
  detectedAt: number;
}

/**
 * What a page says of its RAGFlow server: found (its normalised URL); not RAGFlow (null); or not
 * asked, because the user has not chosen that host yet (`offerHost`, to name it in the offer).
 */
export type PageServer = { serverUrl: string } | { offerHost: string } | null;

/** What "Test connection" found: the server as it is now, or why it could not be reached. */
export type ConnectionTestResult =
  | {
      ok: true;
      /** Normalised. */
      serverUrl: string;
      generation: Generation;
      /** RAGFlow's Go server rather than the Python one. */
      go: boolean;
      /** The release line, as far as the server tells it without a session. */
      release: ReleaseLine;
      /** Only where the server tells it without a session (v0.25.2 and later, the Go server). */
      version?: string;
      registrationAllowed: boolean;
      passwordLoginAllowed: boolean;
      /** Sign-in channels besides the password (SSO). */
      channels: LoginChannel[];
      /** One request there and back, in milliseconds. */
      roundTripMs: number;
    }
  | { ok: false; error: ErrorData };

/** What happens to a copied key: cleared after `seconds`, never (the preference), or not here. */
export type ClipboardClearPlan =
  | { status: 'scheduled'; seconds: number }
  | { status: 'off' }
  /** The background has no clipboard (a browser with neither offscreen documents nor a background page). */
  | { status: 'unsupported' }
  /** Without the optional clipboardRead permission: it could not tell whether the key is still there. */
  | { status: 'not-allowed' };

/** One API key of an account, as the key list shows it. Full keys: the popup is a trusted page. */
export interface ListedKey {
  token: string;
  /** Milliseconds since the epoch; 0 when the server did not say. */
  createdAt: number;
}

/** The account's keys, newest first, and the one "Paste RAGFlow key" uses (null: none). */
export interface KeyList {
  keys: ListedKey[];
  currentKey: string | null;
}

export interface KeyRef extends AccountRef {
  token: string;
}

export interface ProtocolMap {
  /** The fewest requests to a key: cache → session token → login (→ account, if asked). */
  'keys.get': { request: GetKeyRequest; response: KeyResult };
  /** The cached key for an account, with no request to the server; null when none. */
  'keys.cached': { request: AccountRef; response: KeyResult | null };
  /** Forgets every cached session and key of a server. */
  'session.signOut': { request: SignOutRequest; response: void };
  /** Whether the server allows registration and password sign-in, asked afresh (one request). */
  'server.config': { request: { serverUrl: string }; response: PublicConfig };
  /** What is known of the server (remembered: no request; else one detection). */
  'server.facts': { request: { serverUrl: string }; response: ServerFacts };
  /** The options page's "Test connection"; a failure is part of the answer, not an error. */
  'server.test': { request: { serverUrl: string }; response: ConnectionTestResult };
  /** The saved servers and the default, for the popup's picker (the background owns the item). */
  'settings.get': { request: Record<string, never>; response: Settings };
  /** After the popup copied a key: clear it later if still there. Only its SHA-256 travels. */
  'clipboard.scheduleClear': { request: { fingerprint: string }; response: ClipboardClearPlan };
  /** A tab of the server's RAGFlow web app, for the popup's session option; null when none is open. */
  'webSession.tab': { request: { serverUrl: string }; response: { tabId: number } | null };
  /** A key with the web app's own session (no login: the web app stays signed in). */
  'keys.fromWebSession': { request: WebSessionKeyRequest; response: KeyResult };
  /**
   * The RAGFlow server a page belongs to (origin and path prefix), by its detection. A page on an
   * origin the extension may not reach is asked nothing until the user says so (`userAsked`).
   */
  'webSession.serverOfPage': { request: { pageUrl: string; userAsked?: boolean }; response: PageServer };
  /** Key management, with the cached session token; a 401 drops the session (`session-expired`). */
  'keys.list': { request: AccountRef; response: KeyList };
  /** A new key, the list's newest; it becomes the pasting key only when there is none. */
  'keys.create': { request: AccountRef; response: { key: ListedKey; currentKey: string | null } };
  /** Deletes the key on the server; the pasting key, if it was that one, is cleared. */
  'keys.revoke': { request: KeyRef; response: void };
  /** Chooses the key that "Paste RAGFlow key" uses. No request to the server. */
  'keys.setCurrent': { request: KeyRef; response: void };
  /** A live check of a key against its server; unreachable comes back as an error. */
  'keys.verify': { request: { serverUrl: string; token: string }; response: KeyStatus };
  /**
   * A listed key of the account as a snippet to copy (.env, Python, curl), quoted for its
   * language. Built here rather than in the popup, which keeps within its size budget.
   */
  'keys.copyText': { request: KeyRef & { format: CopyFormat }; response: string };
}

export type MessageName = keyof ProtocolMap;
export type RequestOf<K extends MessageName> = ProtocolMap[K]['request'];
export type ResponseOf<K extends MessageName> = ProtocolMap[K]['response'];

/** Events the background broadcasts to extension pages (no answer expected). */
export interface EventMap {
  'keys.progress': { flowId?: string; step: KeyFlowStep };
}

export type EventName = keyof EventMap;

/** An error as it crosses the bus: data, never a lost promise rejection or `[object Object]`. */
export interface ErrorData {
  kind: ErrorKind;
  /** Picks among the kind's sentences (lib/errors.ts), where it has several. */
  reason?: string;
  /** The sentence, for pages that show this data as it is (the options page's connection test). */
  messageKey: string;
  substitutions: string[];
  serverMessage?: string;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** What actually travels through `runtime.sendMessage`. */
export interface RequestMessage<K extends MessageName = MessageName> {
  type: 'request';
  name: K;
  request: RequestOf<K>;
}

export interface EventMessage<K extends EventName = EventName> {
  type: 'event';
  name: K;
  payload: EventMap[K];
}
