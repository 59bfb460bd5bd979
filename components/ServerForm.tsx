import { useLayoutEffect, useRef } from 'preact/hooks';

import { t } from '../lib/i18n';
import type { DraftField, ServerDraft } from '../lib/options/draft';
import type { SessionLifetime } from '../lib/settings/schema';
import type { FieldError } from '../lib/settings/validate';

interface ServerFormProps {
  /** Adding a new server, or editing one. */
  editing: boolean;
  draft: ServerDraft;
  errors: FieldError[];
  onChange: <K extends DraftField>(field: K, value: ServerDraft[K]) => void;
  /** Must ask the browser for access synchronously: it is called inside the submit event. */
  onSave: () => void;
  onCancel: () => void;
}

/** Adds or edits a server; each field says what is wrong with it, next to it. */
export function ServerForm({ editing, draft, errors, onChange, onSave, onCancel }: ServerFormProps) {
  const firstFieldRef = useRef<HTMLInputElement>(null);
  // Focus in the render's own task: a passive effect runs a frame later, and would take the focus
  // from a field the user (or an autofill) already went to, sending its typing into this one.
  useLayoutEffect(() => firstFieldRef.current?.focus(), []);

  const errorOf = (field: string) => errors.find((error) => error.field === field);
  /** Props that tie a field to its error text, for screen readers too. */
  const described = (field: string, id: string) =>
    errorOf(field) ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
  const errorText = (field: string, id: string) => {
    const error = errorOf(field);
    return error ? (
      <p class="field-error" id={`${id}-error`}>
        {t(error.messageKey, error.substitutions)}
      </p>
    ) : null;
  };
  const text = (field: DraftField) => (event: Event) =>
    onChange(field, (event.currentTarget as HTMLInputElement).value as never);

  return (
    <form
      class="server-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSave();
      }}
    >
      <h3>{editing ? t('optionsEditServer') : t('optionsAddServer')}</h3>

      <label for="server-url">{t('popupServerUrl')}</label>
      <input
        id="server-url"
        ref={firstFieldRef}
        type="text"
        inputMode="url"
        autoCapitalize="off"
        spellcheck={false}
        placeholder={t('popupServerUrlPlaceholder')}
        value={draft.url}
        onInput={text('url')}
        {...described('url', 'server-url')}
      />
      {errorText('url', 'server-url')}

      <label for="server-name">{t('optionsServerName')}</label>
      <input
        id="server-name"
        type="text"
        placeholder={t('optionsServerNamePlaceholder')}
        value={draft.name}
        onInput={text('name')}
        {...described('name', 'server-name')}
      />
      {errorText('name', 'server-name')}

      <label for="server-email">{t('optionsServerEmail')}</label>
      <input
        id="server-email"
        type="email"
        autoCapitalize="off"
        spellcheck={false}
        value={draft.email}
        onInput={text('email')}
        {...described('email', 'server-email')}
      />
      {errorText('email', 'server-email')}

      <fieldset>
        <legend>{t('optionsKeyPolicy')}</legend>
        <label class="check">
          <input
            type="radio"
            name="key-policy"
            checked={draft.keyPolicy === 'reuse'}
            onChange={() => onChange('keyPolicy', 'reuse')}
          />
          {t('optionsKeyPolicyReuse')}
        </label>
        <label class="check">
          <input
            type="radio"
            name="key-policy"
            checked={draft.keyPolicy === 'new'}
            onChange={() => onChange('keyPolicy', 'new')}
          />
          {t('optionsKeyPolicyNew')}
        </label>
      </fieldset>

      <label for="session-lifetime">{t('optionsSessionLifetime')}</label>
      <select
        id="session-lifetime"
        value={draft.sessionLifetimeKind}
        onChange={(event) => onChange('sessionLifetimeKind', event.currentTarget.value as SessionLifetime['kind'])}
      >
        <option value="until-browser-closes">{t('optionsSessionUntilBrowserCloses')}</option>
        <option value="minutes">{t('optionsSessionForMinutes')}</option>
      </select>
      {draft.sessionLifetimeKind === 'minutes' && (
        <>
          <label for="session-minutes">{t('optionsSessionMinutes')}</label>
          <input
            id="session-minutes"
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            value={draft.sessionMinutes}
            onInput={text('sessionMinutes')}
            {...described('sessionLifetime.minutes', 'session-minutes')}
          />
          {errorText('sessionLifetime.minutes', 'session-minutes')}
        </>
      )}

      <label for="server-public-key">{t('optionsPublicKey')}</label>
      <p class="hint" id="server-public-key-hint">
        {t('optionsPublicKeyHint')}
      </p>
      <textarea
        id="server-public-key"
        rows={6}
        spellcheck={false}
        placeholder="-----BEGIN PUBLIC KEY-----"
        value={draft.publicKeyPem}
        onInput={text('publicKeyPem')}
        {...described('publicKeyPem', 'server-public-key')}
      />
      {errorText('publicKeyPem', 'server-public-key')}

      <div class="actions">
        <button type="submit" class="primary">
          {t('optionsSave')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('optionsCancel')}
        </button>
      </div>
    </form>
  );
}
