/**
 * The popup's state and what it does, in plain TypeScript: the components only render a
 * {@link PopupState} and call the actions. Everything that touches the browser goes through a
 * {@link PopupPlatform}, so the flows can be tested without one.
 */
import { clipboardFingerprint } from '../clipboard/fingerprint';
import { isAppError } from '../errors';
import { type CachedKey, isKeyFresh } from '../keys/cached-key';
import type { EventMap, KeyFlowStep, KeyResult, MessageName, RequestOf, ResponseOf } from '../messaging/protocol';
import { isCleartextOverNetwork, type ServerUrl } from '../ragflow/server-url';
import { DEFAULT_SETTINGS, defaultServer, findServer, type ServerSettings, type Settings } from '../settings/schema';
import { type AlertState, alertFromError, alertOf, fieldAlertOf } from '../ui/alert';
import { StateStore } from '../ui/state-store';
import {
  type Account,
  type Checked,
  checkAccount,
  checkNickname,
  checkPassword,
  checkServer,
  defaultNickname,
  fieldOfError,
  noHostAccessAlert,
} from './form';
import { KeyListController } from './key-list';

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

export interface PopupState {
  /** `loading` until the remembered account and its cached key have been looked up. */
  view: 'loading' | 'form' | 'result';
  form: FormValues;
  /** A request is running: its buttons are disabled. */
  busy: boolean;
  /** The step the background reports for the running key flow. */
  step: KeyFlowStep | null;
  alert: AlertState | null;
  /** The email has no account and the server allows new ones: offer to create it. */
  offerCreateAccount: boolean;
  result: KeyResult | null;
  /** The key was just copied: the Copy button says so for a moment. */
  copied: boolean;
  /** After a copy, when the background will clear the clipboard; null when it will not. */
  clipboardClearSeconds: number | null;
  alsoLogOutOfServer: boolean;
  /** The servers set up on the options page, for the picker. */
  servers: ServerSettings[];
  /** The paste shortcut as the browser has it ('' when the user removed it); null until known. */
  pasteShortcut: string | null;
  /** The key list of the account whose key is shown. */
  keyList: KeyListController | null;
  /**
   * The Server URL was filled in from the page, not typed: the field selects it, so that typing
   * replaces it instead of adding to it.
   */
  serverUrlFilled: boolean;
}

/** The popup's view of the browser and the background. */
export interface PopupPlatform {
  loadRemembered(): Promise<{ serverUrl?: ServerUrl; email?: string }>;
  remember(account: { serverUrl: ServerUrl; email: string }): Promise<void>;
  loadSettings(): Promise<Settings>;
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
}

/** A key read from the cache, as the popup shows it. */
function resultOf(cached: CachedKey): KeyResult {
  const result: KeyResult = { key: cached.key, serverUrl: cached.serverUrl, email: cached.email, source: 'cache' };
  if (cached.viaApiKey) return { ...result, viaApiKey: true };
  return cached.viaWebApp ? { ...result, viaWebApp: true } : result;
}

/** Long enough to read "Copied", short enough that a second copy shows a fresh confirmation. */
export const COPIED_CONFIRMATION_MS = 2000;

/** Errors after which offering to create the account again makes no sense. */
const ENDS_CREATE_OFFER = new Set(['registration-disabled', 'email-already-registered']);

export class PopupController extends StateStore<PopupState> {
  private copiedTimer: ReturnType<typeof setTimeout> | undefined;
  /** The user typed in the Server URL field since the popup opened. */
  private serverUrlTyped = false;
  /** Loaded as the popup opens (see start). */
  private cleartextAllowed = new Set<string>();
  /** What the user did that waits for the answer about plain http. */
  private waitingForCleartext: (() => Promise<void>) | undefined;
  /**
   * Counts sign-ins and cancels: a sign-in whose number is no longer the latest was cancelled,
   * and its answer, whenever it comes, changes nothing.
   */
  private attempt = 0;
  /** The running key flow's id, for Cancel. */
  private runningFlowId: string | undefined;

