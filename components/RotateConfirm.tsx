import { useLayoutEffect, useRef, useState } from 'preact/hooks';

import { t } from '../lib/i18n';

interface RotateConfirmProps {
  /** The key as the list shows it: its name, else `ragflow-…abcd`. */
  label: string;
  /** Where the key was pasted, by host: the places to update. Empty when none is known. */
  places: string;
  busy: boolean;
  onConfirm: (copyNewKey: boolean) => void;
  onCancel: () => void;
}

/**
 * Asks before a key is replaced, in the row, like the revocation: what will happen, where the
 * key went, and whether to copy the new one. Focus goes to Cancel; Escape cancels.
 */
export function RotateConfirm({ label, places, busy, onConfirm, onCancel }: RotateConfirmProps) {
  const [copyNewKey, setCopyNewKey] = useState(true);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => cancelRef.current?.focus(), []);
  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onCancel();
  };

  return (
    <div class="confirm">
      <p>{t('keysRotateConfirm', [label])}</p>
      {places && <p class="hint">{t('keysUpdatePlaces', [places])}</p>}
      <label class="check">
        <input
          type="checkbox"
          checked={copyNewKey}
          onChange={(event) => setCopyNewKey(event.currentTarget.checked)}
          onKeyDown={cancelOnEscape}
        />
        {t('keysRotateCopy')}
      </label>
      <button
        type="button"
        class="danger"
        disabled={busy}
        onClick={() => onConfirm(copyNewKey)}
        onKeyDown={cancelOnEscape}
      >
        {t('keysRotate')}
      </button>
      <button ref={cancelRef} type="button" onClick={onCancel} onKeyDown={cancelOnEscape}>
        {t('keysCancel')}
      </button>
    </div>
  );
}
