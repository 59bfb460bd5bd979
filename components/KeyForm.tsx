import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';

import { t } from '../lib/i18n';
import type { KeyFlowStep } from '../lib/messaging/protocol';
import { StepIndicator } from './StepIndicator';

export interface KeyFormValues {
  serverUrl: string;
  email: string;
  password: string;
}

/** An error said under one field: the field is marked invalid and described by it. */
export interface FieldError {
  field: string;
  /** The id of the element that says it, for `aria-describedby`. */
  id: string;
  message: ComponentChildren;
}

interface KeyFormProps {
  values: KeyFormValues;
  busy: boolean;
  /** This form's own flow runs: its button makes way for the step and Cancel. */
  running: boolean;
  step: KeyFlowStep | null;
  onCancel: () => void;
  /** Get API key is the popup's main action (false while the web app's session leads). */
  primary: boolean;
  /** Something above leads and takes the focus on open (the web app's session). */
  focusElsewhere?: boolean;
  /** The server takes no passwords (its sign-in is SSO only): no field to type one in. */
  hidePassword?: boolean;
  /** The Server URL was filled in from the page: select it, so that typing replaces it. */
  serverUrlFilled?: boolean;
  fieldError?: FieldError | null;
  /** Between the server and the account fields: what applies to the server (its web app's session). */
  afterServer?: ComponentChildren;
  onChange: (field: keyof KeyFormValues, value: string) => void;
  /** The Server URL field was left (its `change` event): the typed server is complete. */
  onServerUrlLeft?: () => void;
  onSubmit: () => void;
}

/** Server URL, email and password; Enter in any field submits. */
export function KeyForm(props: KeyFormProps) {
  const { values, busy, hidePassword, serverUrlFilled, fieldError, onChange, onServerUrlLeft, onSubmit } = props;
  const serverUrlRef = useRef<HTMLInputElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);

  // On open, the cursor goes where typing starts: the first field still empty. In the render's own
  // task: a passive effect runs a frame later, and would take the focus from a field the user went
  // to meanwhile, sending the rest of their typing into another field.
  useLayoutEffect(() => {
    if (props.focusElsewhere) return;
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

  // The button gave way to Cancel while the request ran; give the focus back to it after.
  useEffect(() => {
    if (!busy && document.activeElement === document.body) submitRef.current?.focus();
  }, [busy]);

  const bind = (field: keyof KeyFormValues) => {
    const invalid = fieldError?.field === field;
    return {
      value: values[field],
      onInput: (event: Event) => onChange(field, (event.currentTarget as HTMLInputElement).value),
      'aria-invalid': invalid || undefined,
      'aria-describedby': invalid ? fieldError.id : undefined,
    };
  };
  const errorUnder = (field: keyof KeyFormValues) => fieldError?.field === field && fieldError.message;

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
        onChange={onServerUrlLeft}
      />
      {errorUnder('serverUrl')}
      {props.afterServer}
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
      {errorUnder('email')}
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
          {errorUnder('password')}
        </>
      )}
      <div class="submit">
        {props.running ? (
          <StepIndicator step={props.step} onCancel={props.onCancel} />
        ) : (
          <button ref={submitRef} type="submit" class={props.primary ? 'primary wide' : 'wide'} disabled={busy}>
            {t('popupGetKey')}
          </button>
        )}
      </div>
    </form>
  );
}
