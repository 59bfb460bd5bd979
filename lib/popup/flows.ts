/**
 * What the popup does, as opposed to what it shows first: the sign-ins (password, new account,
 * the web app's session, an API key), Cancel, Copy, Sign out, the key list, the questions about
 * the form's server and about plain http, and the first run's page. The popup's one store
 * ({@link PopupController}) holds the state and the actions the components call; these run
 * behind those actions. They load once the first view is on screen: opening the popup reads only
 * what paints it (tests/e2e/bundle.e2e.test.ts), and the message bus and the errors come after.
 */
import { type AppError, isAppError } from '../errors';
import type { Flow, FormField, FormView, PopupCommon, PopupPlatform, PopupState } from './controller';
import type { KeyResult, ResponseOf } from '../messaging/protocol';
import { isCleartextOverNetwork, type ServerUrl, serverUrlOrUndefined } from '../ragflow/server-url';
import { findServer } from '../settings/schema';
import { type AlertState, alertFromError, alertOf, fieldAlertOf } from '../ui/alert';
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
import { copyAndPlanClear } from './copy';
import type { KeyListActions } from './key-list';
import type { KeyListState } from './key-list-state';
import { noServerFacts, type WebSessionState } from './web-session';

type ServerStatus = ResponseOf<'server.status'>;

/** Errors after which offering to create the account again makes no sense. */
const ENDS_CREATE_OFFER = new Set(['registration-disabled', 'email-already-registered']);

/** The store's side, as its flows see it: its state, and the changes every view shares. */
export interface PopupStoreAccess {
  readonly platform: PopupPlatform;
  getState(): PopupState;
  replace(next: PopupState): void;
  patch(patch: Partial<PopupCommon>): void;
  patchForm(patch: Partial<PopupCommon & Omit<FormView, 'view'>>): void;
  patchWeb(patch: Partial<WebSessionState>): void;
  toForm(alert: AlertState | null): void;
  showKey(result: KeyResult): void;
  /** The Copy confirmation, for a moment: the key's own, or a key of the list's (one timer). */
  confirmCopy(copied: { copied: boolean; keys: KeyListState['copied'] }): void;
  fillServerUrl(serverUrl: string): void;
}

export class PopupFlows {
  /** The key list's actions, on the `keys` sub-state of the key view; null until it first opens. */
  keyList: KeyListActions | null = null;
  private keyListLoading: Promise<KeyListActions> | undefined;
  /** The question about the form's server on its way, if any. */
  private asking: { serverUrl: ServerUrl; detect: boolean; answer: Promise<ServerStatus | null> } | undefined;
  /** Counts the questions about the form's server, so that a slow answer about a server left since is dropped. */
  private serverQuestions = 0;
  /** What the user did that waits for the answer about plain http. */
  private waitingForCleartext: (() => Promise<void>) | undefined;
  /** The page the first run looked at, kept for the offer's click. */
  private pageUrl: string | undefined;
  /**
   * Counts flows and cancels: a flow whose number is no longer the latest was cancelled, and its
   * answer, whenever it comes, changes nothing.
   */
  private attempt = 0;
  /** The running flow's id, for Cancel. */
  private runningFlowId: string | undefined;

  private constructor(
    private readonly store: PopupStoreAccess,
    /** The plain-http servers the user agreed to send a password or session to. */
    private readonly cleartextAllowed: Set<string>,
    /** The servers told already what a password sign-in does to the web app. */
    private readonly warned: Set<string>,
  ) {}

  private get state(): PopupState {
    return this.store.getState();
  }

  /** The flows, with what they need read first: the plain-http servers allowed, the servers told. */
  static async load(store: PopupStoreAccess): Promise<PopupFlows> {
    const [cleartextAllowed, warned] = await Promise.all([
      // Nothing remembered: the popup asks again, which is the safe side.
      store.platform.loadCleartextAllowed().catch((): string[] => []),
      // Not remembered: the sentence shows once more, which does no harm.
      store.platform.loadWarned().catch((): string[] => []),
    ]);
    return new PopupFlows(store, new Set(cleartextAllowed), new Set(warned));
  }

