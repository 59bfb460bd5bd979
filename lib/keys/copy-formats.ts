/**
 * The forms a key is copied in, with its server filled in: what a developer pastes into a
 * terminal, a `.env` file or a notebook. Exact text, so that it works as pasted.
 *
 * The key was checked against RAGFlow's form when the server sent it (lib/ragflow/api-key.ts), and
 * the URL is normalised, so neither should hold anything a shell or Python would read as code.
 * Each snippet quotes for its language all the same: a check elsewhere can change, and a snippet
 * that runs a command when pasted must not depend on it.
 */
import { isApiKeyForm } from '../ragflow/api-key';
import { KEY_CHECK } from '../ragflow/routes';
import type { ServerUrl } from '../ragflow/server-url';

export const COPY_FORMATS = ['plain', 'env', 'python', 'curl'] as const;
export type CopyFormat = (typeof COPY_FORMATS)[number];

/** POSIX shell: inside single quotes nothing is special but the quote itself, closed and escaped. */
export const shellQuoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * A Python string literal. JSON's string syntax is a subset of Python's: quotes, backslashes and
 * control characters (newlines included) come out escaped, and Python reads them back as they were.
 */
export const pythonQuoted = (text: string) => JSON.stringify(text);

/**
 * One `.env` value on one line, in single quotes: dotenv readers (python-dotenv, Node's dotenv,
 * Docker Compose) expand neither `$` nor escapes there, except `\'` and `\\`. A line break cannot
 * be written that way at all, so a value holding one is refused rather than split.
 */
export function envQuoted(text: string): string {
  if (/[\r\n\0]/.test(text)) throw new Error('A .env value cannot hold a line break');
  return `'${text.replace(/[\\']/g, '\\$&')}'`;
}

/**
 * The text to copy. `baseUrl` is normalised (path prefix kept, no trailing slash): the SDK adds
 * `/api/v1` itself, as the curl command here does. Throws for a key not in RAGFlow's form: such a
 * key is never copied.
 */
export function copyText(format: CopyFormat, key: string, baseUrl: ServerUrl): string {
  if (!isApiKeyForm(key)) throw new Error('Not an API key in RAGFlow form');
  switch (format) {
    case 'plain':
      return key;
    case 'env':
      return `RAGFLOW_API_KEY=${envQuoted(key)}\nRAGFLOW_BASE_URL=${envQuoted(baseUrl)}\n`;
    case 'python':
      return `from ragflow_sdk import RAGFlow\n\nrag = RAGFlow(api_key=${pythonQuoted(key)}, base_url=${pythonQuoted(baseUrl)})\n`;
    case 'curl':
      // The key check of every generation, so that the command also says whether the key works.
      // No newline at the end: pasted into a terminal, the command waits for Enter.
      return `curl -H ${shellQuoted(`Authorization: Bearer ${key}`)} ${shellQuoted(`${baseUrl}${KEY_CHECK.path}`)}`;
  }
}
