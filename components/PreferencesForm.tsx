import { durationText, t } from '../lib/i18n';
import { CLIPBOARD_CLEAR_CHOICES, type ClipboardClearSeconds, type Preferences } from '../lib/settings/preferences';

interface PreferencesFormProps {
  preferences: Preferences;
  /** False in Firefox: the background cannot reach the clipboard there. */
  clipboardAutoClearAvailable: boolean;
  /** Auto-clear is on, but the browser no longer lets it read the clipboard (an update, an import). */
  clipboardReadMissing: boolean;
  /** The browser's UI language, by name: the extension follows it. */
  uiLanguage: string;
  onChange: <K extends keyof Preferences>(name: K, value: Preferences[K]) => void;
  /** The paste records were just cleared. */
  pastesCleared: boolean;
  onClearPastes: () => void;
}

/** Clipboard auto-clear, the context-menu item, and a word on the language. */
export function PreferencesForm({
  preferences,
  clipboardAutoClearAvailable,
  clipboardReadMissing,
  uiLanguage,
  onChange,
  pastesCleared,
  onClearPastes,
}: PreferencesFormProps) {
  return (
    <section aria-labelledby="preferences-heading">
      <h2 id="preferences-heading">{t('optionsPreferences')}</h2>

      <label for="clipboard-clear">{t('optionsClipboardClear')}</label>
      <select
        id="clipboard-clear"
        aria-describedby="clipboard-clear-hint"
        value={String(preferences.clipboardClearSeconds)}
        disabled={!clipboardAutoClearAvailable}
        onChange={(event) =>
          onChange('clipboardClearSeconds', Number(event.currentTarget.value) as ClipboardClearSeconds)
        }
      >
        {CLIPBOARD_CLEAR_CHOICES.map((seconds) => (
          <option key={seconds} value={String(seconds)}>
            {seconds === 0 ? t('optionsClipboardClearOff') : durationText(seconds)}
          </option>
        ))}
      </select>
      <p class="hint" id="clipboard-clear-hint">
        {clipboardAutoClearAvailable ? t('optionsClipboardClearHint') : t('optionsClipboardClearUnavailable')}
        {clipboardReadMissing && ` ${t('optionsClipboardReadMissing')}`}
      </p>

      <label class="check">
        <input
          type="checkbox"
          checked={preferences.contextMenuEnabled}
          onChange={(event) => onChange('contextMenuEnabled', event.currentTarget.checked)}
        />
        {t('optionsContextMenu')}
      </label>

      <label class="check">
        <input
          type="checkbox"
          aria-describedby="record-pastes-hint"
          checked={preferences.recordPastes}
          onChange={(event) => onChange('recordPastes', event.currentTarget.checked)}
        />
        {t('optionsRecordPastes')}
      </label>
      <p class="hint" id="record-pastes-hint">
        {t('optionsRecordPastesHint')}
      </p>
      <button type="button" onClick={onClearPastes}>
        {t('optionsClearPastes')}
      </button>
      <span role="status">{pastesCleared && t('optionsPastesCleared')}</span>

      <p class="hint">{t('optionsLanguage', [uiLanguage])}</p>
    </section>
  );
}