  constructor(private readonly platform: PopupPlatform) {
    super({
      view: 'loading',
      form: { serverUrl: '', email: '', password: '', nickname: '', apiKey: '' },
      busy: false,
      step: null,
      alert: null,
      offerCreateAccount: false,
      result: null,
      copied: false,
      clipboardClearSeconds: null,
      alsoLogOutOfServer: false,
      servers: [],
      pasteShortcut: null,
      keyList: null,
      serverUrlFilled: false,
    });
  }

  /**
   * Fills the form and, when the account used last has a cached key, shows it at once, read from
   * storage with no message to the service worker. Opened by a paste that did nothing, it says why.
   * What is not on screen (the plain-http choices) is read after.
   */
  async start(): Promise<void> {
    void this.loadPasteShortcut();
    const notice = this.platform.pasteNotice().catch(() => null);
    await this.openOnRememberedAccount();
    // No notice to show is the ordinary case.
    const shown = await notice;
    if (shown) this.set({ alert: shown });
    await this.loadCleartextAllowed();
  }

  private async loadCleartextAllowed(): Promise<void> {
    try {
      for (const serverUrl of await this.platform.loadCleartextAllowed()) this.cleartextAllowed.add(serverUrl);
    } catch {
      // Nothing remembered: the popup asks again, which is the safe side.
    }
  }

