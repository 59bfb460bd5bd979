import { generateKeyPairSync } from 'node:crypto';

import forge from 'node-forge';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import type { AppError, ErrorKind } from '@/lib/errors';
import {
  assertPasswordFits,
  encryptPassword,
  maxPasswordBytes,
  prepareKeys,
  RAGFLOW_DEFAULT_PUBLIC_KEY,
  validatePublicKeyPem,
} from '@/lib/ragflow/password';
import { DEFAULT_MAX_PASSWORD_BYTES, utf8ByteLength } from '@/lib/ragflow/password-limit';
import { PRIME_MODULUS, pkcs1Pem, realModulus, spkiPem } from '../../support/rsa-keys';

/** Matches a thrown error of ours by its kind. */
const ofKind = (kind: ErrorKind) => expect.objectContaining({ kind });

let publicKeyPem: string;
let privateKey: forge.pki.rsa.PrivateKey;

beforeAll(() => {
  const pair = forge.pki.rsa.generateKeyPair({ bits: 2048, workers: -1 });
  publicKeyPem = forge.pki.publicKeyToPem(pair.publicKey);
  privateKey = pair.privateKey;
});

/** What RAGFlow's server does: RSA PKCS#1 v1.5 decrypt, then base64 → UTF-8. */
function serverSideDecrypt(cipherBase64: string): string {
  const b64 = privateKey.decrypt(forge.util.decode64(cipherBase64), 'RSAES-PKCS1-V1_5');
  return Buffer.from(b64, 'base64').toString('utf8');
}

describe('encryptPassword', () => {
  it.each(['123', 'pässwörd', '密码🔑', ' spaced out '])('round-trips %j through the server side', (password) => {
    const cipher = encryptPassword(password, publicKeyPem);
    expect(Buffer.from(cipher, 'base64')).toHaveLength(256);
    expect(serverSideDecrypt(cipher)).toBe(password);
  });

  it('is randomised: two ciphertexts of one password differ', () => {
    expect(encryptPassword('same', publicKeyPem)).not.toBe(encryptPassword('same', publicKeyPem));
  });

  it('takes 183 UTF-8 bytes and refuses 184 with a typed error, never sending `false`', () => {
    expect(maxPasswordBytes(publicKeyPem)).toBe(183);
    expect(maxPasswordBytes()).toBe(183);
    expect(serverSideDecrypt(encryptPassword('a'.repeat(183), publicKeyPem))).toBe('a'.repeat(183));
    expect(() => encryptPassword('a'.repeat(184), publicKeyPem)).toThrow(ofKind('password-too-long'));
    // 46 four-byte emoji are 184 bytes though only 92 UTF-16 units.
    const error = (() => {
      try {
        encryptPassword('🔑'.repeat(46));
      } catch (caught) {
        return caught as AppError;
      }
    })();
    expect(error?.kind).toBe('password-too-long');
    expect(error?.substitutions).toEqual(['183']);
    expect(() => encryptPassword('x'.repeat(10_000))).toThrow(ofKind('password-too-long'));
  });

  it('checks the limit without encrypting, and the popup knows the default limit without the RSA library', () => {
    expect(DEFAULT_MAX_PASSWORD_BYTES).toBe(maxPasswordBytes());
    expect(() => assertPasswordFits('🔑'.repeat(45), publicKeyPem)).not.toThrow();
    expect(() => assertPasswordFits('🔑'.repeat(46), publicKeyPem)).toThrow(ofKind('password-too-long'));
    expect(utf8ByteLength('🔑é')).toBe(6);
  });

  it("uses RAGFlow's default public key unless told otherwise", () => {
    expect(validatePublicKeyPem(RAGFLOW_DEFAULT_PUBLIC_KEY)).toContain('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A');
    expect(Buffer.from(encryptPassword('123'), 'base64')).toHaveLength(256);
  });
});

