/**
 * The popup's checks that need no request: what the user typed, turned into an account to ask
 * the background about, or into the sentence that says what to fix.
 */
import { BusError } from '../messaging/errors';
import { isRagflowError } from '../ragflow/errors';
import { normalizeServerUrl, originPattern } from '../ragflow/server-url';
import { findServer, type ServerSettings } from '../settings/schema';

/** One plain sentence for the alert region, plus the fix it offers when there is one. */
export interface AlertState {
  messageKey: string;
  substitutions: string[];
  /** Set when the fix is granting host access: the server the Grant access button is about. */
  grantServerUrl?: string;
}

export function alertOf(messageKey: string, substitutions: string[] = []): AlertState {
  return { messageKey, substitutions };
}

/**
 * The sentence for anything a flow threw. Only our typed errors have a sentence of their own;
 * anything else is a bug, and its text (a stack, `[object Object]`) is not for the user.
 */
export function alertFromError(error: unknown): AlertState {
  if (error instanceof BusError || isRagflowError(error)) {
    return alertOf(error.messageKey, [...error.substitutions]);
  }
  return alertOf('errorUnexpected');
}

/** The server and account a request is about, as the background and the browser want them. */
export interface Account {
  /** Normalised: `localhost:9380` → `http://localhost:9380`. */
  serverUrl: string;
  email: string;
  /** The host permission this server needs, e.g. `https://rag.example.com/*`. */
  originPattern: string;
  /** The host to name in sentences about access. */
  host: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; alert: AlertState };

export function checkAccount(input: { serverUrl: string; email: string }): Checked<Account> {
  let serverUrl: string;
  try {
    serverUrl = normalizeServerUrl(input.serverUrl);
  } catch (error) {
    return { ok: false, alert: alertFromError(error) };
  }
  const email = input.email.trim();
  if (email === '') return { ok: false, alert: alertOf('errorEmailRequired') };
  const pattern = originPattern(serverUrl);
  return { ok: true, value: { serverUrl, email, originPattern: pattern, host: new URL(serverUrl).hostname } };
}

/** The alert for a server the browser has not let us talk to yet, with its Grant access button. */
export function noHostAccessAlert(account: Account): AlertState {
  return { ...alertOf('errorNoHostAccess', [account.host]), grantServerUrl: account.serverUrl };
}

/** What a new account is called unless the user says otherwise: the email's local part. */
export function defaultNickname(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  return at > 0 ? trimmed.slice(0, at) : trimmed;
}

/** The saved server the URL field holds, for the picker; '' when it holds another one. */
export function selectedServerId(servers: readonly ServerSettings[], serverUrl: string): string {
  return findServer({ servers }, serverUrl)?.id ?? '';
}
