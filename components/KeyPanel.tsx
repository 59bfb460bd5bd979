import './key-panel.css';

import { durationText, t } from '../lib/i18n';
import { newestOwnKey } from '../lib/keys/cached-key';
import type { KeyListActions } from '../lib/popup/key-list';
import type { KeyListState } from '../lib/popup/key-list-state';
import { KeyRow } from './KeyRow';

/** The open key list: what the list says, the keys, and each key's actions. Loaded when first opened. */
export function KeyPanel({ state, list }: { state: KeyListState; list: KeyListActions }) {
  const newest = state.rows ? newestOwnKey(state.rows) : undefined;

  return (
    <div id="keys-panel">
      <div class="alert" role="alert">
        {state.alert && <p>{t(state.alert.messageKey, state.alert.substitutions)}</p>}
      </div>
      <p class="hint" role="status">
        {state.notice && t(state.notice.messageKey, state.notice.substitutions)}
      </p>
      {/* Paste has no key (the pasting key was revoked): one click gives it one again. */}
      {state.currentKey === null && state.rows !== null && (
        <div class="no-paste-key" data-testid="no-paste-key">
          <p>{t('keysNoPasteKey')}</p>
          {newest ? (
            <button
              type="button"
              class="primary"
              disabled={state.busy}
              onClick={() => void list.useForPaste(newest.token)}
            >
              {t('keysUseNewestForPaste', [newest.masked])}
            </button>
          ) : (
            <button type="button" class="primary" disabled={state.busy} onClick={() => void list.create()}>
              {t('keysCreateForPaste')}
            </button>
          )}
        </div>
      )}
      {state.clipboardClearSeconds !== null && (
        <p class="hint">{t('popupClipboardClearsIn', [durationText(state.clipboardClearSeconds)])}</p>
      )}
      {state.rows === null && <p class="hint">{t('keysLoading')}</p>}
      {state.rows?.length === 0 && <p class="hint">{t('keysNone')}</p>}
      {state.rows && state.rows.length > 0 && (
        <ul class="key-list" aria-label={t('keysListLabel')}>
          {state.rows.map((row, index) => (
            <KeyRow
              key={row.token}
              list={list}
              row={row}
              labelId={`key-${index}`}
              current={row.token === state.currentKey}
              shown={row.token === state.shown}
              expanded={row.token === state.expanded}
              confirming={row.token === state.confirming}
              rotating={row.token === state.rotating}
              busy={state.busy}
              verification={state.verifications[row.token]}
              copied={state.copied?.token === row.token ? state.copied.format : null}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
