import { describe, expect, it } from 'vitest';

import { COPY_FORMATS, copyText } from '@/lib/keys/copy-formats';

const KEY = 'ragflow-Q2xhdWRlIHdhcyBoZXJlIGFuZCB0ZXN0ZWQgdGhpcyBrZXk';

describe('copy formats', () => {
  it('copies the plain key as it is', () => {
    expect(copyText('plain', KEY, 'http://localhost:9380')).toBe(KEY);
  });

  it('writes two .env lines, each ending in a newline', () => {
    expect(copyText('env', KEY, 'http://localhost:9380')).toBe(
      `RAGFLOW_API_KEY=${KEY}\nRAGFLOW_BASE_URL=http://localhost:9380\n`,
    );
  });

  it('writes the Python SDK snippet', () => {
    expect(copyText('python', KEY, 'https://rag.example.com')).toBe(
      'from ragflow_sdk import RAGFlow\n' +
        '\n' +
        `rag = RAGFlow(api_key="${KEY}", base_url="https://rag.example.com")\n`,
    );
  });

  it('writes a curl command against the datasets endpoint, without a newline that would run it', () => {
    expect(copyText('curl', KEY, 'http://localhost:9380')).toBe(
      `curl -H "Authorization: Bearer ${KEY}" "http://localhost:9380/api/v1/datasets?page=1&page_size=1"`,
    );
  });

  it('uses the normalised server URL: path prefix kept, no trailing slash, no doubled /api/v1', () => {
    for (const typed of [
      'https://Rag.Example.com/ragflow/',
      'https://rag.example.com/ragflow/api/v1',
      'rag.example.com/ragflow',
    ]) {
      const base = typed.startsWith('rag.') ? 'http://rag.example.com/ragflow' : 'https://rag.example.com/ragflow';
      expect(copyText('env', KEY, typed)).toBe(`RAGFLOW_API_KEY=${KEY}\nRAGFLOW_BASE_URL=${base}\n`);
      expect(copyText('curl', KEY, typed)).toBe(
        `curl -H "Authorization: Bearer ${KEY}" "${base}/api/v1/datasets?page=1&page_size=1"`,
      );
      expect(copyText('python', KEY, typed)).toContain(`base_url="${base}")`);
    }
  });

  it('keeps a shell from expanding a path prefix inside the double quotes', () => {
    expect(copyText('curl', KEY, 'http://host/$HOME')).toBe(
      `curl -H "Authorization: Bearer ${KEY}" "http://host/\\$HOME/api/v1/datasets?page=1&page_size=1"`,
    );
  });

  it('names every format the popup offers', () => {
    expect(COPY_FORMATS).toEqual(['plain', 'env', 'python', 'curl']);
  });
});
