/**
 * The errors of refusing what a server (or a pasted key) offers: an API key not in RAGFlow's
 * form, a redirect, an unsafe public key. Apart from errors.ts because only the background and
 * the options page raise them: the popup, which shares errors.ts, stays within its size budget
 * (tests/e2e/bundle.e2e.test.ts).
 */
import { RagflowError } from './errors';

/**
 * The server sent as an API key something that is not RAGFlow's form (`ragflow-` and url-safe
 * base64: docs/ragflow-releases.md, "API key objects"). Such a "key" is never shown, copied or
 * pasted: the copy formats put it into shell and Python code, where a hostile server (or anyone
 * on the path to a plain-http one) could have planted commands.
 */
export class InvalidApiKeyError extends RagflowError {
  readonly kind = 'invalid-api-key';
  constructor(serverUrl: string) {
    super({
      messageKey: 'errorInvalidApiKey',
      substitutions: [serverUrl],
      serverMessage: 'API key not in RAGFlow form',
    });
  }
}

/**
 * The server answered with a redirect, which the client never follows: a 307 or 308 would replay
 * the request, password ciphertext or session token included, to an origin the user never chose.
 * A browser hides the target of a redirect it did not follow; where it is known, it is named.
 */
export class RedirectRefusedError extends RagflowError {
  readonly kind = 'redirect-refused';
  constructor(serverUrl: string, targetOrigin: string | undefined, status?: number) {
    super({
      messageKey: targetOrigin === undefined ? 'errorRedirectHidden' : 'errorRedirect',
      substitutions: targetOrigin === undefined ? [serverUrl] : [serverUrl, targetOrigin],
      serverMessage: `Redirect${targetOrigin === undefined ? '' : ` to ${targetOrigin}`} refused`,
      status,
    });
  }
}

/** Why a server's own public key was refused (lib/ragflow/public-key.ts). */
export type InvalidPublicKeyReason = 'unreadable' | 'pem-too-long' | 'not-rsa' | 'exponent' | 'size' | 'modulus';

const invalidPublicKeyMessageKeys: Record<InvalidPublicKeyReason, string> = {
  unreadable: 'errorInvalidPublicKey',
  'pem-too-long': 'errorPublicKeyTooLong',
  'not-rsa': 'errorPublicKeyNotRsa',
  exponent: 'errorPublicKeyExponent',
  size: 'errorPublicKeySize',
  modulus: 'errorPublicKeyModulus',
};

export class InvalidPublicKeyError extends RagflowError {
  readonly kind = 'invalid-public-key';
  constructor(
    readonly reason: InvalidPublicKeyReason,
    substitutions: string[] = [],
  ) {
    super({
      messageKey: invalidPublicKeyMessageKeys[reason],
      substitutions,
      serverMessage: `Public key refused (${reason}${substitutions.length > 0 ? `: ${substitutions.join(', ')}` : ''})`,
    });
  }
}
