import { useEffect, useRef } from 'preact/hooks';

import { t } from '../lib/i18n';
import type { KeyFlowStep } from '../lib/messaging/protocol';
import type { WebSessionState } from '../lib/popup/web-session';
import { StepIndicator } from './StepIndicator';

interface WebSessionOfferProps {
  state: WebSessionState;
  /**
   * Rendered twice, between the server and the account fields and under the form: leading when
   * it is the best way in (the web app is open, or the server takes no passwords), following
   * otherwise, where it only says what a password sign-in does to the web app.
   */
  lead: boolean;
  busy: boolean;
  /** "Use my RAGFlow session" is running: its steps, and Cancel, take the button's place. */
  running: boolean;
  step: KeyFlowStep | null;
  onUse: () => void;
  onCancel: () => void;
}

/** Whether the web app's session is the popup's main action. */
export function webSessionLeads(state: WebSessionState): boolean {
  return state.serverUrl !== null && (state.passwordLoginAllowed === false || state.tabId !== null);
}

/** "Use my RAGFlow session" when the server's web app is open, and what a password sign-in does to it. */
export function WebSessionOffer({ state, lead, busy, running, step, onUse, onCancel }: WebSessionOfferProps) {
  const sessionButtonRef = useRef<HTMLButtonElement>(null);
  const passwordOff = state.passwordLoginAllowed === false;
  const tabOpen = state.tabId !== null;
  const leads = webSessionLeads(state);

  // The best way in takes the focus, unless the user already typed somewhere.
  useEffect(() => {
    const active = document.activeElement;
    const typing = active instanceof HTMLInputElement && active.value !== '';
    if (lead && !typing) sessionButtonRef.current?.focus();
  }, [lead, tabOpen]);

  if (!lead) {
    // Under the form: once, before the first password sign-in, what it does to the web app.
    const warn = state.serverUrl !== null && state.warn && state.passwordLoginAllowed;
    return warn ? (
      <p class="hint" data-testid="web-session-warning">
        {tabOpen ? `${t('webSessionSignsOut')} ${t('webSessionRecommended')}` : t('webSessionSignsOut')}
      </p>
    ) : null;
  }
  if (!leads || state.serverUrl === null) return null;
  return (
    <section class="web-session lead">
      {passwordOff && <p class="hint">{t('webSessionPasswordOff', [new URL(state.serverUrl).host])}</p>}
      {passwordOff && state.channels.length > 0 && (
        <p class="hint" data-testid="sso-channels">
          {t('webSessionChannels', [state.channels.join(', ')])}
        </p>
      )}
      {tabOpen ? (
        <>
          {running ? (
            <StepIndicator step={step} onCancel={onCancel} />
          ) : (
            <button ref={sessionButtonRef} type="button" class="primary wide" disabled={busy} onClick={onUse}>
              {t('webSessionUse')}
            </button>
          )}
          <p class="hint">{t('webSessionKeepsWebApp')}</p>
          {!passwordOff && <p class="or">{t('webSessionOrPassword')}</p>}
        </>
      ) : (
        <p class="hint">{t('webSessionOpenWebApp', [state.serverUrl])}</p>
      )}
    </section>
  );
}
