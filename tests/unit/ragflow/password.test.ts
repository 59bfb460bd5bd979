import forge from 'node-forge';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { InvalidPublicKeyError, PasswordTooLongError } from '@/lib/ragflow/errors';
import {
  assertPasswordFits,
  encryptPassword,
  maxPasswordBytes,
  RAGFLOW_DEFAULT_PUBLIC_KEY,
  validatePublicKeyPem,
} from '@/lib/ragflow/password';
import { DEFAULT_MAX_PASSWORD_BYTES, utf8ByteLength } from '@/lib/ragflow/password-limit';

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
    expect(() => encryptPassword('a'.repeat(184), publicKeyPem)).toThrow(PasswordTooLongError);
    // 46 four-byte emoji are 184 bytes though only 92 UTF-16 units.
    const error = (() => {
      try {
        encryptPassword('🔑'.repeat(46));
      } catch (caught) {
        return caught as PasswordTooLongError;
      }
    })();
    expect(error?.kind).toBe('password-too-long');
    expect(error?.substitutions).toEqual(['183']);
    expect(() => encryptPassword('x'.repeat(10_000))).toThrow(PasswordTooLongError);
  });

  it('checks the limit without encrypting, and the popup knows the default limit without the RSA library', () => {
    expect(DEFAULT_MAX_PASSWORD_BYTES).toBe(maxPasswordBytes());
    expect(() => assertPasswordFits('🔑'.repeat(45), publicKeyPem)).not.toThrow();
    expect(() => assertPasswordFits('🔑'.repeat(46), publicKeyPem)).toThrow(PasswordTooLongError);
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
    expect(() => validatePublicKeyPem(pem)).toThrow(InvalidPublicKeyError);
  });

  it('rejects a key too small to be worth a password', () => {
    const small = forge.pki.rsa.generateKeyPair({ bits: 512, workers: -1 });
    expect(() => validatePublicKeyPem(forge.pki.publicKeyToPem(small.publicKey))).toThrow(/512 bits/);
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
