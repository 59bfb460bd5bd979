/**
 * The one error type of the extension, and the one table that says which sentence tells each
 * kind of error to the user. Code tells errors apart by `kind`; the UI shows `messageKey`.
 *
 * Imports nothing: the RAGFlow client (lib/ragflow, plain TypeScript) raises these errors as well
 * as the extension does, and the popup reads them without pulling in the client.
 */

/**
 * Each kind with its message key in `public/_locales/<lang>/messages.json`. Where one kind has
 * several sentences, they are keyed by the error's `reason`, and `default` is the one said when
 * no reason is given: the kind stays what code switches on, the reason only picks the words
 * (for instance the Go server's session expiry, which a plain "your session expired" would not
 * explain).
 */
export const ERROR_MESSAGES = {
  // The server address as typed or imported (lib/ragflow/server-url.ts).
  'invalid-server-url': {
    empty: 'errorUrlEmpty',
    'too-long': 'errorUrlTooLong',
    malformed: 'errorUrlMalformed',
    javascript: 'errorUrlJavascript',
    file: 'errorUrlFile',
    data: 'errorUrlData',
    'browser-page': 'errorUrlBrowserPage',
    'unsupported-scheme': 'errorUrlUnsupportedScheme',
    credentials: 'errorUrlCredentials',
  },

  // The way to the server and what answers there.
  'cannot-connect': 'errorCannotConnect',
  timeout: 'errorTimeout',
  'not-ragflow': {
    default: 'errorNotRagflow',
    // A legacy server with its SDK switched off answers the key check without checking.
    'key-check-off': 'errorKeyCheckOff',
  },
  'response-too-large': 'errorResponseTooLarge',
  'server-error': 'errorServer',
  'redirect-refused': {
    'target-named': 'errorRedirect',
    // A browser hides the target of a redirect it did not follow.
    'target-hidden': 'errorRedirectHidden',
  },
  'invalid-api-key': 'errorInvalidApiKey',
  'invalid-public-key': {
    unreadable: 'errorInvalidPublicKey',
    'pem-too-long': 'errorPublicKeyTooLong',
    'not-rsa': 'errorPublicKeyNotRsa',
    exponent: 'errorPublicKeyExponent',
    size: 'errorPublicKeySize',
    modulus: 'errorPublicKeyModulus',
  },

  // Sessions and accounts, as RAGFlow answers about them.
  'session-expired': {
    default: 'errorSessionExpired',
    // The Go server ends every session after 24 hours, where Python's never end.
    go: 'errorSessionExpiredGo',
  },
  'missing-session-token': 'errorMissingSessionToken',
  'email-not-registered': 'errorEmailNotRegistered',
  'wrong-password': {
    default: 'errorWrongPassword',
    // The Go server takes a password it cannot decrypt as typed: a wrong public key looks the same.
    'or-public-key': 'errorWrongPasswordOrKey',
  },
  'password-not-decryptable': 'errorPasswordNotDecryptable',
  'account-disabled': 'errorAccountDisabled',
  'registration-disabled': 'errorRegistrationDisabled',
  'email-already-registered': 'errorEmailAlreadyRegistered',
  'invalid-email': 'errorInvalidEmail',
  'password-login-disabled': 'errorPasswordLoginDisabled',
  'password-too-long': 'errorPasswordTooLong',
  'superuser-not-allowed': 'errorSuperuserNotAllowed',
  // Any other business error: RAGFlow's own message is the substitution.
  'ragflow-error': 'errorRagflow',

  // The key flow (lib/keys).
  'email-required': 'errorEmailRequired',
  'password-required': 'errorPasswordRequired',
  'no-host-access': 'errorNoHostAccess',
  'key-not-listed': 'keysErrorNotListed',
  'key-not-revoked': 'keysErrorNotRevoked',
  'session-rejected': 'errorSessionRejected',
  // "Use an API key" (lib/keys/key-service.ts).
  'api-key-sign-in': {
    // Not `ragflow-` and url-safe base64: nothing was sent.
    malformed: 'apiKeySignInMalformed',
    // The server's key check does not know the key either.
    'unknown-key': 'apiKeySignInUnknown',
    // The key works on the SDK routes, but the key routes refuse it: a release before v0.24.
    unsupported: 'apiKeySignInUnsupported',
  },
  // The user cancelled a sign-in: its answer, if any, is dropped (the popup says nothing).
  cancelled: 'errorCancelled',

  // The web app's session (lib/web-session).
  'web-app-not-open': 'webSessionNoTab',
  'web-session-missing': 'webSessionMissing',

  // The message bus (lib/messaging).
  'background-stopped': 'errorBackgroundStopped',
  'malformed-answer': 'errorUnexpected',
  'forbidden-sender': 'errorForbiddenSender',
  'unknown-message': 'errorUnexpected',
  // Anything thrown that is not an AppError: a bug of ours, whose text is not for the user.
  unexpected: 'errorUnexpected',
} as const satisfies Record<string, string | Readonly<Record<string, string>>>;

