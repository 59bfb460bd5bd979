/**
 * What the user keeps about each API key on this machine: a name of their own ("n8n prod") and
 * the places the key was pasted into (the origin and when, nothing of the page). Kept in
 * `storage.local`, keyed by a fingerprint of the key, never by the key: keys themselves live in
 * `storage.session` only. A note lasts as long as its key: it goes when the key is revoked,
 * when a list of the account no longer has it, and when its server is removed.
 */
import { browser } from 'wxt/browser';

import { clipboardFingerprint } from '../clipboard/fingerprint';
import type { ServerUrl } from '../ragflow/server-url';
import {
  cleanKeyName,
  KEY_NOTES_STORAGE_KEY,
  type KeyNote,
  type KeyNotes,
  MAX_PLACES_PER_KEY,
  placeOrigin,
} from '../settings/key-notes';

export type { KeyNote, KeyNotes, PastePlace } from '../settings/key-notes';

/**
 * The fingerprint a key's note is kept under: SHA-256 of the key, hex. A key has 43 random
 * characters, so the hash gives nothing away; it is the same hash the clipboard auto-clear keeps.
 */
export const keyFingerprint = clipboardFingerprint;

async function readNotes(): Promise<KeyNotes> {
  const items = await browser.storage.local.get(KEY_NOTES_STORAGE_KEY);
  const notes = items[KEY_NOTES_STORAGE_KEY];
  return notes && typeof notes === 'object' ? (notes as KeyNotes) : {};
}

async function writeNotes(notes: KeyNotes): Promise<void> {
  if (Object.keys(notes).length === 0) await browser.storage.local.remove(KEY_NOTES_STORAGE_KEY);
  else await browser.storage.local.set({ [KEY_NOTES_STORAGE_KEY]: notes });
}

/** Read-modify-write of the notes, one at a time: a paste and a rename must not undo each other. */
let queue: Promise<unknown> = Promise.resolve();
function change(edit: (notes: KeyNotes) => KeyNotes | Promise<KeyNotes>): Promise<void> {
  const next = queue.then(async () => writeNotes(await edit(await readNotes())));
  queue = next.catch(() => {});
  return next;
}

/** A note with nothing left in it is no note. */
function withoutEmpty(notes: KeyNotes): KeyNotes {
  return Object.fromEntries(Object.entries(notes).filter(([, note]) => note.name || note.places.length > 0));
}

export interface KeyOwner {
  serverUrl: ServerUrl;
  email: string;
}

function noteFor(notes: KeyNotes, fingerprint: string, owner: KeyOwner): KeyNote {
  return notes[fingerprint] ?? { serverUrl: owner.serverUrl, email: owner.email.trim().toLowerCase(), places: [] };
}

export const keyNotes = {
  async all(): Promise<KeyNotes> {
    await queue;
    return readNotes();
  },

  /** The notes of these keys, by key. */
  async forKeys(tokens: readonly string[]): Promise<Map<string, KeyNote>> {
    const notes = await this.all();
    const found = new Map<string, KeyNote>();
    for (const token of tokens) {
      const note = notes[await keyFingerprint(token)];
      if (note) found.set(token, note);
    }
    return found;
  },

  /** Remembers that the key went to `origin` now; nothing when the origin has nothing to keep. */
  async recordPaste(owner: KeyOwner, token: string, origin: string, at: number): Promise<void> {
    const kept = placeOrigin(origin);
    if (kept === undefined) return;
    const fingerprint = await keyFingerprint(token);
    await change((notes) => {
      const note = noteFor(notes, fingerprint, owner);
      const places = [{ origin: kept, at }, ...note.places.filter((place) => place.origin !== kept)];
      return { ...notes, [fingerprint]: { ...note, places: places.slice(0, MAX_PLACES_PER_KEY) } };
    });
  },

  /** Names the key; a blank name removes the name. */
  async setName(owner: KeyOwner, token: string, name: string): Promise<string | undefined> {
    const cleaned = cleanKeyName(name);
    const fingerprint = await keyFingerprint(token);
    await change((notes) => {
      const { name: _old, ...note } = noteFor(notes, fingerprint, owner);
      return withoutEmpty({ ...notes, [fingerprint]: cleaned === undefined ? note : { ...note, name: cleaned } });
    });
    return cleaned;
  },

  /** Gives the new key of a rotation the old key's name (the places were the old key's). */
  async carryName(owner: KeyOwner, from: string, to: string): Promise<void> {
    const [fromPrint, toPrint] = await Promise.all([keyFingerprint(from), keyFingerprint(to)]);
    await change((notes) => {
      const name = notes[fromPrint]?.name;
      if (name === undefined) return notes;
      return { ...notes, [toPrint]: { ...noteFor(notes, toPrint, owner), name } };
    });
  },

  /** Forgets the notes of keys that are gone (revoked). */
  async forgetKeys(tokens: readonly string[]): Promise<void> {
    const prints = new Set(await Promise.all(tokens.map((token) => keyFingerprint(token))));
    await change((notes) => Object.fromEntries(Object.entries(notes).filter(([print]) => !prints.has(print))));
  },

  /**
   * After a list of the account: the notes of its keys not listed any more go (revoked in the
   * web app, the CLI, another browser). Notes of the server's other accounts stay.
   */
  async keepOnlyListed(owner: KeyOwner, tokens: readonly string[]): Promise<void> {
    const listed = new Set(await Promise.all(tokens.map((token) => keyFingerprint(token))));
    const email = owner.email.trim().toLowerCase();
    await change((notes) =>
      Object.fromEntries(
        Object.entries(notes).filter(
          ([print, note]) => note.serverUrl !== owner.serverUrl || note.email !== email || listed.has(print),
        ),
      ),
    );
  },

  /** Forgets every note of a server: it was removed from the settings. */
  async forgetServer(serverUrl: ServerUrl): Promise<void> {
    await change((notes) =>
      Object.fromEntries(Object.entries(notes).filter(([, note]) => note.serverUrl !== serverUrl)),
    );
  },

  /**
   * An import's notes (checked field by field first: lib/settings/validate.ts) in place of these.
   * Only those of servers still set up stay: no note may outlive its server.
   */
  async replaceAll(notes: KeyNotes, serverUrls: readonly string[]): Promise<void> {
    const kept = new Set(serverUrls);
    await change(() => Object.fromEntries(Object.entries(notes).filter(([, note]) => kept.has(note.serverUrl))));
  },

  /** "Clear where keys went": every recorded place goes; the names stay. */
  async clearPlaces(): Promise<void> {
    await change((notes) =>
      withoutEmpty(Object.fromEntries(Object.entries(notes).map(([print, note]) => [print, { ...note, places: [] }]))),
    );
  },
};
