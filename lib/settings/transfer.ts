/**
 * Export and import of the settings and preferences as a JSON file. Neither item holds a secret
 * (sessions and keys live in storage.session only), and an import is rebuilt field by field by
 * the validators, so a file carries servers and preferences and nothing else, unless the user
 * asks for the key names and paste records too (by fingerprint, never a key: lib/keys/key-notes.ts).
 */
import { migrate, SETTINGS_MIGRATIONS, SETTINGS_VERSION } from './migrations';
import { type Preferences, PREFERENCES_MIGRATIONS, PREFERENCES_VERSION } from './preferences';
import type { Settings } from './schema';
import type { KeyNotes } from './key-notes';
import { type FieldError, validateKeyNotes, validatePreferences, validateSettings, type Validated } from './validate';

/** Tells our files from any other JSON. */
export const EXPORT_FORMAT = 'ragflow-keys-settings';

export interface SettingsExport {
  format: typeof EXPORT_FORMAT;
  settingsVersion: number;
  preferencesVersion: number;
  settings: Settings;
  preferences: Preferences;
  /** Only when the user asked for them. */
  keyNotes?: KeyNotes;
}

export interface ImportedSettings {
  settings: Settings;
  preferences: Preferences;
  /** Present only when the file carries them. */
  keyNotes?: KeyNotes;
}

export function exportSettings(settings: Settings, preferences: Preferences, keyNotes?: KeyNotes): string {
  const file: SettingsExport = {
    format: EXPORT_FORMAT,
    settingsVersion: SETTINGS_VERSION,
    preferencesVersion: PREFERENCES_VERSION,
    settings,
    preferences,
    ...(keyNotes && { keyNotes }),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Reads an exported file: older versions are migrated as the stored items would be, then every
 * field is checked. Either the whole file is valid, or every error is reported and nothing is.
 */
export function parseSettingsImport(text: string): Validated<ImportedSettings> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return failure('', 'errorImportNotJson');
  }
  if (typeof raw !== 'object' || raw === null || (raw as SettingsExport).format !== EXPORT_FORMAT) {
    return failure('format', 'errorImportNotOurs');
  }
  const file = raw as Record<string, unknown>;
  const settingsFrom = checkVersion(file.settingsVersion, SETTINGS_VERSION);
  const preferencesFrom = checkVersion(file.preferencesVersion, PREFERENCES_VERSION);
  const versionErrors = [
    ...(settingsFrom === null ? [versionError('settingsVersion', file.settingsVersion)] : []),
    ...(preferencesFrom === null ? [versionError('preferencesVersion', file.preferencesVersion)] : []),
  ];
  if (versionErrors.length > 0 || settingsFrom === null || preferencesFrom === null) {
    return { ok: false, errors: versionErrors };
  }

  const settings = validateSettings(
    migrate(file.settings, settingsFrom, SETTINGS_VERSION, SETTINGS_MIGRATIONS),
    'settings',
  );
  const preferences = validatePreferences(
    migrate(file.preferences, preferencesFrom, PREFERENCES_VERSION, PREFERENCES_MIGRATIONS),
    'preferences',
  );
  const keyNotes = file.keyNotes === undefined ? undefined : validateKeyNotes(file.keyNotes, 'keyNotes');
  if (!settings.ok || !preferences.ok || (keyNotes && !keyNotes.ok)) {
    return {
      ok: false,
      errors: [
        ...(settings.ok ? [] : settings.errors),
        ...(preferences.ok ? [] : preferences.errors),
        ...(keyNotes && !keyNotes.ok ? keyNotes.errors : []),
      ],
    };
  }
  const value: ImportedSettings = { settings: settings.value, preferences: preferences.value };
  return { ok: true, value: keyNotes?.ok ? { ...value, keyNotes: keyNotes.value } : value };
}

/** The version a file was written with, or null when this release cannot read it. */
function checkVersion(value: unknown, current: number): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= current ? value : null;
}

function versionError(field: string, value: unknown): FieldError {
  return {
    field,
    messageKey: 'errorImportVersionUnsupported',
    substitutions: [typeof value === 'number' ? String(value) : '?'],
  };
}

function failure(field: string, messageKey: string): Validated<never> {
  return { ok: false, errors: [{ field, messageKey, substitutions: [] }] };
}
