import { useLayoutEffect, useRef } from 'preact/hooks';

import { t } from '../lib/i18n';

interface RevokeConfirmProps {
  /** The key as the list shows it: `ragflow-…abcd`. */
  masked: string;
  /** Where the key was pasted, by host: the places that stop working. Empty when none is known. */
  places?: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * Asks before a key is revoked, in the row itself: `window.confirm` is blocked or out of place in
 * a popup. Focus goes to Cancel, so that a stray Enter keeps the key; Escape cancels too.
 */
export function RevokeConfirm({ masked, places, busy, onConfirm, onCancel }: RevokeConfirmProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => cancelRef.current?.focus(), []);
  // Escape cancels, from either button: the focus is on one of them while the question stands.
  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onCancel();
  };

  return (
    <div class="confirm">
      <p>{t('keysRevokeConfirm', [masked])}</p>
      {places && <p class="hint">{t('keysUpdatePlaces', [places])}</p>}
      <button type="button" class="danger" disabled={busy} onClick={onConfirm} onKeyDown={cancelOnEscape}>
        {t('keysRevoke')}
      </button>
      <button ref={cancelRef} type="button" onClick={onCancel} onKeyDown={cancelOnEscape}>
        {t('keysCancel')}
      </button>
    </div>
  );
}
