import { describe, expect, it } from 'vitest';

import type { ErrorKind } from '@/lib/errors';
import { errorFromEnvelope } from '@/lib/ragflow/errors';

// Every account error of docs/ragflow-api.md ("Envelope and errors"), as the server words it.
const ROWS: [number, string, ErrorKind][] = [
  [109, 'Unauthorized!', 'ragflow-error'],
  [101, 'required argument are missing: nickname; ', 'ragflow-error'],
  [109, 'Email: a@b.co is not registered!', 'email-not-registered'],
  [109, 'Email and password do not match!', 'wrong-password'],
  [500, 'Fail to crypt password', 'password-not-decryptable'],
  // Registration on Python with a password encrypted under another key: the catch-all handler's
  // repr() of what decrypt raised, for each way it fails.
  [100, "AttributeError(\"'str' object has no attribute 'decode'\")", 'password-not-decryptable'],
  [100, "UnicodeDecodeError('utf-8', b'\\x9c\\x11', 0, 1, 'invalid start byte')", 'password-not-decryptable'],
  [100, "ValueError('Ciphertext with incorrect length.')", 'password-not-decryptable'],
  [100, "KeyError('nickname')", 'ragflow-error'],
  [403, 'This account has been disabled, please contact the administrator!', 'account-disabled'],
  [103, 'User registration is disabled!', 'registration-disabled'],
  [103, 'Invalid email address: nope!', 'invalid-email'],
  [103, 'Email: a@b.co has already registered!', 'email-already-registered'],
  [101, 'Nickname cannot be empty.', 'ragflow-error'],
  [401, "<Unauthorized '401: Unauthorized'>", 'session-expired'],
  [109, 'Password login is disabled on this server.', 'password-login-disabled'],
  [102, 'Something RAGFlow added later', 'ragflow-error'],
];

describe('errorFromEnvelope', () => {
  it.each(ROWS)('maps code %i %j to %s, keeping what the server said', (code, message, kind) => {
    const error = errorFromEnvelope(code, message, 200);
    expect(error.kind).toBe(kind);
    expect(error.serverMessage).toBe(message);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).not.toBe('Error');
  });

  it("shows RAGFlow's own message for errors it has no sentence of ours for", () => {
    const error = errorFromEnvelope(102, 'Something RAGFlow added later', 200);
    expect(error.messageKey).toBe('errorRagflow');
    expect(error.substitutions).toEqual(['Something RAGFlow added later']);
    expect(error.serverCode).toBe(102);
  });
});
