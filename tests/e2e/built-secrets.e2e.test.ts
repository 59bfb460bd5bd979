/**
 * No secret ships in the builds: no password of the tests, no API key, no private key, no code of
 * the fake server (which holds one). Every file of both builds is read, text or not.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

const BUILDS = ['.output/chrome-mv3', '.output/firefox-mv3'].map((dir) => resolve(dir));

/**
 * A RAGFlow API key: `ragflow-` and a random part (the fake's are 43 base64url characters, the
 * tests' literals shorter), which always holds a capital or a digit. The bare prefix, used to
 * mask keys, and names like `ragflow-keys-settings` are not keys.
 */
const API_KEY = /ragflow-(?=[\w-]*[A-Z0-9])[\w-]{8,}/;
/** A private key's PEM with its body; jsencrypt's code holds the armour lines alone. */
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[A-Za-z0-9+/=\s\\n]{64,}-----END/;
/** Names only the fake server and its RSA library have. */
const FAKE_SERVER_CODE = /startFakeRagflow|decryptPassword|secretsSeenByFakeServers|RSAES-PKCS1-V1_5/;

/** Shorter test passwords (`x`, `pw`, `wrong`) are ordinary words of any bundle. */
const SHORTEST_PASSWORD = 6;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => join(dir, file))
    .filter((path) => statSync(path).isFile());
}

/** Every password the tests type or give the fake server: `password: '…'` in their sources. */
function testPasswords(): string[] {
  const sources = filesUnder(resolve('tests')).filter((path) => path.endsWith('.ts'));
  const passwords = sources.flatMap((path) =>
    [...readFileSync(path, 'utf8').matchAll(/password: '([^']+)'/g)].map((match) => match[1]!),
  );
  return [...new Set(passwords)].filter((password) => password.length >= SHORTEST_PASSWORD);
}

describe('what the checks look for', () => {
  it('recognises an API key, and not the masking prefix or other names', () => {
    expect('ragflow-AbC123xyz').toMatch(API_KEY);
    expect(`ragflow-${'Zx9_-'.repeat(8)}abc`).toMatch(API_KEY);
    expect('"ragflow-"+e.slice(-4)').not.toMatch(API_KEY);
    expect('ragflow-keys-settings.json').not.toMatch(API_KEY);
  });

  it('recognises a private key, and not the armour lines in jsencrypt', () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    expect(privateKey).toMatch(PRIVATE_KEY_PEM);
    // As a bundler writes it into a string literal.
    expect(JSON.stringify(privateKey)).toMatch(PRIVATE_KEY_PEM);
    // jsencrypt's getPrivateKey(), as built.
    const armourOnly =
      'var e=`-----BEGIN RSA PRIVATE KEY-----\n`;return e+=t.wordwrap(this.getPrivateBaseKeyB64())+`\n`,' +
      'e+=`-----END RSA PRIVATE KEY-----`,e}';
    expect(armourOnly).not.toMatch(PRIVATE_KEY_PEM);
  });

  it('finds the passwords of the tests', () => {
    const passwords = testPasswords();
    expect(passwords).toContain('alice-password-1');
    expect(passwords).toContain('correct horse 🐎');
    expect(passwords.length).toBeGreaterThan(10);
  });
});

describe.each(BUILDS)('the build in %s', (buildDir) => {
  if (!existsSync(join(buildDir, 'manifest.json'))) {
    throw new Error(`No build in ${buildDir}: run npm run build and npm run build:firefox first`);
  }
  const files = filesUnder(buildDir).map((path) => ({ path, text: readFileSync(path).toString('utf8') }));

  it('holds files to check', () => {
    expect(files.filter((file) => file.path.endsWith('.js')).length).toBeGreaterThan(2);
  });

  it('holds no password of the tests', () => {
    const passwords = testPasswords();
    for (const { path, text } of files) {
      for (const password of passwords) expect(text.includes(password), `${password} in ${path}`).toBe(false);
    }
  });

  it('holds no API key, no private key and no code of the fake server', () => {
    for (const { path, text } of files) {
      expect(text.match(API_KEY)?.[0], path).toBeUndefined();
      expect(text.match(PRIVATE_KEY_PEM)?.[0], path).toBeUndefined();
      expect(text.match(FAKE_SERVER_CODE)?.[0], path).toBeUndefined();
    }
  });
});
