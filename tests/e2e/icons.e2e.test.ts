import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

/** Width and height from a PNG's IHDR chunk, which always follows the 8-byte signature. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe.each(['chrome-mv3', 'firefox-mv3'])('the icons of the %s build', (build) => {
  const dir = resolve('.output', build);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    icons?: Record<string, string>;
    action?: { default_icon?: Record<string, string> };
  };

  it('names an icon for every size the stores and toolbars ask for', () => {
    expect(Object.keys(manifest.icons ?? {})).toEqual(['16', '32', '48', '128']);
    expect(Object.keys(manifest.action?.default_icon ?? {})).toEqual(['16', '32', '48']);
  });

  it('ships each named icon as a square PNG of its stated size', () => {
    const named = { ...manifest.icons, ...manifest.action?.default_icon };
    for (const [size, path] of Object.entries(named)) {
      expect(pngSize(join(dir, path))).toEqual({ width: Number(size), height: Number(size) });
    }
  });
});
