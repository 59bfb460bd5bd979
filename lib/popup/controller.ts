/**
 * The popup's one store: its state is a union of what it shows ({@link PopupState}: loading, the
 * form, or the key), with the web-session facts of the form and the key list of the key view as
 * plain sub-state. The components render it and call its actions; nothing watches the state to
 * guess what happened. Everything that touches the browser goes through a {@link PopupPlatform},
 * so the flows are tested without one.
 */
import { type AppError, isAppError } from '../errors';
import { type CachedKey, isKeyFresh } from '../keys/cached-key';
import type { EventMap, KeyFlowStep, KeyResult, MessageName, RequestOf, ResponseOf } from '../messaging/protocol';
import { isCleartextOverNetwork, type ServerUrl, serverUrlOrUndefined } from '../ragflow/server-url';
import { DEFAULT_SETTINGS, defaultServer, findServer, type ServerSettings, type Settings } from '../settings/schema';
import { type AlertState, alertFromError, alertOf, fieldAlertOf } from '../ui/alert';
import { StateStore } from '../ui/state-store';
import { COPIED_CONFIRMATION_MS, copyAndPlanClear } from './copy';
import {
  type Account,
  alertOfSignInError,
  type Checked,
  checkAccount,
  checkNickname,
  checkPassword,
  checkServer,
  defaultNickname,
  fieldOfError,
  noHostAccessAlert,
} from './form';
import type { KeyListActions } from './key-list';
import { closedKeyList, type KeyListState } from './key-list-state';
import { noServerFacts, type WebSessionState } from './web-session';

