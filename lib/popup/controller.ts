/**
 * The popup's one store: its state is a union of what it shows ({@link PopupState}: loading, the
 * form, or the key), with the web-session facts of the form and the key list of the key view as
 * plain sub-state. The components render it and call its actions; nothing watches the state to
 * guess what happened. What the actions run (the sign-ins, Cancel, Sign out) is in ./flows.ts,
 * loaded with the first action: opening the popup reads only what paints its first view.
 * Everything that touches the browser goes through a {@link PopupPlatform}, so the flows are
 * tested without one.
 */
import { type CachedKey, isKeyFresh } from '../keys/cached-key';
import type { EventMap, KeyFlowStep, KeyResult, MessageName, RequestOf, ResponseOf } from '../messaging/protocol';
import type { ServerUrl } from '../ragflow/server-url';
import { DEFAULT_SETTINGS, defaultServer, findServer, type ServerSettings, type Settings } from '../settings/schema';
import type { AlertState } from '../ui/alert';
import { StateStore } from '../ui/state-store';
import type { PopupFlows, PopupStoreAccess } from './flows';
import type { KeyListActions } from './key-list';
import { closedKeyList, type KeyListState } from './key-list-state';
import { noServerFacts, type WebSessionState } from './web-session';

/** Long enough to read "Copied", short enough that a second copy shows a fresh confirmation. */
export const COPIED_CONFIRMATION_MS = 2000;

/**
 * What the popup says when something not ours failed (a file that did not load, the browser's
 * own error): the sentence of `unexpected` (lib/errors.ts), written here so that the first view
 * does not read the table of every error.
 */
const UNEXPECTED: AlertState = { messageKey: 'errorUnexpected', substitutions: [] };

export interface FormValues {
  serverUrl: string;
  email: string;
  /** Held only while the popup is open; never stored, cleared once a key is shown. */
  password: string;
  /** For the create-account offer. */
  nickname: string;
  /** "Use an API key": held only while the popup is open, like the password. */
  apiKey: string;
}

export type FormField = keyof FormValues;

/** The flows the popup runs in the background: a sign-in, a new account, the web app's session, an API key. */
export type Flow = 'sign-in' | 'create' | 'web-session' | 'api-key';

/** What every view has. */
export interface PopupCommon {
  /** Kept across views: back on the form, the server and email are still there. */
  form: FormValues;
  /** The servers set up on the options page, for the picker. */
  servers: ServerSettings[];
  /** The paste shortcut as the browser has it ('' when the user removed it); null until known. */
  pasteShortcut: string | null;
  alert: AlertState | null;
  /** A request is running: its buttons are disabled. */
  busy: boolean;
  /** The flow running, whose form shows its steps and Cancel; null when none. */
  flow: Flow | null;
  /** The step the background reports for the running key flow. */
  step: KeyFlowStep | null;
}

export interface FormView {
  view: 'form';
  /** The email has no account and the server allows new ones: offer to create it. */
  offerCreateAccount: boolean;
  /**
   * The Server URL was filled in from the page, not typed: the field selects it, so that typing
   * replaces it instead of adding to it.
   */
  serverUrlFilled: boolean;
  /** The saved server the URL field holds, for the picker; '' when it holds another one (or none). */
  serverId: string;
  /** What the background said of the form's server: its web app, passwords, channels. */
  web: WebSessionState;
}

export interface KeyView {
  view: 'key';
  result: KeyResult;
  /** The key was just copied: the Copy button says so for a moment. */
  copied: boolean;
  /** After a copy, when the background will clear the clipboard; null when it will not. */
  clipboardClearSeconds: number | null;
  alsoLogOutOfServer: boolean;
  /** The key list of the account whose key is shown. */
  keys: KeyListState;
}

/** `loading` until the remembered account and its cached key have been looked up. */
export type PopupState = PopupCommon & ({ view: 'loading' } | FormView | KeyView);

