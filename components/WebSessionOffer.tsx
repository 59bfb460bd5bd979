import { t } from '../lib/i18n';
import type { WebSessionState } from '../lib/popup/web-session';

interface WebSessionOfferProps {
  state: WebSessionState;
  /**
   * Rendered twice, above the form and below it: leading when the server takes no passwords
   * (and says why the password field is missing), following otherwise.
   */
  lead: boolean;
  busy: boolean;
  onUse: () => void;
}

/** "Use my RAGFlow session" when the server's web app is open, and what a password sign-in does to it. */
export function WebSessionOffer({ state, lead, busy, onUse }: WebSessionOfferProps) {
  const passwordOff = state.passwordLoginAllowed === false;
  if (passwordOff !== lead || state.serverUrl === null) return null;
  const tabOpen = state.tabId !== null;
  const use = tabOpen && (
    <button type="button" class={lead ? 'primary wide' : 'wide'} disabled={busy} onClick={onUse}>
      {t('webSessionUse')}
    </button>
  );
  if (lead) {
    return (
      <section class="web-session">
        <p class="hint">{t('webSessionPasswordOff', [new URL(state.serverUrl).host])}</p>
        {state.channels.length > 0 && (
          <p class="hint" data-testid="sso-channels">
            {t('webSessionChannels', [state.channels.join(', ')])}
          </p>
        )}
        {use || <p class="hint">{t('webSessionOpenWebApp', [state.serverUrl])}</p>}
      </section>
    );
  }
  return (
    <section class="web-session">
      {/* Shown once the server said it takes passwords: before the first password sign-in only. */}
      {state.warn && state.passwordLoginAllowed && (
        <p class="hint" data-testid="web-session-warning">
          {tabOpen ? `${t('webSessionSignsOut')} ${t('webSessionRecommended')}` : t('webSessionSignsOut')}
        </p>
      )}
      {use}
      {use && <p class="hint">{t('webSessionKeepsWebApp')}</p>}
    </section>
  );
}