export { COPIED_CONFIRMATION_MS };

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
interface PopupCommon {
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

/** Errors after which offering to create the account again makes no sense. */
const ENDS_CREATE_OFFER = new Set(['registration-disabled', 'email-already-registered']);

export class PopupController extends StateStore<PopupState> {
  /**
   * The key list's actions, on the `keys` sub-state of the key view; null until the list is first
   * opened, when their code loads ({@link toggleKeyList}).
   */
  keyList: KeyListActions | null = null;
  private keyListLoading: Promise<KeyListActions> | undefined;
  private copiedTimer: ReturnType<typeof setTimeout> | undefined;
  /** The user typed in the Server URL field since the popup opened. */
  private serverUrlTyped = false;
  /** Loaded as the popup opens (see start). */
  private cleartextAllowed = new Set<string>();
  /** What the user did that waits for the answer about plain http. */
  private waitingForCleartext: (() => Promise<void>) | undefined;
  /** The servers told already what a password sign-in does to the web app. */
  private warned = new Set<string>();
  /** Counts the questions about the form's server, so that a slow answer about a server left since is dropped. */
  private serverQuestions = 0;
  /** The page the first run looked at, kept for the offer's click. */
  private pageUrl: string | undefined;
  /**
   * Counts flows and cancels: a flow whose number is no longer the latest was cancelled, and its
   * answer, whenever it comes, changes nothing.
   */
  private attempt = 0;
  /** The running flow's id, for Cancel. */
  private runningFlowId: string | undefined;

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
   * storage with no message to the service worker. Opened by a paste that did nothing, it says why.
   * What is not on screen (the plain-http choices, the form's web-session facts) is read after.
   */
  async start(): Promise<void> {
    void this.loadPasteShortcut();
    const notice = this.platform.pasteNotice().catch(() => null);
    await this.openOnRememberedAccount();
    // No notice to show is the ordinary case.
    const shown = await notice;
    if (shown) this.patch({ alert: shown });
    const [cleartextAllowed, warned] = await Promise.all([
      // Nothing remembered: the popup asks again, which is the safe side.
      this.platform.loadCleartextAllowed().catch((): string[] => []),
      // Not remembered: the sentence shows once more, which does no harm.
      this.platform.loadWarned().catch((): string[] => []),
    ]);
    for (const serverUrl of cleartextAllowed) this.cleartextAllowed.add(serverUrl);
    for (const serverUrl of warned) this.warned.add(serverUrl);
    if (this.state.view !== 'form') return;
    await this.fillServerFromPage();
    await this.askAboutServer(true);
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
    this.patchForm({ form, alert: null, offerCreateAccount: false });
    return this.askAboutServer(true);
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
    if (field !== 'serverUrl') {
      this.patchForm({ form, offerCreateAccount });
      this.recheckField(field);
      return Promise.resolve();
    }
    this.serverUrlTyped = true;
    this.patchForm({ form, offerCreateAccount, serverUrlFilled: false });
    this.recheckField(field);
    return this.askAboutServer(false);
  }

  /**
   * An error said under a field goes as soon as the field is fixed: checked again as it is typed
   * where the check needs no request; the server's word (a wrong password) goes with the edit.
   */
  private recheckField(field: FormField): void {
    if (this.state.alert?.field !== field) return;
    const again =
      field === 'nickname' ? checkNickname(this.state.form.nickname, this.state.form.email) : this.checkForm();
    this.patch({ alert: !again.ok && again.alert.field === field ? again.alert : null });
  }

  /** The Server URL field was left: a server never seen before is detected now (one request). */
  serverUrlLeft(): Promise<void> {
    return this.askAboutServer(true);
  }

  /**
   * "Manage keys": opens or closes the key list. The list's code (its actions, the rows' dates)
   * loads the first time, so that the popup opens on the key alone, with no request and less to read.
   */
  async toggleKeyList(): Promise<void> {
    try {
      await (await this.loadKeyList()).toggle();
    } catch (error) {
      this.patch({ alert: alertFromError(error) });
    }
  }

  /** The key list's actions, their code loaded the first time. */
  loadKeyList(): Promise<KeyListActions> {
    this.keyListLoading ??= import('./key-list').then(
      ({ KeyListActions }) => {
        const actions = new KeyListActions(this.platform, {
          get: () => (this.state.view === 'key' ? this.state.keys : null),
          set: (patch) => {
            if (this.state.view === 'key') this.replace({ ...this.state, keys: { ...this.state.keys, ...patch } });
          },
          // The key field shows the pasting key; '' when the user revoked it and chose none yet.
          currentKeyChanged: (key) => {
            if (this.state.view === 'key')
              this.replace({ ...this.state, result: { ...this.state.result, key: key ?? '' } });
          },
          sessionEnded: (alert, error) => this.backToForm(alert, error),
          confirmCopy: (copied) => this.confirmCopy({ copied: false, keys: copied }),
        });
        this.keyList = actions;
        return actions;
      },
      (error: unknown) => {
        this.keyListLoading = undefined;
        throw error;
      },
    );
    return this.keyListLoading;
  }

  setAlsoLogOutOfServer(value: boolean): void {
    if (this.state.view === 'key') this.replace({ ...this.state, alsoLogOutOfServer: value });
  }

  /** "Get API key": the background's key flow (cache → session → login). */
  async submit(): Promise<void> {
    if (this.state.busy) return;
    const checked = this.checkForm();
    if (!checked.ok) return this.patch({ alert: checked.alert });
    this.patchForm({ alert: null, offerCreateAccount: false });
    // Without a password the background may still answer: from its cached key, or through a
    // cached session token. It says "password required" when it has neither.
    const failure = await this.runKeyFlow(checked.value, 'sign-in');
    await this.takeOverEndedGoSession(failure);
  }

  /**
   * "Use an API key": a key the user already has is the sign-in. No password and no login, so the
   * web app stays signed in (docs/ragflow-releases.md, "Signing in with an API key").
   */
  async signInWithApiKey(): Promise<void> {
    if (this.state.busy) return;
    const server = checkServer(this.state.form.serverUrl);
    if (!server.ok) return this.patch({ alert: server.alert });
    const { serverUrl } = server.value;
    // The key goes to the server: asked about plain http like a password.
    if (!this.allowsCleartext(serverUrl, () => this.signInWithApiKey())) return;
    this.patchForm({ offerCreateAccount: false });
    const { apiKey } = this.state.form;
    await this.runFlow({
      flow: 'api-key',
      send: (flowId) => this.platform.send('keys.fromApiKey', { serverUrl, apiKey, flowId }),
      onAnswer: (result) => this.showKeyOfAccount(result),
      onError: (error) => this.patch({ alert: alertOfSignInError(error, serverUrl) }),
    });
  }

  /** "Create account": the key flow again, this time allowed to register the email. */
  async createAccount(): Promise<void> {
    if (this.state.busy) return;
    const checked = this.checkForm();
    if (!checked.ok) return this.patch({ alert: checked.alert });
    if (this.state.form.password === '') {
      return this.patch({ alert: fieldAlertOf('password', alertOf('popupPasswordForNewAccount')) });
    }
    const nickname = checkNickname(this.state.form.nickname, checked.value.email);
    if (!nickname.ok) return this.patch({ alert: nickname.alert });
    this.patch({ alert: null });
    await this.runKeyFlow(checked.value, 'create', { nickname: nickname.value });
  }

  /** "Use my RAGFlow session": the background reads the web app's session and gets the key. */
  async useWebSession(): Promise<void> {
    if (this.state.view !== 'form' || this.state.busy) return;
    const { serverUrl, tabId } = this.state.web;
    if (serverUrl === null) return;
    // The web app's session goes to the server: asked about plain http like a password.
    if (!this.allowsCleartext(serverUrl, () => this.useWebSession())) return;
    await this.runFlow({
      flow: 'web-session',
      send: (flowId) =>
        this.platform.send('keys.fromWebSession', { serverUrl, flowId, ...(tabId !== null && { tabId }) }),
      onAnswer: (result) => this.showKeyOfAccount(result),
      // Access is granted on the options page, as for a password sign-in.
      onError: (error) => this.patch({ alert: alertOfSignInError(error, serverUrl) }),
    });
  }

  /**
   * Cancel, while a flow runs: the background aborts its request and undoes what it cached; the
   * popup drops its answer and the form stays as it was, password included.
   */
  cancel(): void {
    if (this.runningFlowId === undefined) return;
    this.attempt += 1;
    void this.platform.send('keys.cancel', { flowId: this.runningFlowId }).catch(() => {});
    this.runningFlowId = undefined;
    this.patch({ busy: false, flow: null, step: null, alert: null });
  }

  /**
   * The user chose to check the page's host (the offer names it): the background asks it now, and
   * the popup fills in the server it found.
   */
  async checkPage(): Promise<void> {
    if (this.state.view !== 'form') return;
    const { pageOffer } = this.state.web;
    if (!pageOffer || pageOffer.checking || this.pageUrl === undefined) return;
    this.patchWeb({ pageOffer: { ...pageOffer, checking: true, notRagflow: false } });
    const found = await this.recognizePage(this.pageUrl, true);
    this.patchWeb({ pageOffer: found ? null : { ...pageOffer, checking: false, notRagflow: true } });
    if (found) await this.askAboutServer(true);
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
    } catch (error) {
      this.patch({ alert: alertFromError(error) });
    }
  }

