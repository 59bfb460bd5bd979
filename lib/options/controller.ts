/**
 * The options page's state and what it does, in plain TypeScript like the popup's controller:
 * components render an {@link OptionsState} and call the actions; everything that touches the
 * browser goes through an {@link OptionsPlatform}.
 */
import { isAppError } from '../errors';
import type { ConnectionTestResult } from '../messaging/protocol';
import { type AlertState, alertFromError, alertOf } from '../ui/alert';
import { originPattern, type ServerUrl, serverUrlOrUndefined } from '../ragflow/server-url';
import { originsToRelease, originToRequest } from '../settings/origins';
import { DEFAULT_PREFERENCES, type Preferences } from '../settings/preferences';
import { DEFAULT_SETTINGS, findServer, type ServerSettings, type Settings } from '../settings/schema';
import type { KeyNotes } from '../settings/key-notes';
import { parseSettingsImport, exportSettings as settingsFile } from '../settings/transfer';
import { type FieldError, validateServerAmong } from '../settings/validate';
import { StateStore } from '../ui/state-store';
import { type DraftField, draftOf, emptyDraft, type ServerDraft, serverFromDraft } from './draft';

/** `asking`: the browser's prompt for it is open, waiting for the user. */
export type AccessStatus = 'granted' | 'not-granted' | 'asking' | 'unknown';

export interface ServerEditor {
  /** The server being edited; undefined while adding one. */
  serverId?: string;
  draft: ServerDraft;
  errors: FieldError[];
}

export type ConnectionTestState = { status: 'running' } | { status: 'done'; result: ConnectionTestResult };

export type ImportOutcome = { status: 'imported' } | { status: 'invalid'; errors: FieldError[] };

export interface OptionsState {
  view: 'loading' | 'ready';
  settings: Settings;
  preferences: Preferences;
  /** Host access per server id. */
  access: Record<string, AccessStatus>;
  editor: ServerEditor | null;
  /** The last "Test connection" per server id. */
  tests: Record<string, ConnectionTestState>;
  /** The server the popup sent the user here for (it needs access). */
  focusedServerId: string | null;
  importOutcome: ImportOutcome | null;
  /** The paste records were just cleared: the page says so. */
  pastesCleared: boolean;
  /** Storage failed: the change was not saved. */
  alert: AlertState | null;
  /**
   * Whether the browser lets auto-clear read the clipboard (Chrome's optional clipboardRead);
   * null where no such permission exists (Firefox) or before it is known.
   */
  clipboardReadGranted: boolean | null;
  /** The server just removed, until the next change: Undo puts it back where it was. */
  removed: RemovedServer | null;
}

export interface RemovedServer {
  server: ServerSettings;
  index: number;
  wasDefault: boolean;
}

/** Chrome's optional clipboardRead permission, which auto-clear needs to check the clipboard. */
export interface ClipboardReadAccess {
  has(): Promise<boolean>;
  /** Must run inside the user's choice, before any await (see requestHostAccess). */
  request(): Promise<boolean>;
  release(): Promise<void>;
}

export interface OptionsPlatform {
  loadSettings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<void>;
  loadPreferences(): Promise<Preferences>;
  savePreferences(preferences: Preferences): Promise<void>;
  hasHostAccess(originPattern: string): Promise<boolean>;
  /**
   * Asks the browser for an origin. Must run inside the user's click, before any await: the
   * browser shows its prompt only during the gesture (w3c/webextensions#918).
   */
  requestHostAccess(originPattern: string): Promise<boolean>;
  releaseHostAccess(originPatterns: string[]): Promise<void>;
  testConnection(serverUrl: ServerUrl): Promise<ConnectionTestResult>;
  /** Offers the text as a file to save. */
  download(fileName: string, text: string): void;
  /** The key names and paste records, by fingerprint (the background keeps them). */
  loadKeyNotes(): Promise<KeyNotes>;
  /** An imported file's notes in place of the stored ones; false when the background refused them. */
  saveKeyNotes(notes: KeyNotes): Promise<boolean>;
  /** Every paste record goes; the names stay. */
  clearPastePlaces(): Promise<void>;
  /** Undefined where auto-clear needs no permission of its own, or does not exist (Firefox). */
  clipboardRead?: ClipboardReadAccess;
  newId(): string;
}

export const EXPORT_FILE_NAME = 'ragflow-keys-settings.json';

