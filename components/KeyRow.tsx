import { t } from '../lib/i18n';
import type { CopyFormat } from '../lib/keys/copy-formats';
import { type KeyRowData, placeHosts } from '../lib/popup/key-format';
import type { KeyListActions } from '../lib/popup/key-list';
import type { KeyVerification } from '../lib/popup/key-list-state';
import { KeyNameForm } from './KeyNameForm';
import { RevokeConfirm } from './RevokeConfirm';
import { RotateConfirm } from './RotateConfirm';

interface KeyRowProps {
  list: KeyListActions;
  row: KeyRowData;
  /** Unique in the list: ties each button to the key it acts on, for screen readers. */
  labelId: string;
  /** The key "Paste RAGFlow key" uses. */
  current: boolean;
  shown: boolean;
  expanded: boolean;
  confirming: boolean;
  /** Its rotation waits for the user's confirmation. */
  rotating: boolean;
  busy: boolean;
  verification: KeyVerification | undefined;
  /** The format just copied from this row, if any. */
  copied: CopyFormat | null;
}

function verificationText({ status }: KeyVerification): string {
  if (status === 'checking') return t('keysVerifying');
  if (status === 'valid') return t('keysValid');
  if (status === 'invalid') return t('keysInvalid');
  return t('keysUnreachable');
}

/**
 * One key: its name if it has one, its first and last characters (enough to match it with the
 * key in use, too few to use it), its age, and what is done most in one click: Copy, and
 * choosing it for paste. Revoke is red and asks first; the rest (Show, Verify, Copy as, Rotate,
 * the name) is under More.
 */
export function KeyRow(props: KeyRowProps) {
  const { list, row, labelId, verification, copied } = props;
  const menuId = `${labelId}-more`;
  const copyButton = (format: CopyFormat, label: string, primary = false) => (
    <button
      type="button"
      class={primary ? 'copy' : undefined}
      aria-describedby={labelId}
      onClick={() => void list.copy(row.token, format)}
    >
      {copied === format ? t('popupCopied') : label}
    </button>
  );

  return (
    <li class={props.current ? 'key current' : 'key'}>
      <div class="key-head">
        {row.name && <strong class="key-name">{row.name}</strong>}
        <code id={labelId} class={props.shown ? 'mono full' : 'mono'}>
          {props.shown ? row.token : row.masked}
        </code>
        {row.age && (
          <time dateTime={row.isoDate} title={row.date}>
            {row.recent ? t('keysJustNow') : row.age}
          </time>
        )}
      </div>
      {/* Above the row's buttons, and so above its Revoke and Rotate questions too: said once. */}
      {row.embed && <p class="hint">{t('keysEmbedToken')}</p>}
      {row.places[0] && (
        <p class="hint key-places" title={row.places.map((place) => `${place.host}: ${place.date}`).join('\n')}>
          {row.places.length > 1
            ? t('keysPastedOnMore', [row.places[0].host, row.places[0].age, String(row.places.length - 1)])
            : t('keysPastedOn', [row.places[0].host, row.places[0].age])}
        </p>
      )}
      {props.rotating ? (
        <RotateConfirm
          label={row.name ?? row.masked}
          places={placeHosts(row)}
          busy={props.busy}
          onConfirm={(copyNewKey) => void list.rotate(row.token, copyNewKey)}
          onCancel={() => list.cancelRotate()}
        />
      ) : props.confirming ? (
        <RevokeConfirm
          label={row.name ?? row.masked}
          places={placeHosts(row)}
          busy={props.busy}
          onConfirm={() => void list.revoke(row.token)}
          onCancel={() => list.cancelRevoke()}
        />
      ) : (
        <div class="key-actions">
          {copyButton('plain', t('popupCopy'), true)}
          {props.current ? (
            <span class="badge">{t('keysUsedForPaste')}</span>
          ) : (
            <button
              type="button"
              aria-describedby={labelId}
              disabled={props.busy}
              onClick={() => void list.useForPaste(row.token)}
            >
              {t('keysUseForPaste')}
            </button>
          )}
          <button
            type="button"
            aria-describedby={labelId}
            aria-expanded={props.expanded}
            aria-controls={menuId}
            onClick={() => list.toggleExpanded(row.token)}
          >
            {t('keysMore')}
          </button>
          <button
            type="button"
            class="danger-outline"
            aria-describedby={labelId}
            disabled={props.busy}
            onClick={() => list.askRevoke(row.token)}
          >
            {t('keysRevoke')}
          </button>
        </div>
      )}
      {props.expanded && !props.confirming && !props.rotating && (
        <div class="key-menu" id={menuId}>
          <button type="button" aria-describedby={labelId} onClick={() => list.toggleShown(row.token)}>
            {props.shown ? t('popupHideKey') : t('popupShowKey')}
          </button>
          <button
            type="button"
            aria-describedby={labelId}
            disabled={verification?.status === 'checking'}
            onClick={() => void list.verify(row.token)}
          >
            {t('keysVerify')}
          </button>
          <button
            type="button"
            aria-describedby={labelId}
            disabled={props.busy}
            onClick={() => list.askRotate(row.token)}
          >
            {t('keysRotate')}
          </button>
          <span class="menu-label">{t('keysCopyAs')}</span>
          {copyButton('env', t('keysFormatEnv'))}
          {copyButton('python', t('keysFormatPython'))}
          {copyButton('curl', t('keysFormatCurl'))}
          <KeyNameForm
            name={row.name ?? ''}
            busy={props.busy}
            describedBy={labelId}
            onSave={(name) => void list.rename(row.token, name)}
          />
        </div>
      )}
      {verification && (
        <p
          class={`verification ${verification.status}`}
          role="status"
          title={verification.alert && t(verification.alert.messageKey, verification.alert.substitutions)}
        >
          {verificationText(verification)}
        </p>
      )}
    </li>
  );
}
