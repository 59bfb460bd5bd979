/**
 * Typed errors of the RAGFlow client, one class for each situation a user must act on
 * differently (modelled on ky's HTTPError/TimeoutError).
 *
 * Every error carries:
 * - `kind`: a stable identifier the UI and the message bus switch on;
 * - `messageKey` and `substitutions`: the user-facing sentence, looked up in `_locales`;
 * - where the server said something, its own `serverCode` and `serverMessage`.
 */

export type RagflowErrorKind =
  | 'invalid-server-url'
  | 'cannot-connect'
  | 'timeout'
  | 'not-ragflow'
  | 'response-too-large'
  | 'server-error'
  | 'session-expired'
  | 'missing-session-token'
  | 'email-not-registered'
  | 'wrong-password'
  | 'password-not-decryptable'
  | 'account-disabled'
  | 'registration-disabled'
  | 'email-already-registered'
  | 'invalid-email'
  | 'password-login-disabled'
  | 'password-too-long'
  | 'invalid-public-key'
  | 'superuser-not-allowed'
  | 'invalid-api-key'
  | 'redirect-refused'
  | 'ragflow-error';

export interface RagflowErrorDetails {
  /** Key of the user-facing sentence in `public/_locales/<lang>/messages.json`. */
  messageKey: string;
  /** Values for `$1`, `$2`… in that sentence. */
  substitutions?: string[];
  /** The `code` of RAGFlow's JSON envelope, when the server answered with one. */
  serverCode?: number;
  /** The `message` of RAGFlow's JSON envelope, or a transport detail. */
  serverMessage?: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  cause?: unknown;
}

export abstract class RagflowError extends Error {
  abstract readonly kind: RagflowErrorKind;
  readonly messageKey: string;
  readonly substitutions: string[];
  readonly serverCode?: number;
  readonly serverMessage?: string;
  readonly status?: number;

  constructor(details: RagflowErrorDetails) {
    // The technical message is for developers' logs; the UI shows `messageKey` instead.
    super(details.serverMessage ?? details.messageKey, { cause: details.cause });
    this.name = new.target.name;
    this.messageKey = details.messageKey;
    this.substitutions = details.substitutions ?? [];
    this.serverCode = details.serverCode;
    this.serverMessage = details.serverMessage;
    this.status = details.status;
  }
}

export type InvalidServerUrlReason =
  | 'empty'
  | 'too-long'
  | 'malformed'
  | 'javascript'
  | 'file'
  | 'data'
  | 'browser-page'
  | 'unsupported-scheme'
  | 'credentials';

const invalidUrlMessageKeys: Record<InvalidServerUrlReason, string> = {
  empty: 'errorUrlEmpty',
  'too-long': 'errorUrlTooLong',
  malformed: 'errorUrlMalformed',
  javascript: 'errorUrlJavascript',
  file: 'errorUrlFile',
  data: 'errorUrlData',
  'browser-page': 'errorUrlBrowserPage',
  'unsupported-scheme': 'errorUrlUnsupportedScheme',
  credentials: 'errorUrlCredentials',
};

export class InvalidServerUrlError extends RagflowError {
  readonly kind = 'invalid-server-url';
  constructor(
    readonly reason: InvalidServerUrlReason,
    /** The offending scheme, for `unsupported-scheme` and `browser-page`. */
    scheme?: string,
  ) {
    super({
      messageKey: invalidUrlMessageKeys[reason],
      substitutions: scheme ? [scheme] : [],
      serverMessage: `Invalid server URL (${reason}${scheme ? `: ${scheme}` : ''})`,
    });
  }
}

/** Refused, DNS failure, offline, reset: no HTTP answer at all. */
export class CannotConnectError extends RagflowError {
  readonly kind = 'cannot-connect';
  constructor(serverUrl: string, cause?: unknown) {
    super({ messageKey: 'errorCannotConnect', substitutions: [serverUrl], serverMessage: describeCause(cause), cause });
  }
}

