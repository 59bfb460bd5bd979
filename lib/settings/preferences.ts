import { storage } from 'wxt/utils/storage';

import type { Migrations } from './migrations';

/** Seconds after a copy at which the key is cleared from the clipboard; 0 means never. */
export const CLIPBOARD_CLEAR_CHOICES = [0, 10, 30, 60, 120, 300] as const;
export type ClipboardClearSeconds = (typeof CLIPBOARD_CLEAR_CHOICES)[number];

/** How the extension behaves, as opposed to which servers it knows. Holds no secret. */
export interface Preferences {
  /** Clear the copied key from the clipboard after this many seconds, if it is still there. */
  clipboardClearSeconds: ClipboardClearSeconds;
  /** Whether the "paste a RAGFlow API key" item shows in the page's context menu. */
  contextMenuEnabled: boolean;
}

/**
 * Auto-clear starts off: reading the clipboard (to clear it only while it still holds the key)
 * needs a permission that is asked for when the user turns it on, in that click.
 */
export const DEFAULT_PREFERENCES: Preferences = { clipboardClearSeconds: 0, contextMenuEnabled: true };

export const PREFERENCES_VERSION = 1;

/** Version 1 is the first shape: later versions add their migrations here, keyed like settings'. */
export const PREFERENCES_MIGRATIONS = {} satisfies Migrations;

/**
 * The preferences, a typed and versioned item in storage.local of its own: the background reads
 * them on every copy, and they change independently of the server list.
 */
export const preferencesItem = storage.defineItem<Preferences>('local:preferences', {
  fallback: DEFAULT_PREFERENCES,
  version: PREFERENCES_VERSION,
  migrations: PREFERENCES_MIGRATIONS,
});
