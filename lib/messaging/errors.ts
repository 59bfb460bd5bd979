import type { ErrorData } from './protocol';

/**
 * An error that came back over the message bus. It keeps the kind and message key of the
 * background's typed error, so that the UI can say the right sentence.
 */
export class BusError extends Error {
  readonly kind: string;
  readonly messageKey: string;
  readonly substitutions: string[];
  readonly serverMessage?: string;

  constructor(data: ErrorData) {
    super(data.serverMessage ?? data.kind);
    this.name = 'BusError';
    this.kind = data.kind;
    this.messageKey = data.messageKey;
    this.substitutions = data.substitutions;
    this.serverMessage = data.serverMessage;
  }
}

/**
 * A request reached no background that answered it: the browser stopped the service worker
 * while it worked (Chrome stops idle workers, and so can DevTools), or before it could start.
 * Chrome then rejects the call ("the message channel closed before a response was received");
 * webextension-polyfill turns "The message port closed before a response was received" into an
 * answer of `undefined` instead. Trying again starts a new worker, which carries on from
 * storage.session.
 */
export class BackgroundStoppedError extends BusError {
  constructor(detail: string) {
    super({
      kind: 'background-stopped',
      messageKey: 'errorBackgroundStopped',
      substitutions: [],
      serverMessage: detail,
    });
    this.name = 'BackgroundStoppedError';
  }
}

/** Errors of the bus itself, with their own kinds and messages. */
export class ForbiddenSenderError extends Error {
  readonly kind = 'forbidden-sender';
  readonly messageKey = 'errorForbiddenSender';
}

export class UnknownMessageError extends Error {
  readonly kind = 'unknown-message';
  readonly messageKey = 'errorUnexpected';
}

/** Turns anything thrown in the background into data the bus can carry. */
export function toErrorData(error: unknown): ErrorData {
  if (isTypedError(error)) {
    return {
      kind: error.kind,
      messageKey: error.messageKey,
      substitutions: error.substitutions ?? [],
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

/** The shape every error of ours has: RagflowError, KeyFlowError, BusError and the bus's own. */
interface TypedError {
  kind: string;
  messageKey: string;
  substitutions?: string[];
  serverMessage?: string;
}

function isTypedError(error: unknown): error is TypedError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as TypedError).kind === 'string' &&
    typeof (error as TypedError).messageKey === 'string'
  );
}
