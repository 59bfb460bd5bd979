import { useState } from 'preact/hooks';

import { t } from '../lib/i18n';
import { RowConfirm } from './RowConfirm';

interface RotateConfirmProps {
  /** The key as the list shows it: its name, else `ragflow-…abcd`. */
  label: string;
  /** Where the key was pasted, by host: the places to update. Empty when none is known. */
  places: string;
  busy: boolean;
  onConfirm: (copyNewKey: boolean) => void;
  onCancel: () => void;
}

/** Asks before a key is replaced, like the revocation, and whether to copy the new one. */
export function RotateConfirm({ label, onConfirm, ...rest }: RotateConfirmProps) {
  const [copyNewKey, setCopyNewKey] = useState(true);
  return (
    <RowConfirm
      question={t('keysRotateConfirm', [label])}
      confirmLabel={t('keysRotate')}
      onConfirm={() => onConfirm(copyNewKey)}
      {...rest}
    >
      <label class="check">
        <input type="checkbox" checked={copyNewKey} onChange={(event) => setCopyNewKey(event.currentTarget.checked)} />
        {t('keysRotateCopy')}
      </label>
    </RowConfirm>
  );
}
