import { t } from '../lib/i18n';
import type { AlertState } from '../lib/ui/alert';

interface ErrorAlertProps {
  alert: AlertState | null;
  onGrantAccess: () => void;
  onAllowCleartext: () => void;
}

/**
 * One plain sentence about what went wrong, and the button that fixes it when there is one.
 * The region stays in the page while empty, so that screen readers announce what appears in it.
 */
export function ErrorAlert({ alert, onGrantAccess, onAllowCleartext }: ErrorAlertProps) {
  return (
    <div class="alert" role="alert" data-testid="alert">
      {alert && <p>{t(alert.messageKey, alert.substitutions)}</p>}
      {alert?.grantServerUrl && (
        <button type="button" onClick={onGrantAccess}>
          {t('popupGrantAccess')}
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
