import { vi } from 'vitest';

import type { AccountRef } from '../../../../lib/messaging/protocol';
import { KeyListActions } from '../../../../lib/popup/key-list';
import { closedKeyList, type KeyListState } from '../../../../lib/popup/key-list-state';

/**
 * The key list's actions on a sub-state of their own, as the popup's store holds it: `hooks`
 * records what the store is asked to do (the key field follows the pasting key; back to the form).
 */
export function keyListOn(options: { platform: object; account: AccountRef; currentKey: string | null; now: number }) {
  let state: KeyListState = closedKeyList(options.account, options.currentKey);
  const hooks = { onCurrentKeyChange: vi.fn(), onSessionExpired: vi.fn() };
  const actions = new KeyListActions(
    { uiLanguage: () => 'en-US', ...options.platform } as never,
    {
      get: () => state,
      set: (patch) => {
        state = { ...state, ...patch };
      },
      currentKeyChanged: hooks.onCurrentKeyChange,
      sessionEnded: async (alert) => hooks.onSessionExpired(alert),
      confirmCopy: (copied) => {
        state = { ...state, copied };
      },
    },
    () => options.now,
  );
  return { list: Object.assign(actions, { getState: () => state }), hooks };
}
