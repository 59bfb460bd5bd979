import { t } from '../lib/i18n';
import { RowConfirm } from './RowConfirm';

interface RevokeConfirmProps {
  /** The key as the list shows it: its name, else `ragflow-…abcd`. */
  label: string;
  /** Where the key was pasted, by host: the places that stop working. Empty when none is known. */
  places?: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before a key is revoked: apps using it stop working. */
export function RevokeConfirm({ label, ...rest }: RevokeConfirmProps) {
  return <RowConfirm question={t('keysRevokeConfirm', [label])} confirmLabel={t('keysRevoke')} {...rest} />;
}