  /** Once the first view is on screen: why a paste did nothing (if one just did), the form server's facts. */
  async afterOpen(): Promise<void> {
    // No notice to show is the ordinary case.
    const notice = await this.store.platform.pasteNotice().catch(() => null);
    if (notice) this.store.patch({ alert: notice });
    if (this.state.view !== 'form') return;
    await this.fillServerFromPage();
    await this.askAboutServer(true);
  }

  /**
   * A field changed (the store holds its new value): its error goes once it is fixed, and a new
   * Server URL is asked about at once, from what the background knows (no request to the server);
   * a server it has never seen is detected when the field is left, so that every key press does
   * not reach a half-typed address.
   */
  fieldChanged(field: FormField): Promise<void> {
    this.recheckField(field);
    return field === 'serverUrl' ? this.askAboutServer(false) : Promise.resolve();
  }

  /** "Manage keys": opens or closes the key list. */
  async toggleKeyList(): Promise<void> {
    try {
      await (await this.loadKeyList()).toggle();
    } catch (error) {
      this.store.patch({ alert: alertFromError(error) });
    }
  }

  /** The key list's actions, their code loaded the first time. */
  loadKeyList(): Promise<KeyListActions> {
    this.keyListLoading ??= import('./key-list').then(
      ({ KeyListActions }) => {
        const { store } = this;
        const actions = new KeyListActions(store.platform, {
          get: () => (this.state.view === 'key' ? this.state.keys : null),
          set: (patch) => {
            const { state } = this;
            if (state.view === 'key') store.replace({ ...state, keys: { ...state.keys, ...patch } });
          },
          // The key field shows the pasting key; '' when the user revoked it and chose none yet.
          currentKeyChanged: (key) => {
            const { state } = this;
            if (state.view === 'key') store.replace({ ...state, result: { ...state.result, key: key ?? '' } });
          },
          sessionEnded: (alert, error) => this.backToForm(alert, error),
          confirmCopy: (copied) => store.confirmCopy({ copied: false, keys: copied }),
        });
        this.keyList = actions;
        return actions;
      },
      (error: unknown) => {
        // The file could not load (the extension was updated under the popup): try again next time.
        this.keyListLoading = undefined;
        throw error;
      },
    );
    return this.keyListLoading;
  }

  async copyKey(): Promise<void> {
    const key = this.state.view === 'key' ? this.state.result.key : '';
    if (!key) return;
    const copied = await copyAndPlanClear(this.store.platform, key);
    if (!copied) return this.store.patch({ alert: alertOf('popupCopyFailed') });
    const { state } = this;
    if (state.view !== 'key') return;
    this.store.replace({ ...state, alert: null, clipboardClearSeconds: copied.clearSeconds });
    this.store.confirmCopy({ copied: true, keys: null });
  }

  /**
   * Asks the background about the form's server: a tab of its web app, whether it takes
   * passwords, its SSO channels, in one answer. With `detect`, a server never seen is detected
   * (one request); without, only what is remembered is said. An answer about a server the form
   * has left since is dropped. The picker follows what is typed.
   */
  async askAboutServer(detect: boolean): Promise<void> {
    if (this.state.view !== 'form') return;
    const question = ++this.serverQuestions;
    // What is typed is an edge: the address it makes, if any.
    const serverUrl = serverUrlOrUndefined(this.state.form.serverUrl) ?? null;
    const serverId = (serverUrl && findServer(this.state, serverUrl)?.id) ?? '';
    if (serverId !== this.state.serverId) this.store.patchForm({ serverId });
    const known = this.state.web.serverUrl === serverUrl ? this.state.web : noServerFacts();
    const warn = serverUrl !== null && !this.warned.has(serverUrl);
    this.store.patchWeb({ ...known, serverUrl, warn, pageOffer: this.state.web.pageOffer });
    if (serverUrl === null) return;
    // The same question on its way already (the form's server asked about as the popup opened,
    // then its field left unchanged): its answer serves, with no second detection.
    const asking = this.asking;
    const shared = asking?.serverUrl === serverUrl && (asking.detect || !detect);
    const status = await (shared ? asking.answer : this.sendServerQuestion(serverUrl, detect));
    if (question !== this.serverQuestions || this.state.view !== 'form' || !status) return;
    this.store.patchWeb({
      tabId: status.tabId,
      passwordLoginAllowed: status.passwordLoginAllowed,
      channels: status.channels,
    });
  }

