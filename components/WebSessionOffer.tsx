import './web-session-offer.css';

import { useEffect, useRef } from 'preact/hooks';

import { t } from '../lib/i18n';
import type { KeyFlowStep } from '../lib/messaging/protocol';
import { type WebSessionState, webSessionLeads } from '../lib/popup/web-session';
import { userHasActed } from '../lib/ui/user-acts';
import { StepIndicator } from './StepIndicator';

interface WebSessionOfferProps {
  state: WebSessionState;
  busy: boolean;
  /** "Use my RAGFlow session" is running: its steps, and Cancel, take the button's place. */
  running: boolean;
  step: KeyFlowStep | null;
  onUse: () => void;
  onCancel: () => void;
}

/**
 * "Use my RAGFlow session", between the server and the account fields, when it is the best way in
 * (the web app is open, or the server takes no passwords). Loaded only then.
 */
export function WebSessionOffer({ state, busy, running, step, onUse, onCancel }: WebSessionOfferProps) {
  const sessionButtonRef = useRef<HTMLButtonElement>(null);
  const passwordOff = state.passwordLoginAllowed === false;
  const tabOpen = state.tabId !== null;

  // The best way in takes the focus, unless the user got there first: clicked or pressed a key in
  // the popup since it opened (it shows once the server has answered, which may take a while),
  // or has text in the focused field.
  useEffect(() => {
    const active = document.activeElement;
    const typing = active instanceof HTMLInputElement && active.value !== '';
    if (!typing && !userHasActed()) sessionButtonRef.current?.focus();
  }, [tabOpen]);

  if (!webSessionLeads(state) || state.serverUrl === null) return null;
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
