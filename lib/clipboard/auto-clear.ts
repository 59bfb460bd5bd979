/**
 * Clipboard auto-clear, in the background (the popup that copied the key closes at once). The
 * popup sends the key's fingerprint; after the chosen time, the clipboard is cleared if it still
 * holds that key. The pending clear lives in storage.session and an alarm stands behind the
 * timer, so a service worker stopped in between still clears on time when the alarm wakes it.
 */
import { browser } from 'wxt/browser';

import { SingleFlight } from '../shared/single-flight';
import type { ClipboardClearPlan } from '../messaging/protocol';
import { isClipboardFingerprint } from './fingerprint';

export const CLIPBOARD_CLEAR_ALARM = 'clipboard.clear';
const PENDING_KEY = 'clipboard.pendingClear';

interface PendingClear {
  fingerprint: string;
  /** Milliseconds since the epoch. */
  clearAt: number;
}

export interface ClipboardAutoClearDeps {
  /** The user's preference; 0 is off. */
  clearAfterSeconds(): Promise<number>;
  /** False where the background cannot reach the clipboard (lib/clipboard/background-clipboard.ts). */
  supported: boolean;
  /** Clears the clipboard if it still holds the key with this fingerprint. */
  clearIfUnchanged(fingerprint: string): Promise<boolean>;
  /**
   * Whether the clipboard may be read (Chrome's optional clipboardRead). Without it nothing is
   * planned: a clear that cannot check what the clipboard holds could wipe what the user copied.
   */
  mayReadClipboard?(): Promise<boolean>;
  now?(): number;
}

export interface ClipboardAutoClear {
  /** After a copy: plans the clear, replacing any earlier plan (that key left the clipboard). */
  schedule(fingerprint: string): Promise<ClipboardClearPlan>;
  /** The alarms listener's part. */
  onAlarm(alarm: { name: string }): Promise<void>;
}

export function createClipboardAutoClear(deps: ClipboardAutoClearDeps): ClipboardAutoClear {
  const now = deps.now ?? Date.now;
  // The timer and the alarm may both fire: one clear at a time, and the second finds nothing.
  const runs = new SingleFlight<void>();

  async function pending(): Promise<PendingClear | undefined> {
    const items = await browser.storage.session.get(PENDING_KEY);
    return items[PENDING_KEY] as PendingClear | undefined;
  }

  async function forgetPending(): Promise<void> {
    await Promise.all([browser.storage.session.remove(PENDING_KEY), browser.alarms.clear(CLIPBOARD_CLEAR_ALARM)]);
  }

  /** Clears what is due; `fingerprint` limits it to that copy (a timer of a replaced plan does nothing). */
  function clearDue(fingerprint?: string): Promise<void> {
    return runs.run('clear', async () => {
      const due = await pending();
      if (!due || (fingerprint !== undefined && due.fingerprint !== fingerprint) || now() < due.clearAt) return;
      await forgetPending();
      try {
        await deps.clearIfUnchanged(due.fingerprint);
      } catch (error) {
        // Best effort, with nobody to tell: the popup that copied is long closed.
        console.warn('Could not clear the clipboard', error);
      }
    });
  }

  return {
    async schedule(fingerprint) {
      if (!isClipboardFingerprint(fingerprint)) throw new TypeError('Not a clipboard fingerprint');
      const seconds = await deps.clearAfterSeconds();
      if (seconds <= 0) {
        await forgetPending();
        return { status: 'off' };
      }
      if (!deps.supported) return { status: 'unsupported' };
      if (deps.mayReadClipboard && !(await deps.mayReadClipboard())) {
        await forgetPending();
        return { status: 'not-allowed' };
      }
      const delayMs = seconds * 1000;
      const clearAt = now() + delayMs;
      await browser.storage.session.set({ [PENDING_KEY]: { fingerprint, clearAt } satisfies PendingClear });
      // Chrome fires alarms 30 s apart at the soonest in a packed extension, and a stopped
      // worker loses its timers: the timer gives the exact second, the alarm the certainty.
      await browser.alarms.create(CLIPBOARD_CLEAR_ALARM, { when: clearAt });
      setTimeout(() => void clearDue(fingerprint), delayMs);
      return { status: 'scheduled', seconds };
    },

    async onAlarm(alarm) {
      if (alarm.name === CLIPBOARD_CLEAR_ALARM) await clearDue();
    },
  };
}
