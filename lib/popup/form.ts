/**
 * The popup's checks that need no request: what the user typed, turned into an account to ask
 * the background about, or into the sentence that says what to fix.
 */
import { isAppError } from '../errors';
import { DEFAULT_MAX_PASSWORD_BYTES, utf8ByteLength } from '../ragflow/password-limit';
import { normalizeServerUrl, originPattern, type ServerUrl } from '../ragflow/server-url';
import { type AlertState, alertFromError, alertOf, fieldAlertOf } from '../ui/alert';

/** The server and account a request is about, as the background and the browser want them. */
export interface Account {
  /** Made from what was typed: `localhost:9380` → `http://localhost:9380`. */
  serverUrl: ServerUrl;
  email: string;
  /** The host permission this server needs, e.g. `https://rag.example.com/*`. */
  originPattern: string;
  /** The host to name in sentences about access. */
  host: string;
}

/** RAGFlow keeps emails in a VARCHAR(255) column (`user.email`): no account has a longer one. */
export const MAX_EMAIL_LENGTH = 255;

/**
 * RAGFlow's registration names the new account's tenant `nickname + "‘s Kingdom"` (10 more
 * characters) in a VARCHAR(100) column (`tenant.name`, `user_register` in its user routes): a
 * longer nickname fails there with a database error, after the request.
 */
export const MAX_NICKNAME_LENGTH = 90;

/**
 * Something, one @, something; no spaces. Deliberately looser than RAGFlow's registration pattern
 * (`^[\w._-]+@([\w_-]+\.)+[\w-]{2,}$`, Unicode-aware in Python), which its login does not apply:
 * accounts made through SSO or by an administrator may not match it, and still sign in.
 */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/u;

/** Characters as a database counts them: code points, not UTF-16 units. */
function characterCount(text: string): number {
  return [...text].length;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; alert: AlertState };

/** The server alone: for a sign-in that needs no email (an API key says whose it is). */
export function checkServer(input: string): Checked<Omit<Account, 'email'>> {
  let serverUrl: ServerUrl;
  try {
    serverUrl = normalizeServerUrl(input);
  } catch (error) {
    return { ok: false, alert: fieldAlertOf('serverUrl', alertFromError(error)) };
  }
  return { ok: true, value: { serverUrl, originPattern: originPattern(serverUrl), host: new URL(serverUrl).hostname } };
}

export function checkAccount(input: { serverUrl: string; email: string }): Checked<Account> {
  const server = checkServer(input.serverUrl);
  if (!server.ok) return server;
  const email = input.email.trim();
  const emailAlert = (messageKey: string, substitutions?: string[]): Checked<Account> => ({
    ok: false,
    alert: fieldAlertOf('email', alertOf(messageKey, substitutions)),
  });
  if (email === '') return emailAlert('errorEmailRequired');
  if (characterCount(email) > MAX_EMAIL_LENGTH) return emailAlert('errorEmailTooLong', [String(MAX_EMAIL_LENGTH)]);
  if (!EMAIL_SHAPE.test(email)) return emailAlert('errorEmailMalformed');
  return { ok: true, value: { ...server.value, email } };
}

/** The alert for a server the browser has not let us talk to yet, with its Grant access button. */
export function noHostAccessAlert(account: Pick<Account, 'host' | 'serverUrl'>): AlertState {
  return { ...alertOf('errorNoHostAccess', [account.host]), grantServerUrl: account.serverUrl };
}

/** A sign-in's error as the popup says it: no access comes with the button that grants it. */
export function alertOfSignInError(error: unknown, serverUrl: ServerUrl): AlertState {
  const alert = alertFromError(error);
  return isAppError(error, 'no-host-access') ? { ...alert, grantServerUrl: serverUrl } : alert;
}

/**
 * A password RAGFlow's default key cannot carry, said before anything is sent. A server with its
 * own key (`publicKeyPem`) may take more or fewer bytes: the background checks those, also before
 * any request.
 */
export function checkPassword(password: string, serverHasOwnKey: boolean): AlertState | null {
  if (serverHasOwnKey || utf8ByteLength(password) <= DEFAULT_MAX_PASSWORD_BYTES) return null;
  return fieldAlertOf('password', alertOf('errorPasswordTooLong', [String(DEFAULT_MAX_PASSWORD_BYTES)]));
}

/** The nickname a new account is registered with: what was typed, else the default. */
export function checkNickname(typed: string, email: string): Checked<string> {
  const nickname = typed.trim() || defaultNickname(email);
  if (characterCount(nickname) > MAX_NICKNAME_LENGTH) {
    return {
      ok: false,
      alert: fieldAlertOf('nickname', alertOf('errorNicknameTooLong', [String(MAX_NICKNAME_LENGTH)])),
    };
  }
  return { ok: true, value: nickname };
}

/** What a new account is called unless the user says otherwise: the email's local part. */
export function defaultNickname(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  const local = at > 0 ? trimmed.slice(0, at) : trimmed;
  // A long local part is still a valid email; the nickname made from it must still register.
  return [...local].slice(0, MAX_NICKNAME_LENGTH).join('');
}

/**
 * The field a key flow's error is about, so that it is said under that field; undefined for an
 * error about neither one field nor another (a timeout, a server error, access).
 */
export function fieldOfError(kind: string | undefined): 'serverUrl' | 'email' | 'password' | undefined {
  switch (kind) {
    case 'invalid-server-url':
    case 'cannot-connect':
    case 'not-ragflow':
      return 'serverUrl';
    case 'email-required':
    case 'email-not-registered':
    case 'invalid-email':
      return 'email';
    case 'wrong-password':
    case 'password-required':
    case 'password-too-long':
      return 'password';
    default:
      return undefined;
  }
}
