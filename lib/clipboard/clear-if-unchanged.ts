import { clipboardFingerprint } from './fingerprint';

/** Plain-text clipboard access, as the offscreen document has it. */
export interface ClipboardAccess {
  readText(): string | Promise<string>;
  clear(): void | Promise<void>;
}

/**
 * Clears the clipboard only if it still holds the copied key: whatever the user copied since
 * is theirs and stays. Resolves whether it cleared.
 */
export async function clearIfUnchanged(fingerprint: string, clipboard: ClipboardAccess): Promise<boolean> {
  const current = await clipboard.readText();
  if (current === '' || (await clipboardFingerprint(current)) !== fingerprint) return false;
  await clipboard.clear();
  return true;
}
