/**
 * The one definition of the message bus protocol: each message name with the service call that
 * answers it. Its request and response types are derived from this map (../messaging/protocol.ts),
 * so the pages' sender and the background cannot disagree, and a new message is one line here.
 * Imports are type-only: the services are made and wired in entrypoints/background.ts.
 */
import type { ClipboardAutoClear } from '../clipboard/auto-clear';
import type { keyNotes as KeyNotesStore } from '../keys/key-notes';
import type { ServerUrl } from '../ragflow/server-url';
import type { KeyService } from '../keys/key-service';
import type { KeyNotes } from '../settings/key-notes';
import type { testConnection } from '../servers/connection-test';
import type { Settings } from '../settings/schema';
import type { WebSessionService } from '../web-session/web-session-service';

/** What the background's handlers call on. */
export interface BackgroundServices {
  keys: KeyService;
  /** Key names and paste records (storage.local, by fingerprint). */
  keyNotes: typeof KeyNotesStore;
  /** What an imported file's notes must pass, checked again here whatever the page did. */
  validateKeyNotes(raw: unknown): { ok: true; value: KeyNotes } | { ok: false };
  webSession: WebSessionService;
  clipboard: Pick<ClipboardAutoClear, 'schedule'>;
  /** Test connection, with the server's own public key, remembering what it detects. */
  testConnection(serverUrl: ServerUrl): ReturnType<typeof testConnection>;
  settings(): Promise<Settings>;
}

/**
 * The background's answers to the bus. The services' methods are plain closures, so they are
 * passed as they are; a handler's first parameter is the message's request.
 */
export function createHandlers({
  keys,
  keyNotes,
  validateKeyNotes,
  webSession,
  clipboard,
  testConnection,
  settings,
}: BackgroundServices) {
  return {
    /** The fewest requests to a key: cache → session token → login (→ account, if asked). */
    'keys.get': keys.getKey,
    /** Cancels a running sign-in by its flow id; what it cached is undone. */
    'keys.cancel': keys.cancel,
    /** Forgets every cached session and key of a server. */
    'session.signOut': keys.signOut,
    /** Whether the server allows registration and password sign-in, asked afresh (one request). */
    'server.config': (request: { serverUrl: ServerUrl }) => keys.serverConfig(request.serverUrl),
    /** The options page's "Test connection"; a failure is part of the answer, not an error. */
    'server.test': (request: { serverUrl: ServerUrl }) => testConnection(request.serverUrl),
    /** The saved servers and the default, for the popup's picker (the background owns the item). */
    'settings.get': (_request: Record<string, never>) => settings(),
    /** After the popup copied a key: clear it later if still there. Only its SHA-256 travels. */
    'clipboard.scheduleClear': (request: { fingerprint: string }) => clipboard.schedule(request.fingerprint),
    /**
     * The popup's facts about a server in one answer: a web-app tab, password sign-in, SSO
     * channels (remembered: no request; else one detection, unless `detect` is false).
     */
    'server.status': (request: { serverUrl: ServerUrl; detect?: boolean }) =>
      webSession.serverStatus(request.serverUrl, request.detect),
    /** A key with the web app's own session (no login: the web app stays signed in). */
    'keys.fromWebSession': webSession.getKey,
    /**
     * The RAGFlow server a page belongs to (origin and path prefix), by its detection. A page on an
     * origin the extension may not reach is asked nothing until the user says so (`userAsked`).
     */
    'webSession.serverOfPage': (request: { pageUrl: string; userAsked?: boolean }) =>
      webSession.serverOfPage(request.pageUrl, request.userAsked),
    /** "Use an API key": sign in with a key the user has (no login; the web app stays signed in). */
    'keys.fromApiKey': keys.keyFromApiKey,
    /** Key management, with the cached session token; a 401 drops the session (`session-expired`). */
    'keys.list': keys.listKeys,
    /** A new key, the list's newest; it becomes the pasting key only when there is none. */
    'keys.create': keys.createKey,
    /**
     * Deletes the key on the server; the pasting key, if it was that one, is cleared. The key the
     * account signed in with signs it out (`signedOut`).
     */
    'keys.revoke': keys.revokeKey,
    /** New key → the pasting key → old key revoked; the old key stays valid if any step fails. */
    'keys.rotate': keys.rotateKey,
    /** The user's own name for a key, kept on this machine by the key's fingerprint. */
    'keys.name': keys.nameKey,
    /** Chooses the key that "Paste RAGFlow key" uses. No request to the server. */
    'keys.setCurrent': keys.setCurrentKey,
    /** A live check of a key against its server; unreachable comes back as an error. */
    'keys.verify': keys.verifyKey,
    /**
     * A listed key of the account as a snippet to copy (.env, Python, curl), quoted for its
     * language. Built here rather than in the popup, which keeps within its size budget.
     */
    'keys.copyText': keys.copyText,
    /** The key names and paste records, for an export that asks for them. */
    'keyNotes.export': (_request: Record<string, never>) => keyNotes.all(),
    /** An imported file's notes replace these; only those of servers set up are kept. */
    'keyNotes.import': async (request: { notes: unknown }) => {
      const checked = validateKeyNotes(request.notes);
      if (!checked.ok) return false;
      const servers = (await settings()).servers.map((server) => server.url);
      await keyNotes.replaceAll(checked.value, servers);
      return true;
    },
    /** The preference's "Clear": every paste record goes, the names stay. */
    'keyNotes.clearPlaces': (_request: Record<string, never>) => keyNotes.clearPlaces(),
  } satisfies Record<string, (request: never) => unknown>;
}

/** The protocol: each message name with its handler's type. */
export type BackgroundHandlers = ReturnType<typeof createHandlers>;
