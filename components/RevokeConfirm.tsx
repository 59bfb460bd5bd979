import { t } from '../lib/i18n';
import { RowConfirm } from './RowConfirm';

interface RevokeConfirmProps {
  /** The key as the list shows it: its name, else `ragflow-…abcd`. */
  label: string;
  /** Where the key was pasted, by host: the places that stop working. Empty when none is known. */
  places?: string;
  /** RAGFlow made it for an embedded chat or agent, which stops with it. */
  embed: boolean;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before a key is revoked: apps using it stop working. */
export function RevokeConfirm({ label, embed, ...rest }: RevokeConfirmProps) {
  return (
    <RowConfirm question={t('keysRevokeConfirm', [label])} confirmLabel={t('keysRevoke')} {...rest}>
      {embed && <p class="hint">{t('keysEmbedToken')}</p>}
    </RowConfirm>
  );
}
