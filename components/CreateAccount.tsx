import { t } from '../lib/i18n';

interface CreateAccountProps {
  nickname: string;
  busy: boolean;
  onNicknameChange: (nickname: string) => void;
  onSubmit: () => void;
}

/** Offered when the email has no account on a server that allows new ones. */
export function CreateAccount({ nickname, busy, onNicknameChange, onSubmit }: CreateAccountProps) {
  return (
    <form
      class="create-account"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <p>{t('popupCreateAccountOffer')}</p>
      <label for="nickname">{t('popupNickname')}</label>
      <input
        id="nickname"
        type="text"
        autoComplete="nickname"
        value={nickname}
        onInput={(event) => onNicknameChange(event.currentTarget.value)}
      />
      <button type="submit" class="primary wide" disabled={busy}>
        {t('popupCreateAccount')}
      </button>
    </form>
  );
}
