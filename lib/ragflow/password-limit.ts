/**
 * The password length limit, without the RSA library: the popup checks what was typed against it
 * before anything is sent, and stays small.
 */

/**
 * The longest password, in UTF-8 bytes, that RAGFlow's default RSA-2048 key can carry: PKCS#1
 * v1.5 takes 256 - 11 = 245 bytes, the base64 of at most 183 bytes (docs/ragflow-api.md, "Password
 * encryption"). password.ts computes the same from the key itself; a unit test keeps them equal.
 */
export const DEFAULT_MAX_PASSWORD_BYTES = 183;

export function utf8ByteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
