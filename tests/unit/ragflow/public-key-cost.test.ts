import { checkPrimeSync, generateKeyPairSync, generatePrimeSync } from 'node:crypto';

import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { AppError } from '@/lib/errors';
import { validatePublicKeyPem } from '@/lib/ragflow/password';
import { isStrongProbablePrime } from '@/lib/ragflow/primality';
import { checkRsaPublicKey } from '@/lib/ragflow/public-key';
import { validateServerAmong } from '@/lib/settings/validate';
import { knownPrime, PRIME_MODULUS, pkcs1Pem, realModulus, spkiPem } from '../../support/rsa-keys';

// The real test, counted: each call is a modular exponentiation as long as the modulus.
vi.mock('@/lib/ragflow/primality', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/ragflow/primality')>();
  return { ...real, isStrongProbablePrime: vi.fn(real.isStrongProbablePrime) };
});

const rounds = vi.mocked(isStrongProbablePrime);

function reasonOf(check: () => unknown): string {
  try {
    check();
  } catch (error) {
    return (error as AppError<'invalid-public-key'>).reason ?? 'no reason';
  }
  return 'accepted';
}

const modulus2048 = realModulus(2048);
const modulus4096 = realModulus(4096);
const prime2048 = knownPrime(2048);
const prime4096 = knownPrime(4096);

beforeEach(() => {
  rounds.mockClear();
});

describe('the public-key checks: what each refusal costs', () => {
  it('refuses a key that breaks a cheap rule without a single primality round', () => {
    const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const cases: [string, string][] = [
      [`-----BEGIN PUBLIC KEY-----\n${'A'.repeat(5000)}\n-----END PUBLIC KEY-----`, 'pem-too-long'],
      ['-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----', 'unreadable'],
      [ecPem, 'not-rsa'],
      [spkiPem(modulus4096, 3n), 'exponent'],
      [pkcs1Pem(prime4096, 1n), 'exponent'],
      [spkiPem(modulus2048 >> 1100n, 65537n), 'size'],
      [spkiPem(3n * prime2048, 65537n), 'modulus'],
      [spkiPem(16_381n * prime2048, 65537n), 'modulus'],
      // Even: a factor of 2.
      [spkiPem(modulus4096 - 1n, 65537n), 'modulus'],
    ];
    for (const [pem, reason] of cases) expect(reasonOf(() => checkRsaPublicKey(pem))).toBe(reason);
    expect(rounds).not.toHaveBeenCalled();
  });

  it('refuses a prime modulus after one round, of 2048 bits, 2203 or 4096', () => {
    for (const prime of [prime2048, PRIME_MODULUS, prime4096]) {
      rounds.mockClear();
      expect(reasonOf(() => checkRsaPublicKey(spkiPem(prime, 65537n)))).toBe('modulus');
      expect(rounds).toHaveBeenCalledTimes(1);
    }
  });

  it('accepts a real RSA key of 2048 or 4096 bits after one round', () => {
    for (const modulus of [modulus2048, modulus4096]) {
      rounds.mockClear();
      expect(checkRsaPublicKey(spkiPem(modulus, 65537n)).modulus).toBe(modulus);
      expect(rounds).toHaveBeenCalledTimes(1);
    }
  });

  it('checks a refused key once however often the options page asks (Save, then each keystroke)', () => {
    const pem = spkiPem(prime4096, 65537n);
    const draft = {
      id: 'draft',
      name: 'Own keys',
      url: 'http://localhost:9380',
      keyPolicy: 'reuse',
      publicKeyPem: pem,
      sessionLifetime: { kind: 'until-browser-closes' },
    };
    for (let i = 0; i < 4; i++) {
      const checked = validateServerAmong({ ...draft, name: `Own keys ${i}` }, []);
      expect(checked).toMatchObject({
        ok: false,
        errors: [{ field: 'publicKeyPem', messageKey: 'errorPublicKeyModulus' }],
      });
    }
    expect(reasonOf(() => validatePublicKeyPem(pem))).toBe('modulus');
    expect(rounds).toHaveBeenCalledTimes(1);
  });
});

describe('one Miller–Rabin round', () => {
  it('passes every prime, so a prime modulus is always refused', () => {
    for (const bits of [64, 256, 512]) {
      for (let i = 0; i < 5; i++)
        expect(isStrongProbablePrime(generatePrimeSync(bits, { bigint: true }), 2n)).toBe(true);
    }
    for (const prime of [knownPrime(1024), knownPrime(2200), knownPrime(4096)])
      expect(isStrongProbablePrime(prime, 2n)).toBe(true);
    expect(isStrongProbablePrime(2n ** 521n - 1n, 2n)).toBe(true);
  });

  it('agrees with OpenSSL on odd numbers, except the rare strong pseudoprime, which it calls prime', () => {
    // 2047 = 23 × 89 fools base 2 and no other base here: such a "key" is refused as prime.
    expect(isStrongProbablePrime(2047n, 2n)).toBe(true);
    expect(isStrongProbablePrime(2047n, 3n)).toBe(false);
    for (let n = 5n; n < 20_000n; n += 2n) {
      if (n === 2047n || n === 3277n || n === 4033n || n === 4681n || n === 8321n || n === 15841n) continue;
      expect(isStrongProbablePrime(n, 2n), String(n)).toBe(checkPrimeSync(n));
    }
  });
});
