import { t } from '../lib/i18n';
import type { ApiKeySignInProps } from './ApiKeySignIn';

/** The key's field and its button, under "Use an API key" once it is opened. */
export function ApiKeySignInForm({ apiKey, busy, onChange, onSubmit }: ApiKeySignInProps) {
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <label for="api-key">{t('apiKeySignInLabel')}</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        spellcheck={false}
        placeholder="ragflow-…"
        value={apiKey}
        onInput={(event) => onChange(event.currentTarget.value)}
      />
      <button type="submit" class="wide" disabled={busy}>
        {t('apiKeySignInSubmit')}
      </button>
      <p class="hint">{t('apiKeySignInHint')}</p>
    </form>
  );
}
