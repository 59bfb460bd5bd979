import { type ComponentChildren, Component, createRef } from 'preact';

import { t } from '../lib/i18n';
import type { KeyFlowStep } from '../lib/messaging/protocol';
import { lazyComponent } from '../lib/ui/lazy';

// Shown only while a sign-in runs, in place of the button: loaded then.
const StepIndicator = lazyComponent(() => import('./StepIndicator').then((module) => module.StepIndicator));

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

/**
 * Server URL, email and password; Enter in any field submits. A class, as the popup's other
 * first-view components: the popup paints without preact/hooks (drawOnChange, lib/ui/state-store.ts).
 */
export class KeyForm extends Component<KeyFormProps> {
  private readonly serverUrlRef = createRef<HTMLInputElement>();
  private readonly emailRef = createRef<HTMLInputElement>();
  private readonly passwordRef = createRef<HTMLInputElement>();
  private readonly submitRef = createRef<HTMLButtonElement>();

  // On open, the cursor goes where typing starts: the first field still empty. In the render's own
  // task: a passive effect runs a frame later, and would take the focus from a field the user went
  // to meanwhile, sending the rest of their typing into another field.
  override componentDidMount(): void {
    this.selectFilledServerUrl();
    if (this.props.focusElsewhere) return;
    const { values } = this.props;
    const fields: [string, HTMLInputElement | null][] = [
      [values.serverUrl, this.serverUrlRef.current],
      [values.email, this.emailRef.current],
      [values.password, this.passwordRef.current],
    ];
    const firstEmpty = fields.find(([value]) => value === '')?.[1];
    (firstEmpty ?? this.submitRef.current)?.focus();
    // Only on mount: later, focus stays where the user put it.
  }

  override componentDidUpdate(previous: KeyFormProps): void {
    if (this.props.serverUrlFilled && !previous.serverUrlFilled) this.selectFilledServerUrl();
    // The button gave way to Cancel while the request ran; give the focus back to it after.
    if (previous.busy && !this.props.busy && document.activeElement === document.body) {
      this.submitRef.current?.focus();
    }
  }

  /**
   * Before the browser paints the filled value: a key pressed in between would otherwise land
   * after it (the caret goes to the end) and the field would hold both.
   */
  private selectFilledServerUrl(): void {
    const field = this.serverUrlRef.current;
    if (this.props.serverUrlFilled && field && document.activeElement === field) field.select();
  }

  override render() {
    const { values, busy, hidePassword, fieldError, onChange, onServerUrlLeft, onSubmit } = this.props;
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
          ref={this.serverUrlRef}
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
        {this.props.afterServer}
        <label for="email">{t('popupEmail')}</label>
        <input
          id="email"
          ref={this.emailRef}
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
              ref={this.passwordRef}
              type="password"
              autoComplete="current-password"
              {...bind('password')}
            />
            {errorUnder('password')}
          </>
        )}
        <div class="submit">
          {this.props.running ? (
            <StepIndicator step={this.props.step} onCancel={this.props.onCancel} />
          ) : (
            <button
              ref={this.submitRef}
              type="submit"
              class={this.props.primary ? 'primary wide' : 'wide'}
              disabled={busy}
            >
              {t('popupGetKey')}
            </button>
          )}
        </div>
      </form>
    );
  }
}