  private sendServerQuestion(serverUrl: ServerUrl, detect: boolean): Promise<ServerStatus | null> {
    const ask = () => this.store.platform.send('server.status', { serverUrl, detect });
    // A worker stopped mid-request (lib/messaging/errors.ts, backgroundStopped): asked once more,
    // of the new one, since the answers to earlier questions were dropped for this one.
    const answer = ask()
      .catch((error: unknown) => (isAppError(error, 'background-stopped') ? ask() : null))
      .catch(() => null);
    const asking = { serverUrl, detect, answer };
    this.asking = asking;
    void answer.then(() => {
      if (this.asking === asking) this.asking = undefined;
    });
    return answer;
  }

  private async rememberWarned(serverUrl: string): Promise<void> {
    if (this.warned.has(serverUrl)) return;
    this.warned.add(serverUrl);
    try {
      await this.store.platform.saveWarned([...this.warned]);
    } catch {
      // Not remembered: the sentence shows once more next time, which does no harm.
    }
  }

  /**
   * An error said under a field goes as soon as the field is fixed: checked again as it is typed
   * where the check needs no request; the server's word (a wrong password) goes with the edit.
   */
  private recheckField(field: FormField): void {
    if (this.state.alert?.field !== field) return;
    const again =
      field === 'nickname' ? checkNickname(this.state.form.nickname, this.state.form.email) : this.checkForm();
    this.store.patch({ alert: !again.ok && again.alert.field === field ? again.alert : null });
  }

  /** "Get API key": the background's key flow (cache → session → login). */
  async submit(): Promise<void> {
    if (this.state.busy) return;
    const checked = this.checkForm();
    if (!checked.ok) return this.store.patch({ alert: checked.alert });
    this.store.patchForm({ alert: null, offerCreateAccount: false });
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
    if (!server.ok) return this.store.patch({ alert: server.alert });
    const { serverUrl } = server.value;
    // The key goes to the server: asked about plain http like a password.
    if (!this.allowsCleartext(serverUrl, () => this.signInWithApiKey())) return;
    this.store.patchForm({ offerCreateAccount: false });
    const { apiKey } = this.state.form;
    await this.runFlow({
      flow: 'api-key',
      send: (flowId) => this.store.platform.send('keys.fromApiKey', { serverUrl, apiKey, flowId }),
      onAnswer: (result) => this.showKeyOfAccount(result),
      onError: (error) => this.store.patch({ alert: alertOfSignInError(error, serverUrl) }),
    });
  }

