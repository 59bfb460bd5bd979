/**
 * What a server's own RSA public key must be before a password is encrypted with it: the shape
 * of RAGFlow's default pair (RSA-2048, e = 65537), within bounds (docs/ragflow-api.md, "Password
 * encryption"). Read from the DER itself, before jsencrypt sees the key: jsencrypt takes e = 1
 * (which leaves the password readable in base64), a prime modulus (which anyone can invert), and
 * a 65,536-bit key (which takes half a minute per sign-in).
 */
import { isAppError } from '../errors';
import { invalidPublicKey } from './errors';
import { isStrongProbablePrime } from './primality';

/** A PEM of RSA-4096 is about 800 characters; a pasted certificate chain or file is not a key. */
export const MAX_PUBLIC_KEY_PEM_LENGTH = 4096;
export const RSA_BITS_RANGE = { min: 2048, max: 4096 } as const;
export const RSA_EXPONENT = 65537;

/** 1.2.840.113549.1.1.1, rsaEncryption, as DER content bytes. */
const RSA_ENCRYPTION_OID = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/** What every malformed byte of the PEM or its DER is: the key cannot be read. */
const unreadable = () => invalidPublicKey('unreadable');

interface Tlv {
  tag: number;
  /** The content bytes. */
  value: Uint8Array;
  /** Where the next element starts. */
  end: number;
}

/** One DER element at `offset`; throws on anything truncated or of indefinite length. */
function readTlv(bytes: Uint8Array, offset: number): Tlv {
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  if (tag === undefined || length === undefined) throw unreadable();
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3) throw unreadable();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] ?? Number.NaN);
    start += count;
  }
  const end = start + length;
  if (!Number.isFinite(end) || end > bytes.length) throw unreadable();
  return { tag, value: bytes.subarray(start, end), end };
}

/** The elements of a SEQUENCE's content. */
function children(content: Uint8Array): Tlv[] {
  const items: Tlv[] = [];
  for (let offset = 0; offset < content.length; offset = items[items.length - 1]!.end) {
    items.push(readTlv(content, offset));
  }
  return items;
}

function bigIntOf(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * A modulus with a factor below this is factored by trial division, and the password sent with
 * it read by anyone. Every odd divisor is tried, primes or not: about 2 ms for 2048 bits, 3 ms for
 * 4096. A fresh service worker runs this check on the way to its first sign-in with a server's
 * own key, so the bound is kept where it costs little (2^16 took 6 to 9 ms).
 */
const TRIAL_DIVISION_LIMIT = 1n << 14n;

function hasSmallFactor(n: bigint): boolean {
  if ((n & 1n) === 0n) return true;
  for (let divisor = 3n; divisor < TRIAL_DIVISION_LIMIT; divisor += 2n) if (n % divisor === 0n) return true;
  return false;
}

/**
 * Whether `n` may be prime: an RSA modulus is a product of two large primes, and a prime one has
 * a private exponent anyone can compute. One Miller–Rabin round to base 2 is enough to refuse
 * every prime, since every prime passes every round. More rounds would only let through the rare
 * composite that passes base 2 (a strong pseudoprime, which no key generator makes), so they
 * could only accept more keys, never refuse one more: they cost a full exponentiation each (about
 * 60 ms for 4096 bits) and bought nothing here.
 */
function mayBePrime(n: bigint): boolean {
  return isStrongProbablePrime(n, 2n);
}

/** The DER bytes of a PEM's body, or throws. */
function derOf(pem: string): { der: Uint8Array; pkcs1: boolean } {
  const match = /^-----BEGIN (RSA )?PUBLIC KEY-----([\s\S]+?)-----END (RSA )?PUBLIC KEY-----$/.exec(pem);
  if (!match || match[1] !== match[3]) throw unreadable();
  const base64 = match[2]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw unreadable();
  return { der: Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)), pkcs1: match[1] !== undefined };
}

/** An RSA public key as the checks read it: modulus and exponent, and the modulus length. */
export interface RsaPublicKey {
  modulus: bigint;
  exponent: bigint;
  /** The modulus in bytes (k): the length of every ciphertext. */
  modulusBytes: number;
}

/**
 * Checks a PEM public key (SubjectPublicKeyInfo, or PKCS#1 `RSA PUBLIC KEY`) and throws
 * an `invalid-public-key` error with the reason: too long, unreadable, not RSA, an exponent other
 * than 65537, a size outside 2048–4096 bits, or a modulus that cannot be RSA's. Returns the key.
 */
export function checkRsaPublicKey(publicKeyPem: string): RsaPublicKey {
  if (publicKeyPem.length > MAX_PUBLIC_KEY_PEM_LENGTH) {
    throw invalidPublicKey('pem-too-long', [String(MAX_PUBLIC_KEY_PEM_LENGTH)]);
  }
  let modulusBytes: Uint8Array;
  let exponentBytes: Uint8Array;
  try {
    const { der, pkcs1 } = derOf(publicKeyPem.trim());
    const outer = readTlv(der, 0);
    if (outer.tag !== 0x30 || outer.end !== der.length) throw unreadable();
    let rsaKey: Uint8Array = outer.value;
    if (!pkcs1) {
      const [algorithm, bitString] = children(outer.value);
      if (algorithm?.tag !== 0x30 || bitString?.tag !== 0x03) throw unreadable();
      const oid = children(algorithm.value)[0];
      const isRsa =
        oid?.tag === 0x06 &&
        oid.value.length === RSA_ENCRYPTION_OID.length &&
        oid.value.every((byte, i) => byte === RSA_ENCRYPTION_OID[i]);
      if (!isRsa) throw invalidPublicKey('not-rsa');
      if (bitString.value[0] !== 0) throw unreadable();
      const inner = readTlv(bitString.value, 1);
      if (inner.tag !== 0x30) throw unreadable();
      rsaKey = inner.value;
    }
    const [modulus, exponent] = children(rsaKey);
    if (modulus?.tag !== 0x02 || exponent?.tag !== 0x02) throw unreadable();
    modulusBytes = modulus.value;
    exponentBytes = exponent.value;
  } catch (error) {
    if (isAppError(error, 'invalid-public-key')) throw error;
    // atob's own error, on a PEM body that is not base64 after all.
    throw unreadable();
  }

  // Every rule that costs next to nothing comes first, so that a key which breaks one is refused
  // at once; the primality test, which costs a modular exponentiation, comes last and runs once.
  const n = bigIntOf(modulusBytes);
  const e = bigIntOf(exponentBytes);
  if (e !== BigInt(RSA_EXPONENT)) throw invalidPublicKey('exponent', [e.toString()]);
  const bits = n.toString(2).length;
  if (bits < RSA_BITS_RANGE.min || bits > RSA_BITS_RANGE.max) {
    throw invalidPublicKey('size', [String(bits), String(RSA_BITS_RANGE.min), String(RSA_BITS_RANGE.max)]);
  }
  if (hasSmallFactor(n) || mayBePrime(n)) throw invalidPublicKey('modulus');
  return { modulus: n, exponent: e, modulusBytes: Math.ceil(bits / 8) };
}
