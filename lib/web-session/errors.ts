/**
 * Errors of the web-session option, the same shape as the other typed errors (a stable `kind`,
 * a `messageKey` for the UI), so the message bus carries them alike.
 */
export class WebSessionError extends Error {
  constructor(
    readonly kind: 'web-app-not-open' | 'web-session-missing',
    readonly messageKey: string,
    readonly substitutions: string[] = [],
  ) {
    super(kind);
    this.name = 'WebSessionError';
  }
}

/** No tab of that server's web app is open (or it closed, or navigated away). */
export const webAppNotOpen = (serverUrl: string) =>
  new WebSessionError('web-app-not-open', 'webSessionNoTab', [serverUrl]);

/** The web app holds no session, or one the server no longer accepts (expired, signed out). */
export const webSessionMissing = () => new WebSessionError('web-session-missing', 'webSessionMissing');