describe('validatePublicKeyPem', () => {
  it('accepts a PEM public key, surrounding blanks included', () => {
    expect(validatePublicKeyPem(`\n  ${publicKeyPem}  \n`)).toBe(publicKeyPem.trim());
  });

  it.each([
    ['empty', ''],
    ['not PEM', 'hello'],
    ['a private key', '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----'],
    ['garbage inside', '-----BEGIN PUBLIC KEY-----\nnot base64 at all!!\n-----END PUBLIC KEY-----'],
  ])('rejects %s', (_name, pem) => {
    expect(() => validatePublicKeyPem(pem)).toThrow(ofKind('invalid-public-key'));
  });

  /** The reason and sentence a key is refused with. */
  function refusal(pem: string): Pick<AppError<'invalid-public-key'>, 'reason' | 'messageKey' | 'substitutions'> {
    try {
      validatePublicKeyPem(pem);
    } catch (error) {
      expect(error).toMatchObject({ kind: 'invalid-public-key' });
      const { reason, messageKey, substitutions } = error as AppError<'invalid-public-key'>;
      return { reason, messageKey, substitutions };
    }
    throw new Error('accepted');
  }

  it("accepts RAGFlow's own key, and RSA keys of 2048 to 4096 bits with e = 65537, in either PEM", () => {
    expect(() => validatePublicKeyPem(RAGFLOW_DEFAULT_PUBLIC_KEY)).not.toThrow();
    for (const bits of [2048, 3072, 4096] as const) {
      const modulus = realModulus(bits);
      expect(() => validatePublicKeyPem(spkiPem(modulus, 65537n))).not.toThrow();
      expect(() => validatePublicKeyPem(pkcs1Pem(modulus, 65537n))).not.toThrow();
    }
  });

  it('refuses e = 1, which would send the password as base64, and any e but 65537', () => {
    const modulus = realModulus(2048);
    expect(refusal(spkiPem(modulus, 1n))).toEqual({
      reason: 'exponent',
      messageKey: 'errorPublicKeyExponent',
      substitutions: ['1'],
    });
    expect(refusal(spkiPem(modulus, 3n)).reason).toBe('exponent');
    expect(refusal(pkcs1Pem(modulus, 1n)).reason).toBe('exponent');
  });

  it('refuses a prime modulus, and one with a small factor', () => {
    expect(refusal(spkiPem(PRIME_MODULUS, 65537n))).toEqual({
      reason: 'modulus',
      messageKey: 'errorPublicKeyModulus',
      substitutions: [],
    });
    expect(refusal(spkiPem(3n * PRIME_MODULUS, 65537n)).reason).toBe('modulus');
    // Small enough to find by trial division: the largest prime below 2^14, and one just over 100.
    expect(refusal(spkiPem(101n * PRIME_MODULUS, 65537n)).reason).toBe('modulus');
    expect(refusal(spkiPem(16_381n * PRIME_MODULUS, 65537n)).reason).toBe('modulus');
  });

  it('refuses keys under 2048 or over 4096 bits, saying how many it has', () => {
    const small = forge.pki.rsa.generateKeyPair({ bits: 1024, workers: -1 });
    expect(refusal(forge.pki.publicKeyToPem(small.publicKey))).toEqual({
      reason: 'size',
      messageKey: 'errorPublicKeySize',
      substitutions: ['1024', '2048', '4096'],
    });
    // Odd but plausible: not a multiple of 8. Still refused, without a long check.
    expect(refusal(spkiPem(2n ** 4200n + 15n, 65537n)).substitutions[0]).toBe('4201');
  });

  it('refuses a PEM over 4 KB before reading it: a 65,536-bit key, a 5 MB paste', () => {
    const huge = spkiPem(2n ** 65535n + 15n, 65537n);
    expect(huge.length).toBeGreaterThan(4096);
    expect(refusal(huge)).toEqual({
      reason: 'pem-too-long',
      messageKey: 'errorPublicKeyTooLong',
      substitutions: ['4096'],
    });
    const padded = `${RAGFLOW_DEFAULT_PUBLIC_KEY}${' '.repeat(5 * 1024 * 1024)}`;
    expect(refusal(padded).reason).toBe('pem-too-long');
  });

  it('refuses a public key of another algorithm', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(refusal(ecPem)).toEqual({ reason: 'not-rsa', messageKey: 'errorPublicKeyNotRsa', substitutions: [] });
  });
});

describe('preparing keys ahead of need', () => {
  it('reads every key it is given, and leaves one that cannot be used for the sign-in to report', () => {
    expect(() => prepareKeys([undefined, 'not a key', publicKeyPem])).not.toThrow();
    expect(() => encryptPassword('123', 'not a key')).toThrow(/unreadable/i);
    expect(serverSideDecrypt(encryptPassword('123', publicKeyPem))).toBe('123');
  });
});

describe('padding randomness in a worker-like global (no `window`)', () => {
  const scope = globalThis as { window?: unknown; self?: unknown };

  afterEach(() => {
    vi.restoreAllMocks();
    delete scope.self;
    vi.resetModules();
  });

  function makeWorkerLikeWithoutMathRandom() {
    vi.resetModules();
    // A service worker has `self` but no `window`.
    scope.self = globalThis;
    expect(typeof scope.window).toBe('undefined');
    vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random must not seed the RSA padding');
    });
  }

  it('control: jsencrypt alone falls back to Math.random there', async () => {
    makeWorkerLikeWithoutMathRandom();
    const { JSEncrypt } = await import('jsencrypt');
    const encryptor = new JSEncrypt();
    encryptor.setPublicKey(publicKeyPem);
    // jsencrypt swallows the exception and answers `false`.
    expect(encryptor.encrypt('MTIz')).toBe(false);
    expect(Math.random).toHaveBeenCalled();
  });

  it('encryptPassword seeds from crypto.getRandomValues instead, and leaves no `window` behind', async () => {
    makeWorkerLikeWithoutMathRandom();
    const getRandomValues = vi.spyOn(crypto, 'getRandomValues');
    const fresh = await import('@/lib/ragflow/password');
    expect(typeof scope.window).toBe('undefined');
    expect(getRandomValues).toHaveBeenCalled();
    const cipher = fresh.encryptPassword('123', publicKeyPem);
    expect(serverSideDecrypt(cipher)).toBe('123');
    expect(Math.random).not.toHaveBeenCalled();
  });
});
