/**
 * Public keys built byte by byte, for the checks a real key generator would never fail: any
 * modulus and exponent, written as SubjectPublicKeyInfo or PKCS#1 PEM.
 */
import numbers from './rsa-numbers.json';

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

const tlv = (tag: number, content: number[]): number[] => [tag, ...derLength(content.length), ...content];

function integer(value: bigint): number[] {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = hex.match(/../g)!.map((pair) => Number.parseInt(pair, 16));
  // DER integers are signed: a leading byte with its top bit set needs a zero before it.
  return tlv(0x02, bytes[0]! & 0x80 ? [0, ...bytes] : bytes);
}

const RSA_ALGORITHM = tlv(0x30, [...tlv(0x06, [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]), 0x05, 0x00]);

function pem(label: string, der: number[]): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----`;
}

/** An RSA public key of this modulus and exponent, as SubjectPublicKeyInfo (`PUBLIC KEY`). */
export function spkiPem(modulus: bigint, exponent: bigint): string {
  const rsaKey = tlv(0x30, [...integer(modulus), ...integer(exponent)]);
  return pem('PUBLIC KEY', tlv(0x30, [...RSA_ALGORITHM, ...tlv(0x03, [0, ...rsaKey])]));
}

/** The same as PKCS#1 (`RSA PUBLIC KEY`). */
export function pkcs1Pem(modulus: bigint, exponent: bigint): string {
  return pem('RSA PUBLIC KEY', tlv(0x30, [...integer(modulus), ...integer(exponent)]));
}

/**
 * The modulus of a real RSA key of this size, and a prime of that many bits: made once by
 * Node's `generateKeyPairSync` and `generatePrimeSync` and kept in `rsa-numbers.json`, because
 * making a 4096-bit prime takes from one to over ten seconds on a loaded machine.
 */
export function realModulus(bits: 2048 | 3072 | 4096): bigint {
  return BigInt(`0x${numbers.moduli[bits]}`);
}

export function knownPrime(bits: 1024 | 2048 | 2200 | 4096): bigint {
  return BigInt(`0x${numbers.primes[bits]}`);
}

/** 2^2203 − 1, a Mersenne prime: a 2203-bit modulus anyone can invert. */
export const PRIME_MODULUS = 2n ** 2203n - 1n;