/** The popup's view of the browser and the background. */
export interface PopupPlatform {
  loadRemembered(): Promise<{ serverUrl?: ServerUrl; email?: string }>;
  remember(account: { serverUrl: ServerUrl; email: string }): Promise<void>;
  loadSettings(): Promise<Settings>;
  hasHostAccess(originPattern: string): Promise<boolean>;
  /** The account's key as the key service cached it (its own storage.session item); null when none. */
  loadCachedKey(account: { serverUrl: ServerUrl; email: string }): Promise<CachedKey | null>;
  now(): number;
  /** The options page; with a server, the place there to grant access to it. */
  openOptions(serverUrl?: string): Promise<void>;
  send<K extends MessageName>(name: K, request: RequestOf<K>): Promise<ResponseOf<K>>;
  onProgress(handler: (event: EventMap['keys.progress']) => void): () => void;
  copyText(text: string): Promise<void>;
  newFlowId(): string;
  /** The keyboard shortcut of "Paste RAGFlow key" ('' when none is set). */
  pasteShortcut(): Promise<string>;
  /** Why the last paste in the current tab did nothing, if it just happened. */
  pasteNotice(): Promise<AlertState | null>;
  /** The browser's UI language (dates in the key list). */
  uiLanguage(): string;
  /** The plain-http servers the user agreed to send a password or session to. */
  loadCleartextAllowed(): Promise<string[]>;
  saveCleartextAllowed(serverUrls: string[]): Promise<void>;
  /** The servers (normalised URLs) with a password sign-in from here: told already. */
  loadWarned(): Promise<string[]>;
  saveWarned(serverUrls: string[]): Promise<void>;
  /** The address of the page the user was on: the most recently used web tab of this window. */
  recentPageUrl(): Promise<string | undefined>;
}

export class PopupController extends StateStore<PopupState> {
  private copiedTimer: ReturnType<typeof setTimeout> | undefined;
  /** The user typed in the Server URL field since the popup opened. */
  private serverUrlTyped = false;
  /** What the popup does (./flows.ts): loaded once the first view is on screen. */
  private flows: PopupFlows | undefined;
  private flowsLoading: Promise<PopupFlows> | undefined;

  constructor(private readonly platform: PopupPlatform) {
    super({
      view: 'loading',
      form: { serverUrl: '', email: '', password: '', nickname: '', apiKey: '' },
      servers: [],
      pasteShortcut: null,
      alert: null,
      busy: false,
      flow: null,
      step: null,
    });
  }

  /**
   * Fills the form and, when the account used last has a cached key, shows it at once, read from
   * storage with no message to the service worker. The rest comes once that view is on screen:
   * the flows behind the buttons, why a paste did nothing (when it opened the popup), and the form
   * server's facts.
   */
  async start(): Promise<void> {
    void this.loadPasteShortcut();
    await this.openOnRememberedAccount();
    await this.withFlows((flows) => flows.afterOpen());
  }

  private async loadPasteShortcut(): Promise<void> {
    try {
      this.patch({ pasteShortcut: await this.platform.pasteShortcut() });
    } catch {
      // Without the browser's answer the line stays hidden rather than claim a wrong shortcut.
    }
  }

  /** The picker: a saved server fills the URL (and its email); `''` is "another server". */
  selectServer(serverId: string): Promise<void> {
    const server = this.state.servers.find((candidate) => candidate.id === serverId);
    const form = server
      ? { ...this.state.form, serverUrl: server.url, email: server.email ?? this.state.form.email }
      : { ...this.state.form, serverUrl: '' };
    this.patchForm({ form, alert: null, offerCreateAccount: false, serverId: server?.id ?? '' });
    return this.withFlows((flows) => flows.askAboutServer(true));
  }

  /**
   * Typing in a field. A new Server URL is asked about at once, from what the background knows
   * (no request to the server); a server it has never seen is detected when the field is left
   * ({@link serverUrlLeft}), so that every key press does not reach a half-typed address.
   */
  setField(field: FormField, value: string): Promise<void> {
    const form = { ...this.state.form, [field]: value };
    if (this.state.view !== 'form') {
      this.patch({ form });
      return Promise.resolve();
    }
    // The offer was about the account that was typed; another server or email needs a new check.
    const offerStillApplies = field === 'password' || field === 'nickname';
    const offerCreateAccount = this.state.offerCreateAccount && offerStillApplies;
    if (field === 'serverUrl') {
      this.serverUrlTyped = true;
      this.patchForm({ form, offerCreateAccount, serverUrlFilled: false });
    } else {
      this.patchForm({ form, offerCreateAccount });
    }
    return this.withFlows((flows) => flows.fieldChanged(field));
  }

  /** The Server URL field was left: a server never seen before is detected now (one request). */
  serverUrlLeft(): Promise<void> {
    return this.withFlows((flows) => flows.askAboutServer(true));
  }

  /**
   * "Manage keys": opens or closes the key list. The list's code (its actions, the rows' dates)
   * loads the first time, so that the popup opens on the key alone, with no request and less to read.
   */
  toggleKeyList(): Promise<void> {
    return this.withFlows((flows) => flows.toggleKeyList());
  }

  /** The key list's actions, their code loaded the first time. */
  async loadKeyList(): Promise<KeyListActions> {
    return (this.flows ?? (await this.loadFlows())).loadKeyList();
  }

  /** The key list's actions, for the components: null until the list is first opened. */
  get keyList(): KeyListActions | null {
    return this.flows?.keyList ?? null;
  }

