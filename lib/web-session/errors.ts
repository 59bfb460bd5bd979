/** Errors of the web-session option: kinds of the one error type (../errors.ts), as the bus carries them. */
import { AppError } from '../errors';

/** No tab of that server's web app is open (or it closed, or navigated away). */
export const webAppNotOpen = (serverUrl: string) => new AppError('web-app-not-open', { substitutions: [serverUrl] });

/** The web app holds no session, or one the server no longer accepts (expired, signed out). */
export const webSessionMissing = () => new AppError('web-session-missing');