  async copyKey(): Promise<void> {
    const key = this.state.view === 'key' ? this.state.result.key : '';
    if (!key) return;
    const copied = await copyAndPlanClear(this.platform, key);
    if (!copied) return this.patch({ alert: alertOf('popupCopyFailed') });
    if (this.state.view !== 'key') return;
    this.replace({ ...this.state, alert: null, clipboardClearSeconds: copied.clearSeconds });
    this.confirmCopy({ copied: true, keys: null });
  }

  /** Forgets the key (and, if asked, the server session), then back to the form. */
  async signOut(): Promise<void> {
    if (this.state.busy || this.state.view !== 'key') return;
    const { result, alsoLogOutOfServer } = this.state;
    this.patch({ busy: true, alert: null });
    try {
      await this.platform.send('session.signOut', { serverUrl: result.serverUrl, alsoLogOutOfServer });
      await this.backToForm(null);
    } catch (error) {
      this.patch({ alert: alertFromError(error) });
    } finally {
      this.patch({ busy: false });
    }
  }

  /**
   * Whether a password or session may go to this server now. Plain http beyond loopback can be
   * read by anyone on the network, the password's RSA step included (docs/ragflow-api.md,
   * "Password encryption"), so the first time the popup says so in its alert, with a button that
   * lets `action` go ahead. Once per server.
   */
  private allowsCleartext(serverUrl: string, action: () => Promise<void>): boolean {
    if (!this.needsCleartextConsent(serverUrl)) return true;
    this.waitingForCleartext = action;
    this.patch({ alert: { ...alertOf('cleartextWarning', [new URL(serverUrl).host]), cleartextServerUrl: serverUrl } });
    return false;
  }

