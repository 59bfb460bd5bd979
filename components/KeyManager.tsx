import { t } from '../lib/i18n';
import type { KeyListActions } from '../lib/popup/key-list';
import type { KeyListState } from '../lib/popup/key-list-state';
import { lazyComponent } from '../lib/ui/lazy';

const KeyPanel = lazyComponent(() => import('./KeyPanel').then((module) => module.KeyPanel));

interface KeyManagerProps {
  state: KeyListState;
  /** The list's actions: null until the list is first opened, when they load. */
  list: KeyListActions | null;
  onToggle: () => void;
  /** The pointer is on "Manage keys", or the focus: the list's code may start loading. */
  onPrepare: () => void;
}

/**
 * "Manage keys": the account's keys on the server, newest first, and a new one on demand.
 * Closed until asked, so that the popup opens on the key alone, with no request.
 */
export function KeyManager({ state, list, onToggle, onPrepare }: KeyManagerProps) {
  const prepare = () => {
    void KeyPanel.preload();
    onPrepare();
  };
  return (
    <section class="keys">
      <div class="keys-bar">
        <button
          type="button"
          aria-expanded={state.open}
          aria-controls="keys-panel"
          onPointerEnter={prepare}
          onFocus={prepare}
          onClick={onToggle}
        >
          {t('keysManage')}
        </button>
        {state.open && list && (
          <button type="button" disabled={state.busy} onClick={() => void list.create()}>
            {t('keysCreate')}
          </button>
        )}
      </div>
      {state.open && list && <KeyPanel state={state} list={list} />}
    </section>
  );
}
