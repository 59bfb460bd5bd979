/**
 * RAGFlow's API keys are `ragflow-` and url-safe base64, 43 characters of it today
 * (docs/ragflow-releases.md, "API key objects"); the pattern leaves some room either side, and
 * none for anything else. A string of this form holds no quote, space, `$`, backslash or newline,
 * so it cannot break out of any snippet it is copied in. Its own module: the popup checks keys
 * too, and must not pull in the whole client.
 */
export const API_KEY_PATTERN = /^ragflow-[A-Za-z0-9_-]{16,128}$/;

/** Whether a string has the form of a RAGFlow API key. */
export function isApiKeyForm(token: unknown): token is string {
  return typeof token === 'string' && API_KEY_PATTERN.test(token);
}
