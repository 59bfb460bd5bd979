import { t } from '../lib/i18n';

interface ApiKeySignInProps {
  apiKey: string;
  busy: boolean;
  onChange: (apiKey: string) => void;
  onSubmit: () => void;
}

/**
 * "Use an API key": sign in with a key the user already has, beside the password and the web
 * app's session. Folded away until asked: most people sign in with the form above.
 */
export function ApiKeySignIn({ apiKey, busy, onChange, onSubmit }: ApiKeySignInProps) {
  return (
    <details class="api-key-sign-in">
      <summary>{t('apiKeySignInUse')}</summary>
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
    </details>
  );
}
