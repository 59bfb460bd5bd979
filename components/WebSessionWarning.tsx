import { t } from '../lib/i18n';
import type { WebSessionState } from '../lib/popup/web-session';

/**
 * Under the form: once per server, before the first password sign-in, what one does to the web
 * app: it signs it out (docs/ragflow-api.md, "Every login rotates the session").
 */
export function WebSessionWarning({ state }: { state: WebSessionState }) {
  const warn = state.serverUrl !== null && state.warn && state.passwordLoginAllowed;
  if (!warn) return null;
  return (
    <p class="hint" data-testid="web-session-warning">
      {state.tabId !== null ? `${t('webSessionSignsOut')} ${t('webSessionRecommended')}` : t('webSessionSignsOut')}
    </p>
  );
}
