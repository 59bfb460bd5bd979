/**
 * The one costly step of the public-key checks (./public-key.ts): a Miller–Rabin round, a modular
 * exponentiation as long as the modulus (about 9 ms for 2048 bits, 60 ms for 4096, in V8). It has a
 * module of its own so that the checks can be seen to run it at most once per key.
 */

/**
 * `base ** exponent mod modulus`, left to right a hex digit (four bits) at a time: for a 4096-bit
 * exponent ~5,100 multiplications instead of ~6,150 bit by bit, and a third less time in V8.
 * Written short: it ships in the background, whose budget is 32 KB (tests/e2e/bundle.e2e.test.ts).
 */
function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  const powers = [1n];
  for (let i = 1; i < 16; i++) powers.push((powers[i - 1]! * base) % modulus);
  let result = 1n;
  for (const digit of exponent.toString(16)) {
    for (let k = 0; k < 4; k++) result = (result * result) % modulus;
    result = (result * powers[Number.parseInt(digit, 16)]!) % modulus;
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
