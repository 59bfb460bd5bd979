/**
 * Errors of the key flow that are not RAGFlow's: missing input, missing permission. Same shape
 * as the client's errors (stable `kind`, `messageKey` for the UI), so the bus carries them alike.
 */
export class KeyFlowError extends Error {
  constructor(
    readonly kind:
      | 'email-required'
      | 'password-required'
      | 'no-host-access'
      | 'key-not-listed'
      | 'key-not-revoked'
      | 'session-rejected',
    readonly messageKey: string,
    readonly substitutions: string[] = [],
  ) {
    super(kind);
    this.name = 'KeyFlowError';
  }
}

export const emailRequired = () => new KeyFlowError('email-required', 'errorEmailRequired');

/** No cached session and no password: the user has to sign in. */
export const passwordRequired = () => new KeyFlowError('password-required', 'errorPasswordRequired');

/** The browser has not granted access to this server's origin (optional host permission). */
export const noHostAccess = (host: string) => new KeyFlowError('no-host-access', 'errorNoHostAccess', [host]);

/** A key to use for paste that is not among the account's keys as last listed. */
export const keyNotListed = () => new KeyFlowError('key-not-listed', 'keysErrorNotListed');

/**
 * RAGFlow said the key was deleted, but it is still listed, and still works: a user who belongs
 * to several teams meets this (docs/ragflow-releases.md, "Deleting a key of a user invited to
 * another team").
 */
export const keyNotRevoked = () => new KeyFlowError('key-not-revoked', 'keysErrorNotRevoked');

/**
 * HTTP 401 with the token a sign-in gave moments ago. Not "your session expired": the user just
 * signed in. Another sign-in in between rotated it, or something between the extension and RAGFlow
 * (a proxy, several API servers with different secrets) does not let it through.
 */
export const sessionRejected = () => new KeyFlowError('session-rejected', 'errorSessionRejected');
