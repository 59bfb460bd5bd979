/**
 * A SHA-256 of the copied key, hex. The background remembers this, not the key, to recognise
 * the key in the clipboard later: a key has 43 random characters, so the hash gives nothing away.
 */
export async function clipboardFingerprint(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

const FINGERPRINT_SHAPE = /^[0-9a-f]{64}$/;

export function isClipboardFingerprint(value: unknown): value is string {
  return typeof value === 'string' && FINGERPRINT_SHAPE.test(value);
}
