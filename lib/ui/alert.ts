/**
 * What the popup and the options page show in their alert region: one plain sentence, and the
 * fix it offers when there is one.
 */
import { isAppError } from '../errors';

/** The alert's sentence and arguments, and the fix it offers, if any. */
export interface AlertState {
  messageKey: string;
  substitutions: string[];
  /** Set when the fix is granting host access: the server the Grant access button is about. */
  grantServerUrl?: string;
  /**
   * Set when the fix is the server's own public key (it could not decrypt the password): the
   * server whose settings its button opens.
   */
  publicKeyServerUrl?: string;
  /** Set when the popup asks before sending over plain http: the server its button allows. */
  cleartextServerUrl?: string;
  /** The form field the sentence is about: it is said under that field, which is marked invalid. */
  field?: string;
}

export function alertOf(messageKey: string, substitutions: string[] = []): AlertState {
  return { messageKey, substitutions };
}

/** An alert about one field of a form. */
export function fieldAlertOf(field: string, alert: AlertState): AlertState {
  return { ...alert, field };
}

/**
 * The sentence for anything a flow threw. Only our typed errors have a sentence of their own;
 * anything else is a bug, and its text (a stack, `[object Object]`) is not for the user.
 */
export function alertFromError(error: unknown): AlertState {
  if (isAppError(error)) {
    return alertOf(error.messageKey, [...error.substitutions]);
  }
  return alertOf('errorUnexpected');
}
