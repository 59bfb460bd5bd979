import type { KeyFlowStep } from '../lib/messaging/protocol';
import { t } from '../lib/i18n';
import type { FieldError } from './KeyForm';
import { StepIndicator } from './StepIndicator';

interface CreateAccountProps {
  nickname: string;
  busy: boolean;
  /** Its flow runs: the button makes way for the step and Cancel. */
  running: boolean;
  step: KeyFlowStep | null;
  /** An error about the nickname, said under it. */
  fieldError?: FieldError | null;
  onNicknameChange: (nickname: string) => void;
  onSubmit: () => void;
  onCancel: () => void;
}

/** Offered when the email has no account on a server that allows new ones. */
export function CreateAccount({ nickname, busy, running, step, fieldError, ...actions }: CreateAccountProps) {
  const invalid = fieldError?.field === 'nickname';
  return (
    <form
      class="create-account"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        actions.onSubmit();
      }}
    >
      <p>{t('popupCreateAccountOffer')}</p>
      <label for="nickname">{t('popupNickname')}</label>
      <input
        id="nickname"
        type="text"
        autoComplete="nickname"
        value={nickname}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? fieldError.id : undefined}
        onInput={(event) => actions.onNicknameChange(event.currentTarget.value)}
      />
      {invalid && fieldError.message}
      <div class="submit">
        {running ? (
          <StepIndicator step={step} onCancel={actions.onCancel} />
        ) : (
          <button type="submit" class="primary wide" disabled={busy}>
            {t('popupCreateAccount')}
          </button>
        )}
      </div>
    </form>
  );
}