  setAlsoLogOutOfServer(value: boolean): void {
    if (this.state.view === 'key') this.replace({ ...this.state, alsoLogOutOfServer: value });
  }

  /** "Get API key": the background's key flow (cache → session → login). */
  submit(): Promise<void> {
    return this.withFlows((flows) => flows.submit());
  }

  /** "Use an API key": a key the user already has is the sign-in. */
  signInWithApiKey(): Promise<void> {
    return this.withFlows((flows) => flows.signInWithApiKey());
  }

  /** "Create account": the key flow again, this time allowed to register the email. */
  createAccount(): Promise<void> {
    return this.withFlows((flows) => flows.createAccount());
  }

  /** "Use my RAGFlow session": the background reads the web app's session and gets the key. */
  useWebSession(): Promise<void> {
    return this.withFlows((flows) => flows.useWebSession());
  }

  /** Cancel, while a flow runs (none runs before the flows are loaded). */
  cancel(): void {
    this.flows?.cancel();
  }

  /** The first run's offer: check the page's host, which the offer names. */
  checkPage(): Promise<void> {
    return this.withFlows((flows) => flows.checkPage());
  }

  /** Forgets the key (and, if asked, the server session), then back to the form. */
  signOut(): Promise<void> {
    return this.withFlows((flows) => flows.signOut());
  }

  /** "Send over http", for the server the alert names. */
  allowCleartext(): Promise<void> {
    return this.withFlows((flows) => flows.allowCleartext());
  }

  /**
   * Opens the options page at the server that needs access, where a click asks the browser for
   * it (a popup cannot: it closes when the prompt opens).
   */
  async openGrantPage(): Promise<void> {
    const serverUrl = this.state.alert?.grantServerUrl;
    if (!serverUrl) return;
    await this.openOptions(serverUrl);
  }

  /** The button of "could not decrypt the password": the server's settings, for its public key. */
  async openPublicKeySettings(): Promise<void> {
    const serverUrl = this.state.alert?.publicKeyServerUrl;
    if (serverUrl) await this.openOptions(serverUrl);
  }

  /** The popup's Settings link. */
  async openOptions(serverUrl?: string): Promise<void> {
    try {
      await this.platform.openOptions(serverUrl);
    } catch {
      // The browser's own error: not ours to word.
      this.patch({ alert: UNEXPECTED });
    }
  }

  /** Copy, the key view's main action. */
  copyKey(): Promise<void> {
    return this.withFlows((flows) => flows.copyKey());
  }

  override dispose(): void {
    clearTimeout(this.copiedTimer);
    super.dispose();
  }

  /**
   * Runs an action of the flows; their code loads with the first. Once loaded, the action starts
   * in the same task: a second click finds the first one's busy state.
   */
  private async withFlows(run: (flows: PopupFlows) => unknown): Promise<void> {
    let flows: PopupFlows;
    try {
      flows = this.flows ?? (await this.loadFlows());
    } catch {
      // Not one of our errors: the file could not load.
      return this.patch({ alert: UNEXPECTED });
    }
    await run(flows);
  }

  private loadFlows(): Promise<PopupFlows> {
    this.flowsLoading ??= import('./flows')
      .then(({ PopupFlows }) => PopupFlows.load(this.access()))
      .then(
        (flows) => (this.flows = flows),
        (error: unknown) => {
          // The file could not load (the extension was updated under the popup): try again next time.
          this.flowsLoading = undefined;
          throw error;
        },
      );
    return this.flowsLoading;
  }

  /** What the flows may read and change of the store. */
  private access(): PopupStoreAccess {
    return {
      platform: this.platform,
      getState: () => this.state,
      replace: (next) => this.replace(next),
      patch: (patch) => this.patch(patch),
      patchForm: (patch) => this.patchForm(patch),
      patchWeb: (patch) => this.patchWeb(patch),
      toForm: (alert) => this.toForm(alert),
      showKey: (result) => this.showKey(result),
      confirmCopy: (copied) => this.confirmCopy(copied),
      fillServerUrl: (serverUrl) => this.fillServerUrl(serverUrl),
    };
  }

  // --- The state, by view ---------------------------------------------------------------------

  private replace(next: PopupState): void {
    this.replaceState(next);
  }

  private patch(patch: Partial<PopupCommon>): void {
    this.replace({ ...this.state, ...patch });
  }

  /** Changes the form view; the shared part whatever the view. */
  private patchForm(patch: Partial<PopupCommon & Omit<FormView, 'view'>>): void {
    if (this.state.view === 'form') this.replace({ ...this.state, ...patch });
    else this.patch(patch);
  }

