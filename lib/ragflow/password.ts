// Order matters: see jsencrypt-seed-begin.ts. Keep these imports together and first.
import './jsencrypt-seed-begin';
// jsencrypt's own RSA, without its PEM and ASN.1 code: the key is read by ./public-key.ts
// (which checks it anyway), and JSEncrypt.encrypt is exactly hex2b64(RSAKey.encrypt(text)).
import { hex2b64 } from 'jsencrypt-jsbn/base64';
import { RSAKey } from 'jsencrypt-jsbn/rsa';
import './jsencrypt-seed-end';

import { passwordTooLong } from './errors';
import { utf8ByteLength } from './password-limit';
import { checkRsaPublicKey, MAX_PUBLIC_KEY_PEM_LENGTH } from './public-key';

/**
 * RAGFlow's default public key (conf/public.pem in RAGFlow's source; its web app ships the same
 * key inline). Servers with their own key pair need a per-server override.
 */
export const RAGFLOW_DEFAULT_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArq9XTUSeYr2+N1h3Afl/
z8Dse/2yD0ZGrKwx+EEEcdsBLca9Ynmx3nIB5obmLlSfmskLpBo0UACBmB5rEjBp
2Q2f3AG3Hjd4B+gNCG6BDaawuDlgANIhGnaTLrIqWrrcm4EMzJOnAOI1fgzJRsOO
UEfaS318Eq9OVO3apEyCCt0lOQK6PuksduOjVxtltDav+guVAA068NrPYmRNabVK
RNLJpL8w4D44sfth5RvZ3q9t+6RTArpEtc5sh5ChzvqPOzKGMXW83C95TxmXqpbK
6olN4RevSfVjEAgCydH6HN6OhtOQEcnrU97r9H0iZOWwbw3pVrZiUkuRD1R56Wzs
2wIDAQAB
-----END PUBLIC KEY-----`;

interface PreparedKey {
  encryptor: RSAKey;
  /** The longest password, in UTF-8 bytes, whose base64 fits PKCS#1 v1.5 (k - 11 bytes). */
  maxPasswordBytes: number;
}

const preparedKeys = new Map<string, PreparedKey>();
/**
 * The last keys refused, with why: the options page checks a draft again on Save and as its
 * fields are typed, and a key refused for its modulus cost a primality test the first time.
 */
const refusedKeys = new Map<string, unknown>();
const REFUSED_KEYS_KEPT = 8;

function checkOnce(publicKeyPem: string): ReturnType<typeof checkRsaPublicKey> {
  const refusal = refusedKeys.get(publicKeyPem);
  if (refusal !== undefined) throw refusal;
  try {
    return checkRsaPublicKey(publicKeyPem);
  } catch (error) {
    // A paste over the limit is refused unread, at no cost: not worth keeping megabytes for.
    if (publicKeyPem.length > MAX_PUBLIC_KEY_PEM_LENGTH) throw error;
    if (refusedKeys.size >= REFUSED_KEYS_KEPT) refusedKeys.delete(refusedKeys.keys().next().value!);
    refusedKeys.set(publicKeyPem, error);
    throw error;
  }
}

function prepareKey(publicKeyPem: string): PreparedKey {
  const cached = preparedKeys.get(publicKeyPem);
  if (cached) return cached;

  // RSA, e = 65537, 2048–4096 bits, read from the DER: jsencrypt would take far worse.
  const { modulus, exponent, modulusBytes } = checkOnce(publicKeyPem);
  const encryptor = new RSAKey();
  encryptor.setPublic(modulus.toString(16), exponent.toString(16));
  const maxPlaintextBytes = modulusBytes - 11;
  const prepared = { encryptor, maxPasswordBytes: Math.floor(maxPlaintextBytes / 4) * 3 };
  preparedKeys.set(publicKeyPem, prepared);
  return prepared;
}

/**
 * Reads RAGFlow's default key and these server keys now, ahead of need: the checks of
 * ./public-key.ts and jsencrypt's parse take about 20 ms per key in a fresh service worker, which
 * a sign-in should not wait for. A key that cannot be used is left for the sign-in to report.
 */
export function prepareKeys(publicKeyPems: readonly (string | undefined)[] = []): void {
  for (const publicKeyPem of [RAGFLOW_DEFAULT_PUBLIC_KEY, ...publicKeyPems]) {
    if (!publicKeyPem) continue;
    try {
      prepareKey(publicKeyPem);
    } catch {
      // Said when the key is used: at the sign-in, or on the options page.
    }
  }
}

/**
 * Checks a PEM public key a self-hoster pasted. Returns it trimmed, or throws
 * an `invalid-public-key` error saying what is wrong.
 */
export function validatePublicKeyPem(publicKeyPem: string): string {
  prepareKey(publicKeyPem);
  return publicKeyPem.trim();
}

/** The longest password (UTF-8 bytes) that can be sent with this key: 183 for RSA-2048. */
export function maxPasswordBytes(publicKeyPem: string = RAGFLOW_DEFAULT_PUBLIC_KEY): number {
  return prepareKey(publicKeyPem).maxPasswordBytes;
}

/**
 * Throws a `password-too-long` error when the password cannot be encrypted with this key, so
 * that a flow can refuse it before its first request rather than at the login.
 */
export function assertPasswordFits(password: string, publicKeyPem: string = RAGFLOW_DEFAULT_PUBLIC_KEY): void {
  const maxBytes = prepareKey(publicKeyPem).maxPasswordBytes;
  if (utf8ByteLength(password) > maxBytes) throw passwordTooLong(maxBytes);
}

/**
 * Encrypts a password exactly as RAGFlow's web app does: base64 of its UTF-8 bytes, then RSA
 * with PKCS#1 v1.5 padding, returned as base64. The result is randomised but replayable: treat
 * it like the password itself (never store or log it).
 */
export function encryptPassword(password: string, publicKeyPem: string = RAGFLOW_DEFAULT_PUBLIC_KEY): string {
  assertPasswordFits(password, publicKeyPem);
  const { encryptor, maxPasswordBytes: maxBytes } = prepareKey(publicKeyPem);
  const bytes = new TextEncoder().encode(password);

  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  // jsencrypt answers null instead of throwing when the input does not fit (PKCS#1 v1.5: k - 11 bytes).
  const cipher: string | null = encryptor.encrypt(btoa(binary));
  if (cipher === null) throw passwordTooLong(maxBytes);
  return hex2b64(cipher);
}