/** The fragment the popup opens this page with: `#server=<server URL>`. */
export function serverFromLocationHash(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get('server');
}

export class OptionsController extends StateStore<OptionsState> {
  /** Origins whose permission prompt is open. */
  private readonly askingOrigins = new Set<string>();
  /** Only the latest access check may set the state: an earlier one can answer after it. */
  private accessChecks = 0;

  constructor(private readonly platform: OptionsPlatform) {
    super({
      view: 'loading',
      settings: DEFAULT_SETTINGS,
      preferences: DEFAULT_PREFERENCES,
      access: {},
      editor: null,
      tests: {},
      focusedServerId: null,
      importOutcome: null,
      pastesCleared: false,
      alert: null,
      clipboardReadGranted: null,
      removed: null,
    });
  }

  /** Loads everything; `serverUrl` (from the popup) picks a server, or starts adding it. */
  async start(serverUrl: string | null = null): Promise<void> {
    try {
      const [settings, preferences] = await Promise.all([
        this.platform.loadSettings(),
        this.platform.loadPreferences(),
      ]);
      this.set({ settings, preferences });
    } catch (error) {
      this.set({ alert: alertFromError(error) });
    }
    if (serverUrl !== null) {
      // The page's address is an edge: what it names may be no server address at all.
      const parsed = serverUrlOrUndefined(serverUrl);
      const known = parsed && findServer(this.state.settings, parsed);
      if (known) this.set({ focusedServerId: known.id });
      else this.set({ editor: { draft: emptyDraft(serverUrl), errors: [] } });
    }
    this.set({ view: 'ready' });
    await Promise.all([this.refreshAccess(), this.refreshClipboardRead()]);
  }

  addServer(): void {
    this.set({ editor: { draft: emptyDraft(), errors: [] }, importOutcome: null, removed: null });
  }

  editServer(serverId: string): void {
    const server = this.server(serverId);
    if (server) {
      this.set({ editor: { serverId, draft: draftOf(server), errors: [] }, importOutcome: null, removed: null });
    }
  }

  /**
   * An error said under a field goes as soon as the field is fixed: the fields that have one
   * are checked again as they are typed (the others wait for Save).
   */
  setDraftField<K extends DraftField>(field: K, value: ServerDraft[K]): void {
    const { editor } = this.state;
    if (!editor) return;
    const draft = { ...editor.draft, [field]: value };
    const shown = new Set(editor.errors.map((error) => error.field));
    const errors = shown.size === 0 ? [] : this.check(draft, editor.serverId).filter((error) => shown.has(error.field));
    this.set({ editor: { ...editor, draft, errors } });
  }

  /** What is wrong with a draft, as its form says it. */
  private check(draft: ServerDraft, serverId: string | undefined): FieldError[] {
    const others = this.state.settings.servers.filter((server) => server.id !== serverId);
    const checked = validateServerAmong(serverFromDraft(draft, serverId ?? 'draft'), others);
    if (checked.ok) return [];
    // A blank name is the host's (see serverFromDraft): while the URL has none, the URL's error
    // says what to fix, not "give it a name" under a field whose placeholder says it may stay empty.
    const nameLeftBlank = draft.name.trim() === '';
    return checked.errors.filter((error) => !(nameLeftBlank && error.messageKey === 'errorServerNameRequired'));
  }

  cancelEdit(): void {
    this.set({ editor: null });
  }

  /**
   * Saves the server being edited. Checks it first (synchronously), then asks the browser for
   * its origin before anything is awaited; the server is saved whatever the answer, and shows
   * "no access" with a Grant button until access is given.
   */
  saveServer(): Promise<void> {
    const { editor } = this.state;
    if (!editor) return Promise.resolve();
    const others = this.state.settings.servers.filter((server) => server.id !== editor.serverId);
    const checked = validateServerAmong(
      serverFromDraft(editor.draft, editor.serverId ?? this.platform.newId()),
      others,
    );
    if (!checked.ok) {
      this.set({ editor: { ...editor, errors: this.check(editor.draft, editor.serverId) } });
      return Promise.resolve();
    }
    const answered = this.requestAccessFor(checked.value);
    return this.storeServer(checked.value, answered);
  }

