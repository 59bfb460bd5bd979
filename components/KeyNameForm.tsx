import { useState } from 'preact/hooks';

import { t } from '../lib/i18n';

interface KeyNameFormProps {
  /** The key's name now; '' for none. */
  name: string;
  busy: boolean;
  /** The id of the key's own label, for screen readers. */
  describedBy: string;
  onSave: (name: string) => void;
}

/** A local name for a key ("n8n prod"): kept on this machine only; blank removes it. */
export function KeyNameForm({ name, busy, describedBy, onSave }: KeyNameFormProps) {
  const [typed, setTyped] = useState(name);
  return (
    <form
      class="key-name-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSave(typed);
      }}
    >
      <input
        type="text"
        aria-label={t('keysNameLabel')}
        aria-describedby={describedBy}
        maxLength={60}
        placeholder={t('keysNamePlaceholder')}
        value={typed}
        onInput={(event) => setTyped(event.currentTarget.value)}
      />
      <button type="submit" disabled={busy || typed.trim() === name}>
        {t('keysNameSave')}
      </button>
    </form>
  );
}