  /**
   * Changes the web-session facts; nothing at all when they stay as they are, so that asking
   * again about the same server re-renders nothing (a controlled field being typed in keeps its
   * text and caret).
   */
  private patchWeb(patch: Partial<WebSessionState>): void {
    if (this.state.view !== 'form') return;
    const web = { ...this.state.web, ...patch };
    if (JSON.stringify(web) === JSON.stringify(this.state.web)) return;
    this.replace({ ...this.state, web });
  }

  /** The form, on the server of `form`; its facts are asked for afresh. */
  private toForm(alert: AlertState | null): void {
    clearTimeout(this.copiedTimer);
    const web = noServerFacts();
    this.replace({
      view: 'form',
      form: this.state.form,
      servers: this.state.servers,
      pasteShortcut: this.state.pasteShortcut,
      alert,
      busy: this.state.busy,
      flow: this.state.flow,
      step: this.state.step,
      offerCreateAccount: false,
      serverUrlFilled: false,
      // An exact match: at open the field holds a ServerUrl, a stored or a saved server's own;
      // what is typed later the flows normalise (askAboutServer), as they ask about it.
      serverId: findServer(this.state, this.state.form.serverUrl as ServerUrl)?.id ?? '',
      web,
    });
  }

  private showKey(result: KeyResult): void {
    clearTimeout(this.copiedTimer);
    this.replace({
      view: 'key',
      form: { ...this.state.form, password: '', apiKey: '' },
      servers: this.state.servers,
      pasteShortcut: this.state.pasteShortcut,
      alert: null,
      busy: this.state.busy,
      flow: this.state.flow,
      step: this.state.step,
      result,
      copied: false,
      clipboardClearSeconds: null,
      alsoLogOutOfServer: false,
      keys: closedKeyList({ serverUrl: result.serverUrl, email: result.email }, result.key || null),
    });
  }

  /** The Copy confirmation, for a moment: the key's own, or a key of the list's. */
  private confirmCopy(copied: { copied: boolean; keys: KeyListState['copied'] }): void {
    if (this.state.view !== 'key') return;
    clearTimeout(this.copiedTimer);
    this.replace({ ...this.state, copied: copied.copied, keys: { ...this.state.keys, copied: copied.keys } });
    this.copiedTimer = setTimeout(() => {
      if (this.state.view === 'key')
        this.replace({ ...this.state, copied: false, keys: { ...this.state.keys, copied: null } });
    }, COPIED_CONFIRMATION_MS);
  }

  // --- The key flow -------------------------------------------------------------------------

  /**
   * Shows the cached key of the account used last, if there is one. Otherwise the form, on the
   * server used last; on the default server when there is none yet.
   */
  private async openOnRememberedAccount(): Promise<void> {
    const [remembered, settings] = await Promise.all([
      // Nothing remembered, or no settings, is the same as a first run.
      this.platform.loadRemembered().catch((): { serverUrl?: ServerUrl; email?: string } => ({})),
      this.platform.loadSettings().catch(() => DEFAULT_SETTINGS),
    ]);
    const { serverUrl } = remembered;
    const email = remembered.email ?? '';
    this.patch({ servers: settings.servers, form: { ...this.state.form, serverUrl: serverUrl ?? '', email } });
    if (serverUrl !== undefined && email !== '') {
      // The extension's own cache: no request reaches the server, no message the worker.
      const cached = await this.platform.loadCachedKey({ serverUrl, email }).catch(() => null);
      // The freshness rule of the key service, the same for every reader of the cache.
      if (cached && isKeyFresh(cached, settings, this.platform.now())) return this.showKey(resultOf(cached));
    }
    this.toForm(null);
    // The server used last (or the one a paste asked the popup for) stays; else the default.
    const preselected = serverUrl === undefined ? defaultServer(settings) : undefined;
    if (preselected) {
      const form = { ...this.state.form, serverUrl: preselected.url, email: preselected.email ?? email };
      this.patchForm({ form, serverId: preselected.id });
    }
  }

  /**
   * First run: the server of the page the user is on. Only into a field the user has not typed
   * in: what the user types always wins, even while the recognition was on its way.
   */
  private fillServerUrl(serverUrl: string): void {
    if (this.serverUrlTyped || this.state.view !== 'form' || this.state.form.serverUrl !== '') return;
    this.replace({ ...this.state, form: { ...this.state.form, serverUrl }, serverUrlFilled: true });
  }
}

/** A key read from the cache, as the popup shows it. */
function resultOf(cached: CachedKey): KeyResult {
  const result: KeyResult = { key: cached.key, serverUrl: cached.serverUrl, email: cached.email, source: 'cache' };
  if (cached.viaWebApp) return { ...result, viaWebApp: true };
  return cached.viaApiKey ? { ...result, viaApiKey: true } : result;
}
