import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { COPY_FORMATS, copyText, envQuoted, pythonQuoted, shellQuoted } from '@/lib/keys/copy-formats';
import { HOSTILE_KEY_TOKENS } from '../../fake-ragflow';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

const KEY = 'ragflow-Q2xhdWRlIHdhcyBoZXJlIGFuZCB0ZXN0ZWQgdGhpcyBrZXk';

/** Strings that run code or break lines when pasted unquoted, and a few plain ones. */
const HOSTILE = [
  ...HOSTILE_KEY_TOKENS,
  "it's",
  'back\\slash',
  'tab\tand\r\nCRLF',
  '',
  '"',
  "'",
  '$HOME',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text a shell would expand, on purpose
  '${HOME}',
];

describe('copy formats', () => {
  it('copies the plain key as it is', () => {
    expect(copyText('plain', KEY, normalizeServerUrl('http://localhost:9380'))).toBe(KEY);
  });

  it('writes two .env lines, each value quoted, each ending in a newline', () => {
    expect(copyText('env', KEY, normalizeServerUrl('http://localhost:9380'))).toBe(
      `RAGFLOW_API_KEY='${KEY}'\nRAGFLOW_BASE_URL='http://localhost:9380'\n`,
    );
  });

  it('writes the Python SDK snippet', () => {
    expect(copyText('python', KEY, normalizeServerUrl('https://rag.example.com'))).toBe(
      'from ragflow_sdk import RAGFlow\n' +
        '\n' +
        `rag = RAGFlow(api_key="${KEY}", base_url="https://rag.example.com")\n`,
    );
  });

  it('writes a curl command against the datasets endpoint, without a newline that would run it', () => {
    expect(copyText('curl', KEY, normalizeServerUrl('http://localhost:9380'))).toBe(
      `curl -H 'Authorization: Bearer ${KEY}' 'http://localhost:9380/api/v1/datasets?page=1&page_size=1'`,
    );
  });

  it('uses the normalised server URL: path prefix kept, no trailing slash, no doubled /api/v1', () => {
    for (const typed of [
      'https://Rag.Example.com/ragflow/',
      'https://rag.example.com/ragflow/api/v1',
      'rag.example.com/ragflow',
    ]) {
      const base = 'https://rag.example.com/ragflow';
      expect(copyText('env', KEY, normalizeServerUrl(typed))).toBe(
        `RAGFLOW_API_KEY='${KEY}'\nRAGFLOW_BASE_URL='${base}'\n`,
      );
      expect(copyText('curl', KEY, normalizeServerUrl(typed))).toBe(
        `curl -H 'Authorization: Bearer ${KEY}' '${base}/api/v1/datasets?page=1&page_size=1'`,
      );
      expect(copyText('python', KEY, normalizeServerUrl(typed))).toContain(`base_url="${base}")`);
    }
  });

  it('keeps a shell from expanding a path prefix', () => {
    expect(copyText('curl', KEY, normalizeServerUrl('http://host/$HOME'))).toBe(
      `curl -H 'Authorization: Bearer ${KEY}' 'http://host/$HOME/api/v1/datasets?page=1&page_size=1'`,
    );
  });

  it.each(HOSTILE_KEY_TOKENS.map((token) => [JSON.stringify(token).slice(0, 60), token]))(
    'copies no key that is not in RAGFlow form, in any format: %s',
    (_name, token) => {
      for (const format of COPY_FORMATS)
        expect(() => copyText(format, token, normalizeServerUrl('http://localhost:9380'))).toThrow();
    },
  );

  it('names every format the popup offers', () => {
    expect(COPY_FORMATS).toEqual(['plain', 'env', 'python', 'curl']);
  });
});

describe('quoting, run for real', () => {
  it('gives a POSIX shell back every hostile string as one word, running nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'copy-formats-'));
    for (const text of [...HOSTILE, `$(touch ${dir}/pwned)`, `\`touch ${dir}/pwned\``]) {
      const out = execFileSync('sh', ['-c', `printf '%s' ${shellQuoted(text)}`], { encoding: 'utf8' });
      expect(out).toBe(text);
    }
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync('/tmp/ragflow-keys-pwned')).toBe(false);
  });

  it('gives Python back every hostile string as one string literal, running nothing', () => {
    const literals = HOSTILE.map(pythonQuoted);
    const program = `import json, sys\nsys.stdout.write(json.dumps([${literals.join(', ')}]))\n`;
    const out = execFileSync('python3', ['-c', program], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(HOSTILE);
  });

  it('writes a .env value on one line, in single quotes, and refuses a line break', () => {
    expect(envQuoted('ragflow-abc')).toBe("'ragflow-abc'");
    expect(envQuoted("it's $HOME\\")).toBe("'it\\'s $HOME\\\\'");
    for (const text of HOSTILE.filter((candidate) => /[\r\n]/.test(candidate))) {
      expect(() => envQuoted(text)).toThrow();
    }
  });
});
