/**
 * The errors the RAGFlow client raises, as factories of the one error type (../errors.ts): each
 * builds the substitutions and the detail for developers' logs its sentence needs. And the
 * mapping from RAGFlow's JSON envelope to an error kind. Kinds and sentences live in the table
 * there; nothing here is a class of its own, since code tells these errors apart by `kind`.
 */
import { AppError, type ReasonOf } from '../errors';

export type InvalidServerUrlReason = ReasonOf<'invalid-server-url'>;

/** Why a server's own public key was refused (./public-key.ts). */
export type InvalidPublicKeyReason = ReasonOf<'invalid-public-key'>;

export function invalidServerUrl(
  reason: InvalidServerUrlReason,
  /** The offending scheme, for `unsupported-scheme` and `browser-page`. */
  scheme?: string,
): AppError<'invalid-server-url'> {
  return new AppError('invalid-server-url', {
    reason,
    substitutions: scheme ? [scheme] : [],
    serverMessage: `Invalid server URL (${reason}${scheme ? `: ${scheme}` : ''})`,
  });
}

/** Refused, DNS failure, offline, reset: no HTTP answer at all. */
export function cannotConnect(serverUrl: string, cause?: unknown): AppError<'cannot-connect'> {
  return new AppError('cannot-connect', { substitutions: [serverUrl], serverMessage: describeCause(cause), cause });
}

export function timedOut(serverUrl: string, timeoutMs: number, cause?: unknown): AppError<'timeout'> {
  return new AppError('timeout', {
    substitutions: [serverUrl, String(Math.round(timeoutMs / 1000))],
    serverMessage: `No answer within ${timeoutMs} ms`,
    cause,
  });
}

/** An answer that is not RAGFlow's JSON API: the web app's index.html, another service, a 404. */
export function notRagflow(serverUrl: string, detail: string, status?: number): AppError<'not-ragflow'> {
  return new AppError('not-ragflow', { substitutions: [serverUrl], serverMessage: detail, status });
}

/**
 * An answer far larger than any of RAGFlow's (a few kilobytes), refused unread: a download, a
 * proxy's error page in a loop, or another service at this address.
 */
export function responseTooLarge(
  serverUrl: string,
  limitBytes: number,
  status?: number,
): AppError<'response-too-large'> {
  return new AppError('response-too-large', {
    substitutions: [serverUrl, String(Math.round(limitBytes / (1024 * 1024)))],
    serverMessage: `Answer larger than ${limitBytes} bytes`,
    status,
  });
}

/** HTTP 5xx, including a reverse proxy's HTML "502 Bad Gateway". */
export function serverError(status: number, serverMessage?: string, serverCode?: number): AppError<'server-error'> {
  return new AppError('server-error', {
    substitutions: [String(status)],
    status,
    serverCode,
    serverMessage: serverMessage ?? `HTTP ${status}`,
  });
}

/** HTTP 401 on a route that needs a session: the token was rotated, logged out or never valid. */
export function sessionExpired(serverMessage?: string): AppError<'session-expired'> {
  return new AppError('session-expired', { status: 401, serverMessage });
}

/** Login or register said yes but no `Authorization` header came back (a proxy can strip it). */
export function missingSessionToken(): AppError<'missing-session-token'> {
  return new AppError('missing-session-token', { serverMessage: 'Success without an Authorization header' });
}

/** RSA-2048 with PKCS#1 v1.5 takes at most 245 bytes: base64 of at most 183 UTF-8 bytes. */
export function passwordTooLong(maxBytes: number): AppError<'password-too-long'> {
  return new AppError('password-too-long', {
    substitutions: [String(maxBytes)],
    serverMessage: `Password longer than ${maxBytes} UTF-8 bytes`,
  });
}

/**
 * The server sent as an API key something that is not RAGFlow's form (`ragflow-` and url-safe
 * base64: docs/ragflow-releases.md, "API key objects"). Such a "key" is never shown, copied or
 * pasted: the copy formats put it into shell and Python code, where a hostile server (or anyone
 * on the path to a plain-http one) could have planted commands.
 */