  /** Plain http beyond loopback, not yet allowed. Not loaded yet (the popup just opened): asking is the safe side. */
  private needsCleartextConsent(serverUrl: string): boolean {
    return isCleartextOverNetwork(serverUrl) && !this.cleartextAllowed.has(serverUrl);
  }

  /** "Send over http": remembered for the server the alert names, then what waited goes ahead. */
  async allowCleartext(): Promise<void> {
    const serverUrl = this.state.alert?.cleartextServerUrl;
    const action = this.waitingForCleartext;
    if (!serverUrl || !action) return;
    this.cleartextAllowed.add(serverUrl);
    this.waitingForCleartext = undefined;
    this.patch({ alert: null });
    // Not remembered: the popup asks again next time, which is the safe side.
    await this.platform.saveCleartextAllowed([...this.cleartextAllowed]).catch(() => {});
    await action();
  }

  override dispose(): void {
    clearTimeout(this.copiedTimer);
    super.dispose();
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

  /** A key got without the form's email (the web app's session, an API key): its account is remembered. */
  private async showKeyOfAccount(result: KeyResult): Promise<void> {
    this.patch({ form: { ...this.state.form, email: result.email } });
    const remembered = this.rememberAccount({ serverUrl: result.serverUrl, email: result.email });
    this.showKey(result);
    await remembered;
  }

  /**
   * Back to the form, from the key (Sign out, or the server no longer taking the session): the
   * one way there. A Go server's session ended by its 24-hour limit (docs/ragflow-releases.md,
   * "Session lifetime") is replaced at once by the open web app's, with no password and no login.
   */
  private async backToForm(alert: AlertState | null, error?: unknown): Promise<void> {
    clearTimeout(this.copiedTimer);
    this.toForm(alert);
    await this.askAboutServer(true);
    await this.takeOverEndedGoSession(error);
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
      this.patch({ form });
    }
  }

  /** What needs no request: the account, and a password that can be encrypted at all. */
  private checkForm(): Checked<Account> {
    const checked = checkAccount(this.state.form);
    if (!checked.ok) return checked;
    const serverHasOwnKey = Boolean(findServer(this.state, checked.value.serverUrl)?.publicKeyPem);
    const passwordAlert = checkPassword(this.state.form.password, serverHasOwnKey);
    return passwordAlert ? { ok: false, alert: passwordAlert } : checked;
  }

