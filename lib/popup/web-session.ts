/**
 * The popup's side of "Use my RAGFlow session": whether the chosen server's web app is open in a
 * tab, whether the server takes passwords at all, the one-time word on what a password sign-in
 * does to the web app, and the first-run guess of the server from the page the user is on. It
 * follows the {@link PopupController}'s form and hands it the key or the alert; the session value
 * itself stays in the background.
 */
import { isAppError } from '../errors';
import type { KeyFlowStep } from '../messaging/protocol';
import { type ServerUrl, serverUrlOrUndefined } from '../ragflow/server-url';
import { StateStore } from '../ui/state-store';
import type { PopupController, PopupPlatform } from './controller';
import { alertFromError } from '../ui/alert';

export interface WebSessionState {
  /** The server of the form (normalised); null while its URL field holds none. */
  serverUrl: ServerUrl | null;
  /** A tab of that server's web app; null when none is open (or none we may see). */
  tabId: number | null;
  /**
   * From what the background knows of the server (its detection, remembered: no request once
   * known); null until known.
   */
  passwordLoginAllowed: boolean | null;
  /** The server's SSO channels by name, where it takes no passwords (how its users sign in). */
  channels: string[];
  /** No password sign-in from here on this server yet: say once what one does to the web app. */
  warn: boolean;
  /**
   * First run over a page the extension may not reach: its host, offered to check. Nothing is
   * sent there before the user clicks (`checking`); `notRagflow` once it did not answer as RAGFlow.
   */
  pageOffer: PageOffer | null;
  busy: boolean;
  step: KeyFlowStep | null;
}

export interface PageOffer {
  host: string;
  checking: boolean;
  notRagflow: boolean;
}

export interface WebSessionPlatform extends Pick<PopupPlatform, 'send' | 'onProgress' | 'newFlowId'> {
  /** The servers (normalised URLs) with a password sign-in from here: told already. */
  loadWarned(): Promise<string[]>;
  saveWarned(serverUrls: string[]): Promise<void>;
  /** The address of the page the user was on: the most recently used web tab of this window. */
  recentPageUrl(): Promise<string | undefined>;
}

/** Typing a URL changes the server with every key: ask about it once the typing pauses. */
export const FOLLOW_DELAY_MS = 400;

export class WebSessionController extends StateStore<WebSessionState> {
  private started = false;
  private warned = new Set<string>();
  /** The server the state is about; undefined while the popup shows no form. */
  private followed: ServerUrl | null | undefined;
  private followTimer: ReturnType<typeof setTimeout> | undefined;
  /** Counts refreshes, so that a slow answer about a server left since is dropped. */
  private refreshes = 0;
  /** The page the first run looked at, kept for the offer's click. */
  private pageUrl: string | undefined;
  /** The running flow's id; cleared by Cancel, so that its answer is dropped. */
  private runningFlowId: string | undefined;

  constructor(
    private readonly popup: PopupController,
    private readonly platform: WebSessionPlatform,
  ) {
    super({
      serverUrl: null,
      tabId: null,
      passwordLoginAllowed: null,
      channels: [],
      warn: false,
      pageOffer: null,
      busy: false,
      step: null,
    });
    popup.subscribe(() => this.follow());
  }

  /** After the popup's own start: on a first run, the server from the page; then the form. */
  async start(): Promise<void> {
    this.warned = new Set(await this.platform.loadWarned().catch((): string[] => []));
    await this.fillServerFromPage();
    this.started = true;
    this.follow();
  }

  /** Cancel: the background aborts the flow and undoes what it cached; its answer is dropped. */
  cancel(): void {
    const flowId = this.runningFlowId;
    if (flowId === undefined) return;
    this.runningFlowId = undefined;
    void this.platform.send('keys.cancel', { flowId }).catch(() => {});
    this.set({ busy: false, step: null });
  }

  /** "Use my RAGFlow session": the background reads the web app's session and gets the key. */
  async use(): Promise<void> {
    const { serverUrl, tabId } = this.state;
    if (this.state.busy || this.popup.getState().busy || serverUrl === null) return;
    // The web app's session goes to the server: asked about plain http like a password.
    if (!this.popup.allowsCleartext(serverUrl, () => this.use())) return;
    const flowId = this.platform.newFlowId();
    this.runningFlowId = flowId;
    const running = () => this.runningFlowId === flowId;
    this.set({ busy: true, step: 'connecting' });
    this.popup.showAlert(null);
    const stopListening = this.platform.onProgress((event) => {
      if (event.flowId === flowId && running()) this.set({ step: event.step });
    });
    try {
      const result = await this.platform.send('keys.fromWebSession', {
        serverUrl,
        flowId,
        ...(tabId !== null && { tabId }),
      });
      if (running()) await this.popup.showKey(result);
    } catch (error) {
      const alert = alertFromError(error);
      // Access is granted on the options page, as for a password sign-in.
      const needsGrant = isAppError(error, 'no-host-access');
      if (running()) this.popup.showAlert(needsGrant ? { ...alert, grantServerUrl: serverUrl } : alert);
    } finally {
      stopListening();
      if (running()) {
        this.runningFlowId = undefined;
        this.set({ busy: false, step: null });
      }
    }
  }

  override dispose(): void {
    clearTimeout(this.followTimer);
    super.dispose();
  }

