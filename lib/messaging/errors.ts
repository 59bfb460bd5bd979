import { AppError, type ErrorKind, isAppError, isErrorKind } from '../errors';
import type { ErrorData } from './protocol';

/**
 * An error that came back over the message bus, as the error it was in the background: the same
 * kind and reason, hence the same sentence, so that the UI can say it.
 */
export function errorFromData(data: ErrorData): AppError {
  const { serverMessage } = data;
  // Our own background sent it; a kind we do not know can only be a bug (or not our background).
  if (!isErrorKind(data.kind)) return new AppError('unexpected', { serverMessage });
  // The reason arrives as a plain string: the table falls back to the kind's default for one it lacks.
  const details = { reason: data.reason as never, substitutions: data.substitutions, serverMessage };
  return new AppError<ErrorKind>(data.kind, details);
}

/**
 * A request reached no background that answered it: the browser stopped the service worker
 * while it worked (Chrome stops idle workers, and so can DevTools), or before it could start.
 * Chrome then rejects the call ("the message channel closed before a response was received");
 * webextension-polyfill turns "The message port closed before a response was received" into an
 * answer of `undefined` instead. Trying again starts a new worker, which carries on from
 * storage.session.
 */
export const backgroundStopped = (detail: string) => new AppError('background-stopped', { serverMessage: detail });

/** Turns anything thrown in the background into data the bus can carry. */
export function toErrorData(error: unknown): ErrorData {
  if (isAppError(error)) {
    return {
      kind: error.kind,
      ...(error.reason !== undefined && { reason: error.reason }),
      messageKey: error.messageKey,
      substitutions: error.substitutions,
      serverMessage: error.serverMessage,
    };
  }
  // Anything else is a bug of ours: say so plainly, keep the detail for the developer.
  return {
    kind: 'unexpected',
    messageKey: 'errorUnexpected',
    substitutions: [],
    serverMessage: error instanceof Error ? error.message : String(error),
  };
}
