/**
 * The forms a key is copied in, with its server filled in: what a developer pastes into a
 * terminal, a `.env` file or a notebook. Exact text, so that it works as pasted.
 */
import { KEY_CHECK } from '../ragflow/routes';
import { normalizeServerUrl } from '../ragflow/server-url';

export const COPY_FORMATS = ['plain', 'env', 'python', 'curl'] as const;
export type CopyFormat = (typeof COPY_FORMATS)[number];

/** Inside a shell's double quotes these four still mean something; a URL rarely has them. */
const shellDoubleQuoted = (text: string) => text.replace(/[$`"\\]/g, '\\$&');

/**
 * The text to copy. `serverUrl` is normalised (path prefix kept, no trailing slash): the SDK adds
 * `/api/v1` itself, as the curl command here does. A normalised URL and a key hold no quote or
 * backslash, so the Python strings need no escaping.
 */
export function copyText(format: CopyFormat, key: string, serverUrl: string): string {
  const baseUrl = normalizeServerUrl(serverUrl);
  switch (format) {
    case 'plain':
      return key;
    case 'env':
      return `RAGFLOW_API_KEY=${key}\nRAGFLOW_BASE_URL=${baseUrl}\n`;
    case 'python':
      return `from ragflow_sdk import RAGFlow\n\nrag = RAGFlow(api_key="${key}", base_url="${baseUrl}")\n`;
    case 'curl':
      // The key check of every generation, so that the command also says whether the key works.
      // No newline at the end: pasted into a terminal, the command waits for Enter.
      return `curl -H "Authorization: Bearer ${key}" "${shellDoubleQuoted(baseUrl)}${KEY_CHECK.path}"`;
  }
}
