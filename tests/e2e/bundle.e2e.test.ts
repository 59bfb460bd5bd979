import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { filesOfPage, gzippedBytes } from '../support/bundle';
import { EXTENSION_DIR } from './support/extension';

// Byte counts of the build are deterministic, so they are asserted; timings live in the bench.
describe('the built popup', () => {
  const files = filesOfPage(EXTENSION_DIR, 'popup.html');

  it('loads at least a script and a style sheet', () => {
    expect(files.some((file) => file.endsWith('.js'))).toBe(true);
    expect(files.some((file) => file.endsWith('.css'))).toBe(true);
  });

  it('stays within 20 KB of gzipped JS and CSS', () => {
    expect(gzippedBytes(EXTENSION_DIR, files)).toBeLessThanOrEqual(20 * 1024);
  });

  it('leaves jsencrypt to the background', () => {
    const popupCode = files.map((file) => readFileSync(join(EXTENSION_DIR, file), 'utf8')).join('\n');
    expect(popupCode).not.toMatch(/JSEncrypt|pkcs1pad2/);
    expect(readFileSync(join(EXTENSION_DIR, 'background.js'), 'utf8')).toMatch(/pkcs1pad2|Message too long for RSA/);
  });
});