  private async loadPasteShortcut(): Promise<void> {
    try {
      this.set({ pasteShortcut: await this.platform.pasteShortcut() });
    } catch {
      // Without the browser's answer the line stays hidden rather than claim a wrong shortcut.
    }
  }

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
    this.set({ servers: settings.servers, form: { ...this.state.form, serverUrl: serverUrl ?? '', email } });
    if (serverUrl !== undefined && email !== '') {
      // The extension's own cache: no request reaches the server, no message the worker.
      const cached = await this.platform.loadCachedKey({ serverUrl, email }).catch(() => null);
      // The freshness rule of the key service, the same for every reader of the cache.
      if (cached && isKeyFresh(cached, settings, this.platform.now())) return this.showResult(resultOf(cached));
    }
    // The server used last (or the one a paste asked the popup for) stays; else the default.
    const preselected = serverUrl === undefined ? defaultServer(settings) : undefined;
    if (preselected) this.selectServer(preselected.id);
    this.set({ view: 'form' });
  }

  /** The picker: a saved server fills the URL (and its email); `''` is "another server". */
  selectServer(serverId: string): void {
    const server = this.state.servers.find((candidate) => candidate.id === serverId);
    const form = server
      ? { ...this.state.form, serverUrl: server.url, email: server.email ?? this.state.form.email }
      : { ...this.state.form, serverUrl: '' };
    this.set({ form, alert: null, offerCreateAccount: false });
  }

  /**
   * First run: the server of the page the user is on. Only into a field the user has not typed
   * in: what the user types always wins, even while the recognition was on its way.
   */
  fillServerUrl(serverUrl: string): void {
    if (this.serverUrlTyped || this.state.view !== 'form' || this.state.form.serverUrl !== '') return;
    this.set({ form: { ...this.state.form, serverUrl }, serverUrlFilled: true });
  }

  setField(field: FormField, value: string): void {
    if (field === 'serverUrl') {
      this.serverUrlTyped = true;
      if (this.state.serverUrlFilled) this.set({ serverUrlFilled: false });
    }
    const form = { ...this.state.form, [field]: value };
    // The offer was about the account that was typed; another server or email needs a new check.
    const offerStillApplies = field === 'password' || field === 'nickname';
    this.set({ form, offerCreateAccount: this.state.offerCreateAccount && offerStillApplies });
    this.recheckField(field);
  }

  /**
   * An error said under a field goes as soon as the field is fixed: checked again as it is typed
   * where the check needs no request; the server's word (a wrong password) goes with the edit.
   */
  private recheckField(field: FormField): void {
    if (this.state.alert?.field !== field) return;
    const again =
      field === 'nickname' ? checkNickname(this.state.form.nickname, this.state.form.email) : this.checkForm();
    this.set({ alert: !again.ok && again.alert.field === field ? again.alert : null });
  }

  /**
   * Cancel, while a sign-in runs: the background aborts its request and undoes what it cached;
   * the popup drops its answer and the form stays as it was, password included.
   */
  cancel(): void {
    if (!this.state.busy || this.runningFlowId === undefined) return;
    this.attempt += 1;
    void this.platform.send('keys.cancel', { flowId: this.runningFlowId }).catch(() => {});
    this.runningFlowId = undefined;
    this.set({ busy: false, step: null, alert: null });
  }

  /** Whether the sign-in numbered `attempt` was cancelled since it started. */
  private cancelled(attempt: number): boolean {
    return attempt !== this.attempt;
  }

  setAlsoLogOutOfServer(value: boolean): void {
    this.set({ alsoLogOutOfServer: value });
  }

  /** "Get API key": the background's key flow (cache → session → login). */
  async submit(): Promise<void> {
    if (this.state.busy) return;
    const checked = this.checkForm();
    if (!checked.ok) return this.set({ alert: checked.alert });
    const account = checked.value;
    const attempt = ++this.attempt;
    this.set({ busy: true, alert: null, offerCreateAccount: false });
    try {
      // Without a password the background may still answer: from its cached key, or through a
      // cached session token. It says "password required" when it has neither.
      await this.runKeyFlow(account, attempt);
    } catch (error) {
      if (!this.cancelled(attempt)) this.set({ alert: alertFromError(error) });
    } finally {
      if (!this.cancelled(attempt)) this.set({ busy: false, step: null });
    }
  }

  /**
   * "Use an API key": a key the user already has is the sign-in. No password and no login, so the
   * web app stays signed in (docs/ragflow-releases.md, "Signing in with an API key").
   */
  async signInWithApiKey(): Promise<void> {
    if (this.state.busy) return;
    const server = checkServer(this.state.form.serverUrl);
    if (!server.ok) return this.set({ alert: server.alert });
    const { serverUrl } = server.value;
    // The key goes to the server: asked about plain http like a password.
    if (!this.allowsCleartext(serverUrl, () => this.signInWithApiKey())) return;
    const flowId = this.platform.newFlowId();
    const attempt = ++this.attempt;
    this.runningFlowId = flowId;
    this.set({ busy: true, alert: null, offerCreateAccount: false, step: 'connecting' });
    const stopListening = this.platform.onProgress((event) => {
      if (event.flowId === flowId && !this.cancelled(attempt)) this.set({ step: event.step });
    });
    try {
      const result = await this.platform.send('keys.fromApiKey', { serverUrl, apiKey: this.state.form.apiKey, flowId });
      if (!this.cancelled(attempt)) await this.showKey(result);
    } catch (error) {
      const needsGrant = isAppError(error, 'no-host-access');
      if (!this.cancelled(attempt)) {
        this.set({ alert: needsGrant ? noHostAccessAlert(server.value) : alertFromError(error) });
      }
    } finally {
      stopListening();
      if (!this.cancelled(attempt)) {
        this.runningFlowId = undefined;
        this.set({ busy: false, step: null });
      }
    }
  }

  /** "Create account": the key flow again, this time allowed to register the email. */
  async createAccount(): Promise<void> {
    if (this.state.busy) return;
    const checked = this.checkForm();
    if (!checked.ok) return this.set({ alert: checked.alert });
    if (this.state.form.password === '') {
      return this.set({ alert: fieldAlertOf('password', alertOf('popupPasswordForNewAccount')) });
    }
    const nickname = checkNickname(this.state.form.nickname, checked.value.email);
    if (!nickname.ok) return this.set({ alert: nickname.alert });
    const attempt = ++this.attempt;
    this.set({ busy: true, alert: null });
    try {
      await this.runKeyFlow(checked.value, attempt, { nickname: nickname.value });
    } catch (error) {
      if (!this.cancelled(attempt)) this.set({ alert: alertFromError(error) });
    } finally {
      if (!this.cancelled(attempt)) this.set({ busy: false, step: null });
    }
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
      this.set({ alert: alertFromError(error) });
    }
  }

  async copyKey(): Promise<void> {
    const key = this.state.result?.key;
    if (!key) return;
    try {
      await this.platform.copyText(key);
    } catch {
      return this.set({ alert: alertOf('popupCopyFailed') });
    }
    clearTimeout(this.copiedTimer);
    this.set({ copied: true, alert: null });
    this.copiedTimer = setTimeout(() => this.set({ copied: false }), COPIED_CONFIRMATION_MS);
    await this.scheduleClipboardClear(key);
  }

  /** Asks the background to clear the key from the clipboard later; only its hash is sent. */
  private async scheduleClipboardClear(key: string): Promise<void> {
    try {
      const plan = await this.platform.send('clipboard.scheduleClear', {
        fingerprint: await clipboardFingerprint(key),
      });
      this.set({ clipboardClearSeconds: plan.status === 'scheduled' ? plan.seconds : null });
    } catch {
      // The copy worked; without the background, the key just stays in the clipboard.
      this.set({ clipboardClearSeconds: null });
    }
  }

  /** Forgets the key (and, if asked, the server session), then back to the form. */
  async signOut(): Promise<void> {
    const result = this.state.result;
    if (this.state.busy || !result) return;
    this.set({ busy: true, alert: null });
    try {
      await this.platform.send('session.signOut', {
        serverUrl: result.serverUrl,
        alsoLogOutOfServer: this.state.alsoLogOutOfServer,
      });
      clearTimeout(this.copiedTimer);
      this.state.keyList?.dispose();
      this.set({
        view: 'form',
        result: null,
        copied: false,
        clipboardClearSeconds: null,
        alsoLogOutOfServer: false,
        keyList: null,
      });
    } catch (error) {
      this.set({ alert: alertFromError(error) });
    } finally {
      this.set({ busy: false });
    }
  }

  /** Shows a key got another way (the web-session option), remembering its account. */
  async showKey(result: KeyResult): Promise<void> {
    this.set({ form: { ...this.state.form, email: result.email } });
    await this.rememberAccount({ serverUrl: result.serverUrl, email: result.email });
    this.showResult(result);
  }

  /**
   * Whether a password or session may go to this server now. Plain http beyond loopback can be
   * read by anyone on the network, the password's RSA step included (docs/ragflow-api.md,
   * "Password encryption"), so the first time the popup says so in its alert, with a button that
   * lets `action` go ahead. Once per server.
   */
  allowsCleartext(serverUrl: ServerUrl, action: () => Promise<void>): boolean {
    // Not loaded yet (the popup just opened): asking is the safe side.
    if (!isCleartextOverNetwork(serverUrl) || this.cleartextAllowed.has(serverUrl)) return true;
    this.waitingForCleartext = action;
    this.set({ alert: { ...alertOf('cleartextWarning', [new URL(serverUrl).host]), cleartextServerUrl: serverUrl } });
    return false;
  }

  /** "Send over http": remembered for the server the alert names, then what waited goes ahead. */
  async allowCleartext(): Promise<void> {
    const serverUrl = this.state.alert?.cleartextServerUrl;
    const action = this.waitingForCleartext;
    if (!serverUrl || !action) return;
    this.cleartextAllowed.add(serverUrl);
    this.waitingForCleartext = undefined;
    this.set({ alert: null });
    // Not remembered: the popup asks again next time, which is the safe side.
    await this.platform.saveCleartextAllowed([...this.cleartextAllowed]).catch(() => {});
    await action();
  }

  /** Says something in the popup's one alert region (null clears it), for flows outside this class. */
  showAlert(alert: AlertState | null): void {
    this.set({ alert });
  }

  override dispose(): void {
    clearTimeout(this.copiedTimer);
    this.state.keyList?.dispose();
    super.dispose();
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
  private async runKeyFlow(account: Account, attempt: number, createAccount?: { nickname: string }): Promise<void> {
    const again = () => (createAccount ? this.createAccount() : this.submit());
    if (!this.allowsCleartext(account.serverUrl, again)) return;
    if (this.cancelled(attempt)) return;
    const flowId = this.platform.newFlowId();
    this.runningFlowId = flowId;
    this.set({ step: 'connecting' });
    const stopListening = this.platform.onProgress((event) => {
      // Another popup (another window) may run its own flow at the same time.
      if (event.flowId === flowId && !this.cancelled(attempt)) this.set({ step: event.step });
    });
    const request = this.platform.send('keys.get', {
      serverUrl: account.serverUrl,
      email: account.email,
      ...(this.state.form.password !== '' && { password: this.state.form.password }),
      flowId,
      ...(createAccount && { createAccount }),
    });
    // While the request runs: remembering is for the next opening, not for this key.
    const remembered = this.rememberAccount(account);
    try {
      const result = await request;
      if (!this.cancelled(attempt)) this.showResult(result);
    } catch (error) {
      if (!this.cancelled(attempt)) await this.explainKeyFlowError(error, account, createAccount !== undefined);
    } finally {
      stopListening();
      if (this.runningFlowId === flowId) this.runningFlowId = undefined;
      await remembered;
    }
  }

  private async explainKeyFlowError(error: unknown, account: Account, wasCreating: boolean): Promise<void> {
    const kind = isAppError(error) ? error.kind : undefined;
    if (kind === 'no-host-access') {
      return this.set({ alert: noHostAccessAlert(account) });
    }
    if (kind === 'email-not-registered' && !wasCreating) {
      return this.offerAccountIfAllowed(error, account);
    }
    // Its own key pair: the fix is its public key, in its settings, one click away.
    if (kind === 'password-not-decryptable') {
      return this.set({ alert: { ...alertFromError(error), publicKeyServerUrl: account.serverUrl } });
    }
    const alert = alertFromError(error);
    const field = fieldOfError(kind);
    this.set({
      alert: field ? fieldAlertOf(field, alert) : alert,
      offerCreateAccount: wasCreating && !(kind !== undefined && ENDS_CREATE_OFFER.has(kind)),
    });
  }

  /** An unknown email: creating the account is one click away, if the server allows it. */
  private async offerAccountIfAllowed(error: unknown, account: Account): Promise<void> {
    let registrationAllowed: boolean;
    try {
      ({ registrationAllowed } = await this.platform.send('server.config', { serverUrl: account.serverUrl }));
    } catch {
      // Without the server's settings, saying that the email is unknown is all we can do.
      return this.set({ alert: alertFromError(error) });
    }
    if (!registrationAllowed) return this.set({ alert: alertOf('popupRegistrationClosed') });
    this.set({
      alert: fieldAlertOf('email', alertFromError(error)),
      offerCreateAccount: true,
      form: { ...this.state.form, nickname: defaultNickname(account.email) },
    });
  }

  private showResult(result: KeyResult): void {
    clearTimeout(this.copiedTimer);
    this.set({
      view: 'result',
      result,
      form: { ...this.state.form, password: '', apiKey: '' },
      alert: null,
      offerCreateAccount: false,
      copied: false,
      clipboardClearSeconds: null,
      alsoLogOutOfServer: false,
      keyList: this.newKeyList(result),
    });
  }

  /** The key list of the account whose key is shown; closed, so that opening makes no request. */
  private newKeyList(result: KeyResult): KeyListController {
    this.state.keyList?.dispose();
    return new KeyListController({
      platform: this.platform,
      account: { serverUrl: result.serverUrl, email: result.email },
      currentKey: result.key,
      language: this.platform.uiLanguage(),
      hooks: {
        // The key field shows the pasting key; '' when the user revoked it and chose none yet.
        onCurrentKeyChange: (key) => {
          if (this.state.result) this.set({ result: { ...this.state.result, key: key ?? '' } });
        },
        onSessionExpired: (alert) => {
          this.state.keyList?.dispose();
          this.set({ view: 'form', result: null, keyList: null, copied: false, clipboardClearSeconds: null, alert });
        },
      },
    });
  }

  private async rememberAccount(account: Pick<Account, 'serverUrl' | 'email'>): Promise<void> {
    try {
      await this.platform.remember({ serverUrl: account.serverUrl, email: account.email });
    } catch {
      // Remembering is a convenience; failing to store must not stand between the user and a key.
    }
  }
}
