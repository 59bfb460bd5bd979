/**
 * The one costly step of the public-key checks (./public-key.ts): a Miller–Rabin round, a modular
 * exponentiation as long as the modulus (about 9 ms for 2048 bits, 60 ms for 4096, in V8). It has a
 * module of its own so that the checks can be seen to run it at most once per key.
 */

/** Bits per window: 4 cuts the multiplications of a 4096-bit exponent from ~2050 to ~1030 + 16. */
const WINDOW_BITS = 4;

/** `base ** exponent mod modulus`, left to right over fixed windows of the exponent's bits. */
function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  const powers = [1n, base % modulus];
  for (let i = 2; i < 1 << WINDOW_BITS; i++) powers.push((powers[i - 1]! * powers[1]!) % modulus);
  let bits = exponent.toString(2);
  bits = '0'.repeat((WINDOW_BITS - (bits.length % WINDOW_BITS)) % WINDOW_BITS) + bits;
  let result = 1n;
  for (let i = 0; i < bits.length; i += WINDOW_BITS) {
    if (i > 0) for (let k = 0; k < WINDOW_BITS; k++) result = (result * result) % modulus;
    const digit = Number.parseInt(bits.slice(i, i + WINDOW_BITS), 2);
    if (digit !== 0) result = (result * powers[digit]!) % modulus;
  }
  return result;
}

/**
 * Whether odd `n > 3` is a strong probable prime to `base`: one Miller–Rabin round. Every prime
 * is; a composite is for at most a quarter of the bases, and for a product of two random large
 * primes (an RSA modulus) practically never.
 */
export function isStrongProbablePrime(n: bigint, base: bigint): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  let x = modPow(base, d, n);
  if (x === 1n || x === n - 1n) return true;
  for (let r = 1; r < s; r++) {
    x = (x * x) % n;
    if (x === n - 1n) return true;
  }
  return false;
}
