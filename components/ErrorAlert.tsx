import { t } from '../lib/i18n';
import type { AlertState } from '../lib/ui/alert';

interface ErrorAlertProps {
  alert: AlertState | null;
  /** For `aria-describedby` of the field the alert is about. */
  id?: string;
  onGrantAccess: () => void;
  onAllowCleartext: () => void;
  onSetPublicKey: () => void;
}

/**
 * One plain sentence about what went wrong, and the button that fixes it when there is one.
 * The region stays in the page while empty, so that screen readers announce what appears in it;
 * an alert about one field is said under that field instead (role alert is announced as it is
 * added).
 */
export function ErrorAlert({ alert, id, onGrantAccess, onAllowCleartext, onSetPublicKey }: ErrorAlertProps) {
  return (
    <div class={id ? 'alert field-alert' : 'alert'} role="alert" data-testid="alert" id={id}>
      {alert && <p>{t(alert.messageKey, alert.substitutions)}</p>}
      {alert?.grantServerUrl && (
        <button type="button" onClick={onGrantAccess}>
          {t('popupGrantAccess')}
        </button>
      )}
      {alert?.publicKeyServerUrl && (
        <button type="button" onClick={onSetPublicKey}>
          {t('popupSetPublicKey')}
        </button>
      )}
      {alert?.cleartextServerUrl && (
        <button type="button" onClick={onAllowCleartext}>
          {t('cleartextAllow')}
        </button>
      )}
    </div>
  );
}
