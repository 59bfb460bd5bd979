/**
 * Errors of the key flow that are not RAGFlow's: missing input, missing permission. Kinds of the
 * one error type (../errors.ts), so the bus carries them like the client's.
 */
import { AppError } from '../errors';

export const emailRequired = () => new AppError('email-required');

/** No cached session and no password: the user has to sign in. */
export const passwordRequired = () => new AppError('password-required');

/** The browser has not granted access to this server's origin (optional host permission). */
export const noHostAccess = (host: string) => new AppError('no-host-access', { substitutions: [host] });

/** A key to use for paste that is not among the account's keys as last listed. */
export const keyNotListed = () => new AppError('key-not-listed');

/**
 * RAGFlow said the key was deleted, but it is still listed, and still works: a user who belongs
 * to several teams meets this (docs/ragflow-releases.md, "Deleting a key of a user invited to
 * another team").
 */
export const keyNotRevoked = () => new AppError('key-not-revoked');

/**
 * HTTP 401 with the token a sign-in gave moments ago. Not "your session expired": the user just
 * signed in. Another sign-in in between rotated it, or something between the extension and RAGFlow
 * (a proxy, several API servers with different secrets) does not let it through.
 */
export const sessionRejected = () => new AppError('session-rejected');

/** The user cancelled the flow: whatever it had cached is gone again. */
export const flowCancelled = () => new AppError('cancelled');