  /**
   * Sends `keys.get` at once: the background checks the host permission itself (and says
   * `no-host-access`), and the account is remembered while the request runs.
   */
  private async runKeyFlow(account: Account, flow: Flow, createAccount?: { nickname: string }): Promise<unknown> {
    const again = () => (createAccount ? this.createAccount() : this.submit());
    if (this.needsCleartextConsent(account.serverUrl)) {
      // Only a server the browser lets us reach is worth the question about http: else granting
      // access comes first. The one case where the popup checks the permission itself.
      if (!(await this.platform.hasHostAccess(account.originPattern))) {
        return this.patch({ alert: noHostAccessAlert(account) });
      }
      if (!this.allowsCleartext(account.serverUrl, again)) return;
    }
    const { password } = this.state.form;
    let remembered: Promise<void> | undefined;
    const failure = await this.runFlow({
      flow,
      send: (flowId) => {
        const request = this.platform.send('keys.get', {
          serverUrl: account.serverUrl,
          email: account.email,
          ...(password !== '' && { password }),
          flowId,
          ...(createAccount && { createAccount }),
        });
        // While the request runs: remembering is for the next opening, not for this key.
        remembered = this.rememberAccount(account);
        return request;
      },
      onAnswer: (result) => {
        // The background signed in with the password: the web app's session was rotated, said once.
        if (result.source === 'login' || result.source === 'register') void this.rememberWarned(result.serverUrl);
        this.showKey(result);
      },
      onError: (error) => this.explainKeyFlowError(error, account, createAccount !== undefined),
    });
    await remembered;
    return failure;
  }

  /**
   * Runs one flow of the background, the one way every flow runs: busy, the steps it reports for
   * this flow only, and Cancel, after which its answer, whenever it comes, changes nothing.
   * Resolves with the error the flow ended on, for what follows it.
   */
  private async runFlow<T>(run: {
    flow: Flow;
    send: (flowId: string) => Promise<T>;
    onAnswer: (value: T) => unknown;
    onError: (error: unknown) => unknown;
  }): Promise<unknown> {
    const attempt = ++this.attempt;
    const current = () => attempt === this.attempt;
    const flowId = this.platform.newFlowId();
    this.runningFlowId = flowId;
    this.patch({ busy: true, flow: run.flow, step: 'connecting', alert: null });
    const stopListening = this.platform.onProgress((event) => {
      // Another popup (another window) may run its own flow at the same time.
      if (event.flowId === flowId && current()) this.patch({ step: event.step });
    });
    let failure: unknown;
    try {
      const value = await run.send(flowId);
      if (current()) await run.onAnswer(value);
    } catch (error) {
      if (current()) {
        failure = error;
        await run.onError(error);
      }
    } finally {
      stopListening();
      if (current()) {
        this.runningFlowId = undefined;
        this.patch({ busy: false, flow: null, step: null });
      }
    }
    return failure;
  }

  private async explainKeyFlowError(error: unknown, account: Account, wasCreating: boolean): Promise<void> {
    const kind = isAppError(error) ? error.kind : undefined;
    if (kind === 'no-host-access') {
      return this.patch({ alert: noHostAccessAlert(account) });
    }
    if (kind === 'email-not-registered' && !wasCreating) {
      return this.offerAccountIfAllowed(error, account);
    }
    // Its own key pair: the fix is its public key, in its settings, one click away.
    if (kind === 'password-not-decryptable') {
      return this.patch({ alert: { ...alertFromError(error), publicKeyServerUrl: account.serverUrl } });
    }
    const alert = alertFromError(error);
    const field = fieldOfError(kind);
    this.patchForm({
      alert: field ? fieldAlertOf(field, alert) : alert,
      offerCreateAccount: wasCreating && !(kind !== undefined && ENDS_CREATE_OFFER.has(kind)),
    });
    // The server switched password sign-in off since the check (or was not checked): lead with
    // the session, naming the channels the background read with the refusal.
    if (kind === 'password-login-disabled') {
      this.patchWeb({ passwordLoginAllowed: false });
      await this.askAboutServer(true);
    }
  }

