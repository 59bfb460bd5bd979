/**
 * Copy-then-clear, once for every copy the popup makes (the key, and each key of the list in
 * each format): the text goes to the clipboard, and the background is asked to clear it later,
 * given only the hash of what was copied.
 */
import { clipboardFingerprint } from '../clipboard/fingerprint';
import type { PopupPlatform } from './controller';

/**
 * False when the clipboard refused the text. Else when the background will clear it, in seconds;
 * null when it will not (the preference is off, the browser cannot, the background is away).
 */
export async function copyAndPlanClear(
  platform: Pick<PopupPlatform, 'copyText' | 'send'>,
  text: string,
): Promise<false | { clearSeconds: number | null }> {
  try {
    await platform.copyText(text);
  } catch {
    return false;
  }
  try {
    const plan = await platform.send('clipboard.scheduleClear', { fingerprint: await clipboardFingerprint(text) });
    return { clearSeconds: plan.status === 'scheduled' ? plan.seconds : null };
  } catch {
    // The copy worked; without the background, the text just stays in the clipboard.
    return { clearSeconds: null };
  }
}
