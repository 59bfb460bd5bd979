import { defineVersionedItem } from './versioned-item';

import type { Migrations } from './migrations';
import { isRecord } from '../shared/is-record';

/** Seconds after a copy at which the key is cleared from the clipboard; 0 means never. */
export const CLIPBOARD_CLEAR_CHOICES = [0, 10, 30, 60, 120, 300] as const;
export type ClipboardClearSeconds = (typeof CLIPBOARD_CLEAR_CHOICES)[number];

/** How the extension behaves, as opposed to which servers it knows. Holds no secret. */
export interface Preferences {
  /** Clear the copied key from the clipboard after this many seconds, if it is still there. */
  clipboardClearSeconds: ClipboardClearSeconds;
  /** Whether the "paste a RAGFlow API key" item shows in the page's context menu. */
  contextMenuEnabled: boolean;
  /** Whether each paste records, locally, the origin the key went to and when (lib/keys/key-notes.ts). */
  recordPastes: boolean;
}

/**
 * Auto-clear starts off: reading the clipboard (to clear it only while it still holds the key)
 * needs a permission that is asked for when the user turns it on, in that click.
 */
export const DEFAULT_PREFERENCES: Preferences = {
  clipboardClearSeconds: 0,
  contextMenuEnabled: true,
  recordPastes: true,
};

export const PREFERENCES_VERSION = 2;

/** Version 1: before paste records. */
export interface PreferencesV1 {
  clipboardClearSeconds: ClipboardClearSeconds;
  contextMenuEnabled: boolean;
}

/**
 * 1 → 2: paste records start on, as for a new install (they stay on this machine). A value that is
 * not even version 1's shape (a hand-edited import) is left for the validators to report.
 */
export function preferencesV1ToV2(old: PreferencesV1): Preferences {
  if (!isRecord(old)) return old as unknown as Preferences;
  return { ...old, recordPastes: true };
}

/** Migrations keyed by the version each one produces, like settings'. */
export const PREFERENCES_MIGRATIONS = { 2: preferencesV1ToV2 } satisfies Migrations;

/**
 * The preferences, a typed and versioned item in storage.local of its own: the background reads
 * them on every copy, and they change independently of the server list.
 */
export const preferencesItem = defineVersionedItem<Preferences>('local:preferences', {
  fallback: DEFAULT_PREFERENCES,
  version: PREFERENCES_VERSION,
  migrations: PREFERENCES_MIGRATIONS,
});
