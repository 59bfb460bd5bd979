import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

const LOCALES = ['en', 'zh_CN'];

function messages(locale: string): Record<string, { message: string }> {
  return JSON.parse(readFileSync(join('public/_locales', locale, 'messages.json'), 'utf8'));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Message keys named in the code: `'errorFoo'`-style literals and `i18n('foo')`-style calls. */
function keysUsedInCode(): Set<string> {
  const used = new Set<string>();
  for (const file of ['lib', 'components', 'entrypoints'].flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/'(error[A-Z]\w*)'/g)) used.add(match[1]!);
    for (const match of text.matchAll(/\bt\('(\w+)'/g)) used.add(match[1]!);
  }
  return used;
}

describe('locales', () => {
  it('have the same keys, each with the same placeholders', () => {
    const [english, ...others] = LOCALES.map(messages);
    for (const other of others) {
      expect(Object.keys(other!).sort()).toEqual(Object.keys(english!).sort());
      for (const [key, { message }] of Object.entries(english!)) {
        const placeholders = (text: string) => (text.match(/\$\d/g) ?? []).sort();
        expect(placeholders(other![key]!.message), key).toEqual(placeholders(message));
        expect(other![key]!.message.trim(), key).not.toBe('');
      }
    }
  });

  it('hold every message key the code uses', () => {
    const english = messages('en');
    const missing = [...keysUsedInCode()].filter((key) => !(key in english));
    expect(missing).toEqual([]);
    expect(keysUsedInCode().size).toBeGreaterThan(20);
  });
});
