/**
 * A key as the popup shows it by default, in the key view and in each row of the key list: apart
 * from the list's formatting, which loads only when the list opens.
 */

/**
 * `ragflow-AbCd…wxyz`: its first and last four characters, enough to tell keys apart at a glance
 * and to match one with RAGFlow's own list, too few to use it (8 of its 43 random characters).
 */
export function maskKey(token: string): string {
  const prefix = token.startsWith('ragflow-') ? 'ragflow-' : '';
  const body = token.slice(prefix.length);
  if (body.length <= 12) return `${prefix}…${body.slice(-4)}`;
  return `${prefix}${body.slice(0, 4)}…${body.slice(-4)}`;
}
