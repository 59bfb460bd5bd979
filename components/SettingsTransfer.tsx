import { useState } from 'preact/hooks';

import { t } from '../lib/i18n';
import type { ImportOutcome } from '../lib/options/controller';

interface SettingsTransferProps {
  outcome: ImportOutcome | null;
  /** With the key names and paste records when the user asked for them. */
  onExport: (includeKeyNotes: boolean) => void;
  onImport: (text: string) => void;
}

/** Export to a JSON file and import from one; an invalid file lists what is wrong, field by field. */
export function SettingsTransfer({ outcome, onExport, onImport }: SettingsTransferProps) {
  const [includeKeyNotes, setIncludeKeyNotes] = useState(false);
  return (
    <section aria-labelledby="transfer-heading">
      <h2 id="transfer-heading">{t('optionsTransfer')}</h2>
      <p class="hint">{t('optionsTransferHint')}</p>
      <label class="check">
        <input
          type="checkbox"
          checked={includeKeyNotes}
          onChange={(event) => setIncludeKeyNotes(event.currentTarget.checked)}
        />
        {t('optionsExportKeyNotes')}
      </label>
      <div class="actions">
        <button type="button" onClick={() => onExport(includeKeyNotes)}>
          {t('optionsExport')}
        </button>
        {/* The browser labels its own file button in its UI language, whatever the page's ("Choose
          File / No file chosen" in a Chinese page): the input stays, unseen, behind our label. */}
        <input
          id="import-file"
          class="file-input"
          type="file"
          accept=".json,application/json"
          onChange={async (event) => {
            const input = event.currentTarget;
            const file = input.files?.[0];
            if (!file) return;
            const text = await file.text();
            // The same file again must be read again.
            input.value = '';
            onImport(text);
          }}
        />
        <label for="import-file" class="file-button">
          {t('optionsImport')}
        </label>
      </div>
      {outcome?.status === 'imported' && (
        <p class="success" role="status">
          {t('optionsImported')}
        </p>
      )}
      {outcome?.status === 'invalid' && (
        <div class="alert" role="alert">
          <p>{t('optionsImportInvalid')}</p>
          <ul class="import-errors">
            {outcome.errors.map((error) => (
              <li key={`${error.field} ${error.messageKey}`}>
                {error.field && <code>{error.field}</code>}
                {error.field && ': '}
                {t(error.messageKey, error.substitutions)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