type Messages = typeof ERROR_MESSAGES;

/** Every kind there is: a kind without a sentence in the table cannot be written. */
export type ErrorKind = keyof Messages;

/** The reasons that pick among a kind's sentences (`never` for a kind with one sentence). */
export type ReasonOf<K extends ErrorKind> = K extends ErrorKind
  ? Messages[K] extends string
    ? never
    : Exclude<keyof Messages[K], 'default'>
  : never;

/** A reason is required exactly where the kind has several sentences and none is the default. */
type ReasonField<K extends ErrorKind> = Messages[K] extends string
  ? { reason?: undefined }
  : 'default' extends keyof Messages[K]
    ? { reason?: ReasonOf<K> }
    : { reason: ReasonOf<K> };

export interface ErrorDetails {
  /** Values for `$1`, `$2`… in the sentence. */
  substitutions?: string[];
  /** The `code` of RAGFlow's JSON envelope, when the server answered with one. */
  serverCode?: number;
  /** The `message` of RAGFlow's JSON envelope, or a detail for developers' logs. */
  serverMessage?: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  cause?: unknown;
}

type DetailsArg<K extends ErrorKind> =
  ReasonField<K> extends { reason: unknown }
    ? [details: ErrorDetails & ReasonField<K>]
    : [details?: ErrorDetails & ReasonField<K>];

export class AppError<K extends ErrorKind = ErrorKind> extends Error {
  readonly kind: K;
  readonly reason?: ReasonOf<K>;
  /** Key of the user-facing sentence, from {@link ERROR_MESSAGES}. */
  readonly messageKey: string;
  readonly substitutions: string[];
  readonly serverCode?: number;
  readonly serverMessage?: string;
  readonly status?: number;

  constructor(kind: K, ...[details]: DetailsArg<K>) {
    const {
      reason,
      substitutions = [],
      serverCode,
      serverMessage,
      status,
      cause,
    } = (details ?? {}) as ErrorDetails & {
      reason?: ReasonOf<K>;
    };
    // The technical message is for developers' logs; the UI shows `messageKey` instead.
    super(serverMessage ?? kind, { cause });
    this.name = 'AppError';
    this.kind = kind;
    this.reason = reason;
    this.messageKey = messageKeyOf(kind, reason);
    this.substitutions = substitutions;
    this.serverCode = serverCode;
    this.serverMessage = serverMessage;
    this.status = status;
  }
}

/** The sentence of a kind, for a reason (an unknown reason falls back to the kind's default). */
export function messageKeyOf(kind: ErrorKind, reason?: string): string {
  const entry: string | Readonly<Record<string, string>> = ERROR_MESSAGES[kind];
  if (typeof entry === 'string') return entry;
  return entry[reason ?? 'default'] ?? entry.default ?? ERROR_MESSAGES.unexpected;
}

export function isErrorKind(kind: unknown): kind is ErrorKind {
  return typeof kind === 'string' && Object.hasOwn(ERROR_MESSAGES, kind);
}

/** Whether `error` is one of ours, and (given kinds) of one of those kinds. */
export function isAppError<K extends ErrorKind>(error: unknown, ...kinds: K[]): error is AppError<K> {
  return error instanceof AppError && (kinds.length === 0 || kinds.includes(error.kind as K));
}

/**
 * The same error told in another of its kind's sentences, one that knows which server said it.
 * Kind, substitutions and the server's answer stay.
 */
export function retold<K extends ErrorKind>(error: AppError<K>, reason: ReasonOf<K>): AppError<K> {
  const { substitutions, serverCode, serverMessage, status, cause } = error;
  const details = { reason, substitutions, serverCode, serverMessage, status, cause };
  const copy = new AppError(error.kind, ...([details] as unknown as DetailsArg<K>));
  copy.stack = error.stack;
  return copy;
}