export class TimeoutError extends RagflowError {
  readonly kind = 'timeout';
  constructor(serverUrl: string, timeoutMs: number, cause?: unknown) {
    super({
      messageKey: 'errorTimeout',
      substitutions: [serverUrl, String(Math.round(timeoutMs / 1000))],
      serverMessage: `No answer within ${timeoutMs} ms`,
      cause,
    });
  }
}

/** An answer that is not RAGFlow's JSON API: the web app's index.html, another service, a 404. */
export class NotRagflowError extends RagflowError {
  readonly kind = 'not-ragflow';
  constructor(serverUrl: string, detail: string, status?: number) {
    super({ messageKey: 'errorNotRagflow', substitutions: [serverUrl], serverMessage: detail, status });
  }
}

/**
 * An answer far larger than any of RAGFlow's (a few kilobytes), refused unread: a download, a
 * proxy's error page in a loop, or another service at this address.
 */
export class ResponseTooLargeError extends RagflowError {
  readonly kind = 'response-too-large';
  constructor(serverUrl: string, limitBytes: number, status?: number) {
    super({
      messageKey: 'errorResponseTooLarge',
      substitutions: [serverUrl, String(Math.round(limitBytes / (1024 * 1024)))],
      serverMessage: `Answer larger than ${limitBytes} bytes`,
      status,
    });
  }
}

/** HTTP 5xx, including a reverse proxy's HTML "502 Bad Gateway". */
export class ServerError extends RagflowError {
  readonly kind = 'server-error';
  constructor(status: number, serverMessage?: string, serverCode?: number) {
    super({
      messageKey: 'errorServer',
      substitutions: [String(status)],
      status,
      serverCode,
      serverMessage: serverMessage ?? `HTTP ${status}`,
    });
  }
}

/** HTTP 401 on a route that needs a session: the token was rotated, logged out or never valid. */
export class SessionExpiredError extends RagflowError {
  readonly kind = 'session-expired';
  constructor(serverMessage?: string) {
    super({ messageKey: 'errorSessionExpired', status: 401, serverMessage });
  }
}

/** Login or register said yes but no `Authorization` header came back (a proxy can strip it). */
export class MissingSessionTokenError extends RagflowError {
  readonly kind = 'missing-session-token';
  constructor() {
    super({ messageKey: 'errorMissingSessionToken', serverMessage: 'Success without an Authorization header' });
  }
}

interface ServerSaid {
  serverCode: number;
  serverMessage: string;
}

export class EmailNotRegisteredError extends RagflowError {
  readonly kind = 'email-not-registered';
  constructor(said: ServerSaid) {
    super({ messageKey: 'errorEmailNotRegistered', ...said });
  }
}

export class WrongPasswordError extends RagflowError {
  readonly kind = 'wrong-password';
  constructor(said: ServerSaid) {
    super({ messageKey: 'errorWrongPassword', ...said });
  }
}

/** The server could not decrypt the password: its key pair is not the public key we used. */
export class PasswordNotDecryptableError extends RagflowError {
  readonly kind = 'password-not-decryptable';
  constructor(said: ServerSaid) {
    super({ messageKey: 'errorPasswordNotDecryptable', ...said });
  }
}

export class AccountDisabledError extends RagflowError {
  readonly kind = 'account-disabled';
  constructor(said: ServerSaid) {
    super({ messageKey: 'errorAccountDisabled', ...said });
  }
}

export class RegistrationDisabledError extends RagflowError {
  readonly kind = 'registration-disabled';
  constructor(said: ServerSaid) {
    super({ messageKey: 'errorRegistrationDisabled', ...said });
  }
}

export class EmailAlreadyRegisteredError extends RagflowError {
  readonly kind = 'email-already-registered';
  constructor(said: ServerSaid) {
    super({ messageKey: 'errorEmailAlreadyRegistered', ...said });
  }
}

export class InvalidEmailError extends RagflowError {
  readonly kind = 'invalid-email';
  constructor(said: ServerSaid) {
    super({ messageKey: 'errorInvalidEmail', ...said });
  }
}

