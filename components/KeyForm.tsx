import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';

import { t } from '../lib/i18n';

export interface KeyFormValues {
  serverUrl: string;
  email: string;
  password: string;
}

interface KeyFormProps {
  values: KeyFormValues;
  busy: boolean;
  /** The server takes no passwords (its sign-in is SSO only): no field to type one in. */
  hidePassword?: boolean;
  /** The Server URL was filled in from the page: select it, so that typing replaces it. */
  serverUrlFilled?: boolean;
  onChange: (field: keyof KeyFormValues, value: string) => void;
  onSubmit: () => void;
}

/** Server URL, email and password; Enter in any field submits. */
export function KeyForm({ values, busy, hidePassword, serverUrlFilled, onChange, onSubmit }: KeyFormProps) {
  const serverUrlRef = useRef<HTMLInputElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);

  // On open, the cursor goes where typing starts: the first field still empty.
  useEffect(() => {
    const fields: [string, HTMLInputElement | null][] = [
      [values.serverUrl, serverUrlRef.current],
      [values.email, emailRef.current],
      [values.password, passwordRef.current],
    ];
    const firstEmpty = fields.find(([value]) => value === '')?.[1];
    (firstEmpty ?? submitRef.current)?.focus();
    // Only on mount: later, focus stays where the user put it.
  }, []);

  // Before the browser paints the filled value: a key pressed in between would otherwise land
  // after it (the caret goes to the end) and the field would hold both.
  useLayoutEffect(() => {
    const field = serverUrlRef.current;
    if (serverUrlFilled && field && document.activeElement === field) field.select();
  }, [serverUrlFilled]);

  // A disabled button drops focus to the page; give it back when the request is over.
  useEffect(() => {
    if (!busy && document.activeElement === document.body) submitRef.current?.focus();
  }, [busy]);

  const bind = (field: keyof KeyFormValues) => ({
    value: values[field],
    onInput: (event: Event) => onChange(field, (event.currentTarget as HTMLInputElement).value),
  });

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <label for="server-url">{t('popupServerUrl')}</label>
      <input
        id="server-url"
        ref={serverUrlRef}
        type="text"
        inputMode="url"
        autoComplete="url"
        autoCapitalize="off"
        spellcheck={false}
        placeholder={t('popupServerUrlPlaceholder')}
        {...bind('serverUrl')}
      />
      <label for="email">{t('popupEmail')}</label>
      <input
        id="email"
        ref={emailRef}
        type="email"
        autoComplete="username"
        autoCapitalize="off"
        spellcheck={false}
        {...bind('email')}
      />
      {!hidePassword && (
        <>
          <label for="password">{t('popupPassword')}</label>
          <input
            id="password"
            ref={passwordRef}
            type="password"
            autoComplete="current-password"
            {...bind('password')}
          />
        </>
      )}
      <button ref={submitRef} type="submit" class="primary wide" disabled={busy}>
        {t('popupGetKey')}
      </button>
    </form>
  );
}