  async removeServer(serverId: string): Promise<void> {
    const before = this.state.settings.servers;
    const index = before.findIndex((server) => server.id === serverId);
    const removed = before[index];
    const servers = before.filter((server) => server.id !== serverId);
    const { defaultServerId } = this.state.settings;
    const settings: Settings = {
      servers,
      ...(servers.length > 0 && { defaultServerId: defaultServerId === serverId ? servers[0]?.id : defaultServerId }),
    };
    if (!(await this.saveSettings(settings))) return;
    this.set({
      tests: without(this.state.tests, serverId),
      editor: this.state.editor?.serverId === serverId ? null : this.state.editor,
      focusedServerId: this.state.focusedServerId === serverId ? null : this.state.focusedServerId,
      removed: removed ? { server: removed, index, wasDefault: defaultServerId === serverId } : null,
    });
    await this.releaseUnused(before, servers);
  }

  /**
   * Undo of Remove: the server back in its place (the default again if it was). Its access, given
   * back at the removal, is asked for again inside this click; its cached sign-in stays forgotten.
   */
  undoRemove(): Promise<void> {
    const { removed } = this.state;
    if (!removed) return Promise.resolve();
    const answered = this.requestAccessFor(removed.server);
    const servers = [...this.state.settings.servers];
    servers.splice(Math.min(removed.index, servers.length), 0, removed.server);
    const { defaultServerId } = this.state.settings;
    const settings: Settings = {
      servers,
      defaultServerId: removed.wasDefault || defaultServerId === undefined ? removed.server.id : defaultServerId,
    };
    return this.saveSettings(settings).then(async (saved) => {
      if (saved) this.set({ removed: null });
      await this.refreshAccess();
      await answered;
    });
  }

  async makeDefault(serverId: string): Promise<void> {
    await this.saveSettings({ ...this.state.settings, defaultServerId: serverId });
  }

  /** The Grant access button: asks the browser at once, inside the click. */
  grantAccess(serverId: string): Promise<void> {
    const server = this.server(serverId);
    return (server && this.requestAccessFor(server)) ?? Promise.resolve();
  }

  async testConnection(serverId: string): Promise<void> {
    const server = this.server(serverId);
    if (!server) return;
    this.set({ tests: { ...this.state.tests, [serverId]: { status: 'running' } } });
    let result: ConnectionTestResult;
    try {
      result = await this.platform.testConnection(server.url);
    } catch (error) {
      // The background could not be asked at all (restarting): still an answer to show.
      const { messageKey, substitutions } = alertFromError(error);
      const kind = isAppError(error) ? error.kind : 'unexpected';
      result = { ok: false, error: { kind, messageKey, substitutions } };
    }
    this.set({ tests: { ...this.state.tests, [serverId]: { status: 'done', result } } });
  }

  async setPreference<K extends keyof Preferences>(name: K, value: Preferences[K]): Promise<void> {
    const access = name === 'clipboardClearSeconds' ? this.platform.clipboardRead : undefined;
    const turningOn = access !== undefined && Number(value) > 0;
    // Asked in the user's choice, before anything is awaited: only then does the browser prompt.
    const asked = turningOn ? access.request().catch(() => false) : undefined;
    if (asked && !(await asked)) {
      // Without it auto-clear could not tell our key from what the user copied since: stays off.
      return this.set({ clipboardReadGranted: false, alert: alertOf('errorClipboardReadRefused') });
    }
    const preferences = { ...this.state.preferences, [name]: value };
    if (access) {
      // Off: the permission goes back, asked for again when auto-clear is turned on.
      if (!turningOn) await access.release().catch(() => undefined);
      this.set({ clipboardReadGranted: turningOn });
    }
    try {
      await this.platform.savePreferences(preferences);
      this.set({ preferences, alert: null });
    } catch (error) {
      this.set({ alert: alertFromError(error) });
    }
  }

  /** The file of settings and preferences; with the key names and paste records only when asked. */
  async exportSettings(includeKeyNotes = false): Promise<void> {
    let notes: KeyNotes | undefined;
    try {
      notes = includeKeyNotes ? await this.platform.loadKeyNotes() : undefined;
    } catch (error) {
      return this.set({ alert: alertFromError(error) });
    }
    this.platform.download(EXPORT_FILE_NAME, settingsFile(this.state.settings, this.state.preferences, notes));
  }

  /** "Clear where keys were pasted". */
  async clearPastePlaces(): Promise<void> {
    try {
      await this.platform.clearPastePlaces();
      this.set({ pastesCleared: true, alert: null });
    } catch (error) {
      this.set({ alert: alertFromError(error) });
    }
  }