  /** "Create account": the key flow again, this time allowed to register the email. */
  async createAccount(): Promise<void> {
    if (this.state.busy) return;
    const checked = this.checkForm();
    if (!checked.ok) return this.store.patch({ alert: checked.alert });
    if (this.state.form.password === '') {
      return this.store.patch({ alert: fieldAlertOf('password', alertOf('popupPasswordForNewAccount')) });
    }
    const nickname = checkNickname(this.state.form.nickname, checked.value.email);
    if (!nickname.ok) return this.store.patch({ alert: nickname.alert });
    this.store.patch({ alert: null });
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
        this.store.platform.send('keys.fromWebSession', { serverUrl, flowId, ...(tabId !== null && { tabId }) }),
      onAnswer: (result) => this.showKeyOfAccount(result),
      // Access is granted on the options page, as for a password sign-in.
      onError: (error) => this.store.patch({ alert: alertOfSignInError(error, serverUrl) }),
    });
  }

  /**
   * Cancel, while a flow runs: the background aborts its request and undoes what it cached; the
   * popup drops its answer and the form stays as it was, password included.
   */
  cancel(): void {
    if (this.runningFlowId === undefined) return;
    this.attempt += 1;
    void this.store.platform.send('keys.cancel', { flowId: this.runningFlowId }).catch(() => {});
    this.runningFlowId = undefined;
    this.store.patch({ busy: false, flow: null, step: null, alert: null });
  }

  /**
   * The user chose to check the page's host (the offer names it): the background asks it now, and
   * the popup fills in the server it found.
   */
  async checkPage(): Promise<void> {
    if (this.state.view !== 'form') return;
    const { pageOffer } = this.state.web;
    if (!pageOffer || pageOffer.checking || this.pageUrl === undefined) return;
    this.store.patchWeb({ pageOffer: { ...pageOffer, checking: true, notRagflow: false } });
    const found = await this.recognizePage(this.pageUrl, true);
    this.store.patchWeb({ pageOffer: found ? null : { ...pageOffer, checking: false, notRagflow: true } });
    if (found) await this.askAboutServer(true);
  }

  /** Forgets the key (and, if asked, the server session), then back to the form. */
  async signOut(): Promise<void> {
    if (this.state.busy || this.state.view !== 'key') return;
    const { result, alsoLogOutOfServer } = this.state;
    this.store.patch({ busy: true, alert: null });
    try {
      await this.store.platform.send('session.signOut', { serverUrl: result.serverUrl, alsoLogOutOfServer });
    } catch (error) {
      return this.store.patch({ alert: alertFromError(error) });
    } finally {
      this.store.patch({ busy: false });
    }
    // Signed out: the form takes input at once, while its server is asked about (an unreachable
    // one answers only when its request times out).
    await this.backToForm(null);
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
    this.store.patch({
      alert: { ...alertOf('cleartextWarning', [new URL(serverUrl).host]), cleartextServerUrl: serverUrl },
    });
    return false;
  }

  /** Plain http beyond loopback, not yet allowed for this server. */
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
    this.store.patch({ alert: null });
    // Not remembered: the popup asks again next time, which is the safe side.
    await this.store.platform.saveCleartextAllowed([...this.cleartextAllowed]).catch(() => {});
    await action();
  }

  /** A key got without the form's email (the web app's session, an API key): its account is remembered. */
  private async showKeyOfAccount(result: KeyResult): Promise<void> {
    this.store.patch({ form: { ...this.state.form, email: result.email } });
    const remembered = this.rememberAccount({ serverUrl: result.serverUrl, email: result.email });
    this.store.showKey(result);
    await remembered;
  }

  /**
   * Back to the form, from the key (Sign out, or the server no longer taking the session): the
   * one way there. A Go server's session ended by its 24-hour limit (docs/ragflow-releases.md,
   * "Session lifetime") is replaced at once by the open web app's, with no password and no login.
   */
  private async backToForm(alert: AlertState | null, error?: unknown): Promise<void> {
    this.store.toForm(alert);
    await this.askAboutServer(true);
    await this.takeOverEndedGoSession(error);
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
      if (!(await this.store.platform.hasHostAccess(account.originPattern))) {
        return this.store.patch({ alert: noHostAccessAlert(account) });
      }
      if (!this.allowsCleartext(account.serverUrl, again)) return;
    }
    const { password } = this.state.form;
    let remembered: Promise<void> | undefined;
    const failure = await this.runFlow({
      flow,
      send: (flowId) => {
        const request = this.store.platform.send('keys.get', {
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
        this.store.showKey(result);
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
    const flowId = this.store.platform.newFlowId();
    this.runningFlowId = flowId;
    this.store.patch({ busy: true, flow: run.flow, step: 'connecting', alert: null });
    const stopListening = this.store.platform.onProgress((event) => {
      // Another popup (another window) may run its own flow at the same time.
      if (event.flowId === flowId && current()) this.store.patch({ step: event.step });
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
        this.store.patch({ busy: false, flow: null, step: null });
      }
    }
    return failure;
  }

  private async explainKeyFlowError(error: unknown, account: Account, wasCreating: boolean): Promise<void> {
    const kind = isAppError(error) ? error.kind : undefined;
    if (kind === 'no-host-access') {
      return this.store.patch({ alert: noHostAccessAlert(account) });
    }
    if (kind === 'email-not-registered' && !wasCreating) {
      return this.offerAccountIfAllowed(error, account);
    }
    // Its own key pair: the fix is its public key, in its settings, one click away.
    if (kind === 'password-not-decryptable') {
      return this.store.patch({ alert: { ...alertFromError(error), publicKeyServerUrl: account.serverUrl } });
    }
    const alert = alertFromError(error);
    const field = fieldOfError(kind);
    this.store.patchForm({
      alert: field ? fieldAlertOf(field, alert) : alert,
      offerCreateAccount: wasCreating && !(kind !== undefined && ENDS_CREATE_OFFER.has(kind)),
    });
    // The server switched password sign-in off since the check (or was not checked): lead with
    // the session, naming the channels the background read with the refusal.
    if (kind === 'password-login-disabled') {
      this.store.patchWeb({ passwordLoginAllowed: false });
      await this.askAboutServer(true);
    }
  }

  /** An unknown email: creating the account is one click away, if the server allows it. */
  private async offerAccountIfAllowed(error: unknown, account: Account): Promise<void> {
    let registrationAllowed: boolean;
    try {
      ({ registrationAllowed } = await this.store.platform.send('server.config', { serverUrl: account.serverUrl }));
    } catch {
      // Without the server's settings, saying that the email is unknown is all we can do.
      return this.store.patch({ alert: alertFromError(error) });
    }
    if (!registrationAllowed) return this.store.patch({ alert: alertOf('popupRegistrationClosed') });
    this.store.patchForm({
      alert: fieldAlertOf('email', alertFromError(error)),
      offerCreateAccount: true,
      form: { ...this.state.form, nickname: defaultNickname(account.email) },
    });
  }

  private async rememberAccount(account: Pick<Account, 'serverUrl' | 'email'>): Promise<void> {
    try {
      await this.store.platform.remember({ serverUrl: account.serverUrl, email: account.email });
    } catch {
      // Remembering is a convenience; failing to store must not stand between the user and a key.
    }
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

  /** First run, no server set up: the page the user is on may be a RAGFlow web app. */
  private async fillServerFromPage(): Promise<void> {
    if (this.state.view !== 'form' || this.state.form.serverUrl !== '' || this.state.servers.length > 0) return;
    this.pageUrl = await this.store.platform.recentPageUrl().catch(() => undefined);
    if (this.pageUrl !== undefined) await this.recognizePage(this.pageUrl, false);
  }

  /** Whether the page's server was found (and filled in, unless the user typed one meanwhile). */
  private async recognizePage(pageUrl: string, userAsked: boolean): Promise<boolean> {
    try {
      const answer = await this.store.platform.send('webSession.serverOfPage', { pageUrl, userAsked });
      if (answer && 'serverUrl' in answer) this.store.fillServerUrl(answer.serverUrl);
      if (answer && 'offerHost' in answer) {
        this.store.patchWeb({ pageOffer: { host: answer.offerHost, checking: false, notRagflow: false } });
      }
      return answer !== null && 'serverUrl' in answer;
    } catch {
      // Nothing recognised: the user types the address, as before.
      return false;
    }
  }
}