export class PasswordLoginDisabledError extends RagflowError {
  readonly kind = 'password-login-disabled';
  constructor(said: ServerSaid) {
    super({ messageKey: 'errorPasswordLoginDisabled', ...said });
  }
}

/** RSA-2048 with PKCS#1 v1.5 takes at most 245 bytes: base64 of at most 183 UTF-8 bytes. */
export class PasswordTooLongError extends RagflowError {
  readonly kind = 'password-too-long';
  constructor(readonly maxBytes: number) {
    super({
      messageKey: 'errorPasswordTooLong',
      substitutions: [String(maxBytes)],
      serverMessage: `Password longer than ${maxBytes} UTF-8 bytes`,
    });
  }
}

/**
 * The Go server refuses API-key routes to a superuser (HTTP 403, "Super user shouldn't access the
 * URL"): administrators cannot have API keys there (docs/ragflow-releases.md, "Go server: superuser").
 */
export class SuperuserNotAllowedError extends RagflowError {
  readonly kind = 'superuser-not-allowed';
  constructor(said: ServerSaid & { status?: number }) {
    super({ messageKey: 'errorSuperuserNotAllowed', ...said });
  }
}

/** Any other business error: RAGFlow's own code and message are kept and shown. */
export class RagflowApiError extends RagflowError {
  readonly kind = 'ragflow-error';
  constructor(said: ServerSaid & { status?: number }) {
    super({
      messageKey: 'errorRagflow',
      substitutions: [said.serverMessage || `code ${said.serverCode}`],
      ...said,
    });
  }
}

/**
 * The same error told in other words: a sentence that knows which server said it (the Go
 * server's 24-hour sessions, its silence about a wrong public key). Kind and server answer stay.
 */
export function retold<E extends RagflowError>(error: E, messageKey: string): E {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as E;
  Object.assign(copy, error, { messageKey, message: error.message, stack: error.stack });
  return copy;
}

export function isRagflowError(error: unknown): error is RagflowError {
  return error instanceof RagflowError;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
    return `${cause.message}${inner}`;
  }
  return 'Network error';
}

/**
 * Maps a non-zero `code` of RAGFlow's envelope to its error class. RAGFlow answers business
 * errors with HTTP 200 and reuses codes across situations (109 is both "unknown email" and
 * "wrong password"), so the message text decides within a code. The Go server words the same
 * errors in lower case without "!" and reports request validation as code 400
 * (docs/ragflow-releases.md, "Go server: validation"): the text is compared in lower case, and the phrases
 * are the ones both servers share.
 */
export function errorFromEnvelope(serverCode: number, serverMessage: string, status: number): RagflowError {
  const said = { serverCode, serverMessage };
  const text = serverMessage.toLowerCase();
  if (serverCode === 401) return new SessionExpiredError(serverMessage);
  if (status === 403 && text.includes('super user')) return new SuperuserNotAllowedError({ ...said, status });
  if (text.includes('password login') && text.includes('disabled')) return new PasswordLoginDisabledError(said);
  if (text.includes('is not registered')) return new EmailNotRegisteredError(said);
  if (text.includes('do not match')) return new WrongPasswordError(said);
  if (text.includes('crypt password')) return new PasswordNotDecryptableError(said);
  // Python's registration decrypts outside its try: a password encrypted with another key makes
  // `decrypt` return its sentinel string, whose `.decode` fails (docs/ragflow-releases.md,
  // "Undecryptable passwords").
  if (serverCode === 100 && text.includes('attributeerror') && text.includes('decode')) {
    return new PasswordNotDecryptableError(said);
  }
  if (serverCode === 403 && text.includes('disabled')) return new AccountDisabledError(said);
  if (text.includes('registration is disabled')) return new RegistrationDisabledError(said);
  if (serverCode === 103 && text.includes('invalid email')) return new InvalidEmailError(said);
  // The Go server's request validation, before RAGFlow's own email check.
  if (serverCode === 400 && text.includes("field validation for 'email'")) return new InvalidEmailError(said);
  if (text.includes('already registered')) return new EmailAlreadyRegisteredError(said);
  return new RagflowApiError({ ...said, status });
}