export function invalidApiKey(serverUrl: string): AppError<'invalid-api-key'> {
  return new AppError('invalid-api-key', {
    substitutions: [serverUrl],
    serverMessage: 'API key not in RAGFlow form',
  });
}

/**
 * The server answered with a redirect, which the client never follows: a 307 or 308 would replay
 * the request, password ciphertext or session token included, to an origin the user never chose.
 * A browser hides the target of a redirect it did not follow; where it is known, it is named.
 */
export function redirectRefused(
  serverUrl: string,
  targetOrigin: string | undefined,
  status?: number,
): AppError<'redirect-refused'> {
  return new AppError('redirect-refused', {
    reason: targetOrigin === undefined ? 'target-hidden' : 'target-named',
    substitutions: targetOrigin === undefined ? [serverUrl] : [serverUrl, targetOrigin],
    serverMessage: `Redirect${targetOrigin === undefined ? '' : ` to ${targetOrigin}`} refused`,
    status,
  });
}

export function invalidPublicKey(
  reason: InvalidPublicKeyReason,
  substitutions: string[] = [],
): AppError<'invalid-public-key'> {
  return new AppError('invalid-public-key', {
    reason,
    substitutions,
    serverMessage: `Public key refused (${reason}${substitutions.length > 0 ? `: ${substitutions.join(', ')}` : ''})`,
  });
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
    return `${cause.message}${inner}`;
  }
  return 'Network error';
}

/**
 * Maps a non-zero `code` of RAGFlow's envelope to its error kind. RAGFlow answers business
 * errors with HTTP 200 and reuses codes across situations (109 is both "unknown email" and
 * "wrong password"), so the message text decides within a code. The Go server words the same
 * errors in lower case without "!" and reports request validation as code 400
 * (docs/ragflow-releases.md, "Go server: validation"): the text is compared in lower case, and the phrases
 * are the ones both servers share.
 */
export function errorFromEnvelope(serverCode: number, serverMessage: string, status: number): AppError {
  const said = { serverCode, serverMessage };
  const text = serverMessage.toLowerCase();
  if (serverCode === 401) return sessionExpired(serverMessage);
  // The Go server refuses API-key routes to a superuser (HTTP 403, "Super user shouldn't access
  // the URL"): administrators cannot have API keys there (docs/ragflow-releases.md, "Go server:
  // superuser").
  if (status === 403 && text.includes('super user')) return new AppError('superuser-not-allowed', { ...said, status });
  if (text.includes('password login') && text.includes('disabled'))
    return new AppError('password-login-disabled', said);
  if (text.includes('is not registered')) return new AppError('email-not-registered', said);
  if (text.includes('do not match')) return new AppError('wrong-password', said);
  // The server could not decrypt the password: its key pair is not the public key we used.
  if (text.includes('crypt password')) return new AppError('password-not-decryptable', said);
  // Python's registration decrypts outside its try: a password encrypted with another key makes
  // `decrypt` return its sentinel string, whose `.decode` fails; about once in 10,000 the padding
  // looks right and the bytes fail UTF-8 instead; a key of another size gives a ciphertext of the
  // wrong length (docs/ragflow-releases.md, "Undecryptable passwords").
  if (serverCode === 100 && /decode|ciphertext/.test(text)) return new AppError('password-not-decryptable', said);
  if (serverCode === 403 && text.includes('disabled')) return new AppError('account-disabled', said);
  if (text.includes('registration is disabled')) return new AppError('registration-disabled', said);
  if (serverCode === 103 && text.includes('invalid email')) return new AppError('invalid-email', said);
  // The Go server's request validation, before RAGFlow's own email check.
  if (serverCode === 400 && text.includes("field validation for 'email'")) return new AppError('invalid-email', said);
  if (text.includes('already registered')) return new AppError('email-already-registered', said);
  // Any other business error: RAGFlow's own code and message are kept and shown.
  return new AppError('ragflow-error', {
    substitutions: [serverMessage || `code ${serverCode}`],
    ...said,
    status,
  });
}