  /** Keeps up with the popup: its server, a password sign-in, a server refusing passwords. */
  private follow(): void {
    if (!this.started) return;
    const { view, form, result, alert } = this.popup.getState();
    if (view === 'result' && (result?.source === 'login' || result?.source === 'register')) {
      void this.rememberWarned(result.serverUrl);
    }
    // The server switched password sign-in off since the check (or was not checked): lead with the session.
    if (alert?.messageKey === 'errorPasswordLoginDisabled' && this.state.passwordLoginAllowed !== false) {
      this.set({ passwordLoginAllowed: false });
      // The background read the channels with the refusal (a RESTful server's config waits for
      // one): name them now, from what it remembered.
      if (this.state.serverUrl !== null) void this.loadChannels(this.state.serverUrl);
    }
    if (view !== 'form') {
      // Back on the form later (after Sign out), everything is looked at afresh; a server typed
      // just before the key came is no longer of interest: nothing is asked about it.
      this.followed = undefined;
      clearTimeout(this.followTimer);
      return;
    }
    // What is typed is an edge: the address it makes, if any.
    const serverUrl = serverUrlOrUndefined(form.serverUrl) ?? null;
    if (serverUrl === this.followed) {
      this.reuseAfterGoExpiry();
      return;
    }
    // Opening, or back from the key (Sign out): no typing to wait for.
    const delay = this.followed === undefined ? 0 : FOLLOW_DELAY_MS;
    this.followed = serverUrl;
    clearTimeout(this.followTimer);
    this.followTimer = setTimeout(() => void this.refresh(serverUrl), delay);
  }

  private async refresh(serverUrl: ServerUrl | null): Promise<void> {
    const run = ++this.refreshes;
    const warn = serverUrl !== null && !this.warned.has(serverUrl);
    this.set({ serverUrl, tabId: null, passwordLoginAllowed: null, channels: [], warn });
    if (serverUrl === null) return;
    const [tab, facts] = await Promise.all([
      // No request to the server: the background only looks at the open tabs.
      this.platform.send('webSession.tab', { serverUrl }).catch(() => null),
      // Remembered since the server's first detection (or the page's recognition): no request.
      this.platform.send('server.facts', { serverUrl }).catch(() => null),
    ]);
    if (run !== this.refreshes) return;
    this.set({
      tabId: tab?.tabId ?? null,
      // A server the background could not ask (no access yet, unreachable) is taken to work as
      // usual: with passwords.
      passwordLoginAllowed: facts?.config?.passwordLoginAllowed ?? true,
      channels: facts?.channels?.map((channel) => channel.displayName) ?? [],
    });
    this.reuseAfterGoExpiry();
  }

  /**
   * The Go server ends sessions after 24 hours (docs/ragflow-releases.md, "Session lifetime").
   * With its web app open, that session takes over at once (no password, no login); the sentence
   * that asks for the password stays only when there is none to take.
   */
  private reuseAfterGoExpiry(): void {
    const { alert, view } = this.popup.getState();
    if (view !== 'form' || alert?.messageKey !== 'errorSessionExpiredGo') return;
    if (this.state.tabId !== null && !this.state.busy) void this.use();
  }

  private async loadChannels(serverUrl: ServerUrl): Promise<void> {
    const run = this.refreshes;
    const facts = await this.platform.send('server.facts', { serverUrl }).catch(() => null);
    if (run !== this.refreshes || !facts?.channels) return;
    this.set({ channels: facts.channels.map((channel) => channel.displayName) });
  }

  private async rememberWarned(serverUrl: string): Promise<void> {
    if (this.warned.has(serverUrl)) return;
    this.warned.add(serverUrl);
    if (this.state.serverUrl === serverUrl) this.set({ warn: false });
    try {
      await this.platform.saveWarned([...this.warned]);
    } catch {
      // Not remembered: the sentence shows once more next time, which does no harm.
    }
  }

  /**
   * The user chose to check the page's host (the offer names it): the background asks it now, and
   * the popup fills in the server it found.
   */
  async checkPage(): Promise<void> {
    const { pageOffer } = this.state;
    if (!pageOffer || pageOffer.checking || this.pageUrl === undefined) return;
    this.set({ pageOffer: { ...pageOffer, checking: true, notRagflow: false } });
    const found = await this.recognizePage(this.pageUrl, true);
    this.set({ pageOffer: found ? null : { ...pageOffer, checking: false, notRagflow: true } });
  }

  /** First run, no server set up: the page the user is on may be a RAGFlow web app. */
  private async fillServerFromPage(): Promise<void> {
    const { view, form, servers } = this.popup.getState();
    if (view !== 'form' || form.serverUrl !== '' || servers.length > 0) return;
    this.pageUrl = await this.platform.recentPageUrl().catch(() => undefined);
    if (this.pageUrl !== undefined) await this.recognizePage(this.pageUrl, false);
  }

  /** Whether the page's server was found (and filled in, unless the user typed one meanwhile). */
  private async recognizePage(pageUrl: string, userAsked: boolean): Promise<boolean> {
    try {
      const answer = await this.platform.send('webSession.serverOfPage', { pageUrl, userAsked });
      // What the user typed meanwhile wins: the popup fills only a field never typed in.
      if (answer && 'serverUrl' in answer) this.popup.fillServerUrl(answer.serverUrl);
      if (answer && 'offerHost' in answer) {
        this.set({ pageOffer: { host: answer.offerHost, checking: false, notRagflow: false } });
      }
      return answer !== null && 'serverUrl' in answer;
    } catch {
      // Nothing recognised: the user types the address, as before.
      return false;
    }
  }
}

/**
 * The page the user was on: the active web tab of the window, else the one used last (the popup
 * may itself be a tab). Only http(s) pages: the browser's own pages are never RAGFlow.
 */
export function recentWebPage(
  tabs: readonly { url?: string; active?: boolean; lastAccessed?: number }[],
): string | undefined {
  return tabs
    .filter((tab) => /^https?:\/\//.test(tab.url ?? ''))
    .sort(
      (a, b) => Number(b.active === true) - Number(a.active === true) || (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0),
    )[0]?.url;
}
