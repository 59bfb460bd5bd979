/**
 * The shape of the key notes: a user's names for API keys and the places each was pasted into,
 * kept in `storage.local` by a fingerprint of the key (the store is lib/keys/key-notes.ts). Here,
 * below every feature, so that an import can check a file's notes as the store writes them.
 */
import type { ServerUrl } from '../ragflow/server-url';

/** One origin a key was pasted into, and the last time it was. */
export interface PastePlace {
  /** `scheme://host[:port]`: never a path, a query or anything the page holds. */
  origin: string;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface KeyNote {
  /** The key's server: removing the server forgets the note. */
  serverUrl: ServerUrl;
  /** The account, lower case: a list of that account alone says whether the key still exists. */
  email: string;
  /** The user's own name for the key; absent when none was given. */
  name?: string;
  /** Newest first, one entry per origin. */
  places: PastePlace[];
}

/** Every note, by the fingerprint of its key. */
export type KeyNotes = Record<string, KeyNote>;

/** The `storage.local` key of the notes. */
export const KEY_NOTES_STORAGE_KEY = 'keyNotes';
/** As long as a name the key manager and a menu item can show on one line. */
export const KEY_NAME_MAX_LENGTH = 60;
/** Places a key keeps: the newest, so a key pasted on a hundred sites still fits in a row. */
export const MAX_PLACES_PER_KEY = 20;

/**
 * The origin a paste record keeps, or undefined for one with nothing to keep (opaque origins:
 * `null`, `data:`, sandboxed frames). Only scheme, host and port survive, whatever is passed in.
 */
export function placeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/** A name as the user typed it, trimmed and cut to fit; undefined for a blank one (no name). */
export function cleanKeyName(name: string): string | undefined {
  const trimmed = name.replace(/\s+/g, ' ').trim();
  return trimmed === '' ? undefined : [...trimmed].slice(0, KEY_NAME_MAX_LENGTH).join('');
}