  /** An unknown email: creating the account is one click away, if the server allows it. */
  private async offerAccountIfAllowed(error: unknown, account: Account): Promise<void> {
    let registrationAllowed: boolean;
    try {
      ({ registrationAllowed } = await this.platform.send('server.config', { serverUrl: account.serverUrl }));
    } catch {
      // Without the server's settings, saying that the email is unknown is all we can do.
      return this.patch({ alert: alertFromError(error) });
    }
    if (!registrationAllowed) return this.patch({ alert: alertOf('popupRegistrationClosed') });
    this.patchForm({
      alert: fieldAlertOf('email', alertFromError(error)),
      offerCreateAccount: true,
      form: { ...this.state.form, nickname: defaultNickname(account.email) },
    });
  }

  private async rememberAccount(account: Pick<Account, 'serverUrl' | 'email'>): Promise<void> {
    try {
      await this.platform.remember({ serverUrl: account.serverUrl, email: account.email });
    } catch {
      // Remembering is a convenience; failing to store must not stand between the user and a key.
    }
  }

  // --- The form's server: "Use my RAGFlow session", and what a password sign-in does -----------

  /**
   * Asks the background about the form's server: a tab of its web app, whether it takes
   * passwords, its SSO channels, in one answer. With `detect`, a server never seen is detected
   * (one request); without, only what is remembered is said. An answer about a server the form
   * has left since is dropped.
   */
  private async askAboutServer(detect: boolean): Promise<void> {
    if (this.state.view !== 'form') return;
    const question = ++this.serverQuestions;
    // What is typed is an edge: the address it makes, if any.
    const serverUrl = serverUrlOrUndefined(this.state.form.serverUrl) ?? null;
    const known = this.state.web.serverUrl === serverUrl ? this.state.web : noServerFacts();
    const warn = serverUrl !== null && !this.warned.has(serverUrl);
    this.patchWeb({ ...known, serverUrl, warn, pageOffer: this.state.web.pageOffer });
    if (serverUrl === null) return;
    const status = await this.platform.send('server.status', { serverUrl, detect }).catch(() => null);
    if (question !== this.serverQuestions || this.state.view !== 'form' || !status) return;
    this.patchWeb({
      tabId: status.tabId,
      passwordLoginAllowed: status.passwordLoginAllowed,
      channels: status.channels,
    });
  }

  /**
   * The Go server ends sessions after 24 hours (docs/ragflow-releases.md, "Session lifetime").
   * With its web app open, that session takes over at once; the sentence that asks for the
   * password stays only when there is none to take.
   */
  private async takeOverEndedGoSession(error: unknown): Promise<void> {
    const goExpired = isAppError(error, 'session-expired') && (error as AppError<'session-expired'>).reason === 'go';
    if (!goExpired || this.state.view !== 'form' || this.state.web.tabId === null) return;
    await this.useWebSession();
  }

  private async rememberWarned(serverUrl: string): Promise<void> {
    if (this.warned.has(serverUrl)) return;
    this.warned.add(serverUrl);
    try {
      await this.platform.saveWarned([...this.warned]);
    } catch {
      // Not remembered: the sentence shows once more next time, which does no harm.
    }
  }

  /** First run, no server set up: the page the user is on may be a RAGFlow web app. */
  private async fillServerFromPage(): Promise<void> {
    if (this.state.view !== 'form' || this.state.form.serverUrl !== '' || this.state.servers.length > 0) return;
    this.pageUrl = await this.platform.recentPageUrl().catch(() => undefined);
    if (this.pageUrl !== undefined) await this.recognizePage(this.pageUrl, false);
  }

  /** Whether the page's server was found (and filled in, unless the user typed one meanwhile). */
  private async recognizePage(pageUrl: string, userAsked: boolean): Promise<boolean> {
    try {
      const answer = await this.platform.send('webSession.serverOfPage', { pageUrl, userAsked });
      if (answer && 'serverUrl' in answer) this.fillServerUrl(answer.serverUrl);
      if (answer && 'offerHost' in answer) {
        this.patchWeb({ pageOffer: { host: answer.offerHost, checking: false, notRagflow: false } });
      }
      return answer !== null && 'serverUrl' in answer;
    } catch {
      // Nothing recognised: the user types the address, as before.
      return false;
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