  /** Replaces settings and preferences with a file's, only when every field of it is valid. */
  async importSettings(text: string): Promise<void> {
    const parsed = parseSettingsImport(text);
    if (!parsed.ok) return this.set({ importOutcome: { status: 'invalid', errors: parsed.errors } });
    const before = this.state.settings.servers;
    const { settings, preferences, keyNotes } = parsed.value;
    try {
      await Promise.all([this.platform.saveSettings(settings), this.platform.savePreferences(preferences)]);
      // After the settings: notes are kept only for servers set up.
      if (keyNotes) await this.platform.saveKeyNotes(keyNotes);
    } catch (error) {
      return this.set({ alert: alertFromError(error) });
    }
    this.set({
      settings,
      preferences,
      editor: null,
      tests: {},
      focusedServerId: null,
      importOutcome: { status: 'imported' },
      alert: null,
      removed: null,
    });
    await this.releaseUnused(before, settings.servers);
    // Imported servers on new origins show "no access", and auto-clear without its permission
    // says so: a file read is no click to ask in.
    await Promise.all([this.refreshAccess(), this.refreshClipboardRead()]);
  }

  private server(serverId: string): ServerSettings | undefined {
    return this.state.settings.servers.find((server) => server.id === serverId);
  }

  /**
   * Calls the browser synchronously, then shows "asking" until the user answers its prompt.
   * Resolves once the answer shows; undefined when the manifest grants the origin already.
   */
  private requestAccessFor(server: ServerSettings): Promise<void> | undefined {
    const pattern = originToRequest(server.url);
    if (pattern === null) return undefined;
    const answer = this.platform.requestHostAccess(pattern);
    this.askingOrigins.add(pattern);
    void this.refreshAccess();
    return answer
      .catch(() => false)
      .then(() => {
        this.askingOrigins.delete(pattern);
        return this.refreshAccess();
      });
  }

  private async storeServer(server: ServerSettings, accessAnswered: Promise<void> | undefined): Promise<void> {
    const before = this.state.settings.servers;
    const editing = before.some((other) => other.id === server.id);
    const servers = editing ? before.map((other) => (other.id === server.id ? server : other)) : [...before, server];
    // The first server becomes the default: the popup then opens on it.
    const settings: Settings = {
      ...this.state.settings,
      servers,
      defaultServerId: this.state.settings.defaultServerId ?? server.id,
    };
    if (!(await this.saveSettings(settings))) return;
    // A test of the server as it was says nothing about it now.
    this.set({ editor: null, tests: without(this.state.tests, server.id), focusedServerId: null });
    await this.releaseUnused(before, servers);
    await this.refreshAccess();
    // The browser may answer much later (or never, in a test): the page stays usable meanwhile.
    await accessAnswered;
  }

  private async saveSettings(settings: Settings): Promise<boolean> {
    try {
      await this.platform.saveSettings(settings);
      this.set({ settings, alert: null });
      return true;
    } catch (error) {
      this.set({ alert: alertFromError(error) });
      return false;
    }
  }

  /** Gives back the origins no server uses any more; a failure leaves an unused permission, no harm. */
  private async releaseUnused(before: ServerSettings[], after: ServerSettings[]): Promise<void> {
    const unused = originsToRelease(before, after);
    if (unused.length === 0) return;
    await this.platform.releaseHostAccess(unused).catch(() => undefined);
  }

  private async refreshClipboardRead(): Promise<void> {
    const access = this.platform.clipboardRead;
    if (!access) return;
    this.set({ clipboardReadGranted: await access.has().catch(() => false) });
  }

  private async refreshAccess(): Promise<void> {
    const check = ++this.accessChecks;
    const entries = await Promise.all(
      this.state.settings.servers.map(async (server): Promise<[string, AccessStatus]> => {
        const pattern = originPattern(server.url);
        if (this.askingOrigins.has(pattern)) return [server.id, 'asking'];
        try {
          return [server.id, (await this.platform.hasHostAccess(pattern)) ? 'granted' : 'not-granted'];
        } catch {
          return [server.id, 'unknown'];
        }
      }),
    );
    if (check === this.accessChecks) this.set({ access: Object.fromEntries(entries) });
  }
}

function without<V>(record: Record<string, V>, key: string): Record<string, V> {
  return Object.fromEntries(Object.entries(record).filter(([other]) => other !== key));
}
