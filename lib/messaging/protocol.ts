/**
 * The types of the message bus: what its requests and answers carry, and the message names with
 * their request and response, derived from the background's handler map (the one definition), so
 * a wrong payload is a compile error.
 */
import type { BackgroundHandlers } from '../background/handlers';
import type { ErrorKind } from '../errors';
import type { DetectedServer, LoginChannel, ReleaseLine } from '../ragflow/client';
import type { Generation } from '../ragflow/routes';
import type { ServerUrl } from '../ragflow/server-url';
import type { PastePlace } from '../settings/key-notes';

/** Steps of the key flow, named to the user while it runs. */
export type KeyFlowStep = 'connecting' | 'signing-in' | 'creating-account' | 'getting-key';

/**
 * Where a key came from: the session cache, the cached session token, a login, a new account,
 * or the session of the RAGFlow web app open in a tab.
 */
export type KeySource = 'cache' | 'session' | 'login' | 'register' | 'web-session' | 'api-key';

export interface AccountRef {
  /** Made from what the user typed (the background parses it again: a message is an edge). */
  serverUrl: ServerUrl;
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
  /** The server the key belongs to. */
  serverUrl: ServerUrl;
  email: string;
  source: KeySource;
  /**
   * The session is the RAGFlow web app's own (taken from its tab): logging it out on the server
   * would sign the web app out, so the popup does not offer that.
   */
  viaWebApp?: boolean;
  /** Signed in with an API key: nothing to log out on the server. */
  viaApiKey?: boolean;
}

/** "Use an API key": sign in with a key the user already has, with no password and no login. */
export interface ApiKeySignInRequest {
  serverUrl: ServerUrl;
  /** Never stored but as the account's sign-in, in storage.session, like a session token. */
  apiKey: string;
  flowId?: string;
}

export interface SignOutRequest {
  serverUrl: ServerUrl;
  /** Also invalidate the session on the server (RAGFlow's logout). Off by default. */
  alsoLogOutOfServer: boolean;
}

/** "Use my RAGFlow session": a key through the session of the web app open in a tab. */
export interface WebSessionKeyRequest {
  serverUrl: ServerUrl;
  /** The web-app tab the popup found; another tab of that server's web app if it is gone. */
  tabId?: number;
  flowId?: string;
}

/**
 * What the extension found out about a server: its route generation, whether it is the Go
 * server, its public config and its SSO channels, where known (remembered in storage.local).
 */
export interface ServerFacts extends DetectedServer {
  serverUrl: ServerUrl;
  /** The sign-in channels besides the password; undefined until asked. */
  channels?: LoginChannel[];
  detectedAt: number;
}

/** What the popup shows about a server: the web-session option and the password field follow it. */
export interface ServerStatus {
  /** Normalised. */
  serverUrl: string;
  /** A tab of the server's web app (for "Use my RAGFlow session"); null when none is open. */
  tabId: number | null;
  /** False only where the server said it takes no passwords. */
  passwordLoginAllowed: boolean;
  /** The server's SSO channels by name, where it takes no passwords. */
  channels: string[];
}

/**
 * What a page says of its RAGFlow server: found (its normalised URL); not RAGFlow (null); or not
 * asked, because the user has not chosen that host yet (`offerHost`, to name it in the offer).
 */
export type PageServer = { serverUrl: ServerUrl } | { offerHost: string } | null;

/** What "Test connection" found: the server as it is now, or why it could not be reached. */
export type ConnectionTestResult =
  | {
      ok: true;
      serverUrl: ServerUrl;
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
  /** The user's own name for the key, on this machine. */
  name?: string;
  /** Where the key was pasted, newest first (origins only); absent or empty when nowhere known. */
  places?: PastePlace[];
  /** An embed token of a chat or agent (see ApiKey.embed): revoking it stops that embed. */
  embed?: true;
}

/** After a revocation: whether it was the key the account signed in with, which signs it out. */
export interface RevokeResult {
  signedOut: boolean;
}

/** A rotation: the new key (now the pasting key), and whether the old one is gone. */
export interface RotateResult {
  key: ListedKey;
  currentKey: string;
  /** Where the old key was pasted: the places to update. */
  places: PastePlace[];
  oldRevoked: boolean;
  /** Why the old key is still valid, when it is. */
  error?: { messageKey: string; substitutions: string[] };
  /**
   * Asked to copy: what happened to the clipboard, before the old key was revoked. `failed` where
   * the background has no clipboard (the popup then copies the key itself).
   */
  copied?: ClipboardClearPlan | { status: 'failed' };
}

export interface RotateRequest extends KeyRef {
  /** Put the new key on the clipboard, before the old one is revoked. */
  copy?: boolean;
}

/** The account's keys, newest first, and the one "Paste RAGFlow key" uses (null: none). */
export interface KeyList {
  keys: ListedKey[];
  currentKey: string | null;
}

export interface KeyRef extends AccountRef {
  token: string;
}

/** Every message name of the bus: the keys of the background's handler map. */
export type MessageName = keyof BackgroundHandlers;
/** The request a message carries: its handler's first parameter. */
export type RequestOf<K extends MessageName> = Parameters<BackgroundHandlers[K]>[0];
/** What the background answers: its handler's result, awaited. */
export type ResponseOf<K extends MessageName> = Awaited<ReturnType<BackgroundHandlers[K]>>;

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
