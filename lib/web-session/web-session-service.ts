/**
 * "Use my RAGFlow session": a key with the session the RAGFlow web app already has in this
 * browser, instead of a login. Every password login rotates the user's token and so signs the
 * web app out (docs/ragflow-api.md, "Every login rotates the session"); SSO users have no password at all. The session value is read in
 * the background and never travels through the popup. The browser calls are injected (./browser.ts),
 * so the decisions are tested without a browser.
 */
import { isAppError } from '../errors';
import { noHostAccess } from '../keys/errors';
import type { KeyService } from '../keys/key-service';
import type { KeyResult, PageServer, ServerFacts, ServerStatus, WebSessionKeyRequest } from '../messaging/protocol';
import type { ServerUrl } from '../ragflow/server-url';
import { webAppNotOpen, webSessionMissing } from './errors';
import type { WebAppSession } from './read-session';
import { serverUrlCandidates, type TabInfo, webAppTabs } from './web-app';

export interface WebSessionDeps {
  /** Whether the browser lets the extension reach (and script) this server's origin. */
  hasHostAccess(serverUrl: ServerUrl): Promise<boolean>;
  /** The open tabs whose address the extension may see: its host permissions, or the activeTab grant. */
  tabs(): Promise<TabInfo[]>;
  /** Runs readWebAppSession in the tab's top frame; throws when the browser refuses or the tab is gone. */
  readSession(tabId: number): Promise<WebAppSession>;
  keyFromSession: KeyService['keyFromSession'];
  /** Resolves when the base URL is a RAGFlow server (its detection, remembered); throws otherwise. */
  recognize(serverUrl: ServerUrl): Promise<unknown>;
  /** What is known of a server: remembered (no request), else from a detection (one request). */
  serverFacts: KeyService['serverFacts'];
  /** What is remembered of a server, with no request; undefined when nothing is. */
  knownFacts(serverUrl: ServerUrl): Promise<ServerFacts | undefined>;
}

export interface WebSessionService {
  findTab(serverUrl: ServerUrl): Promise<{ tabId: number } | null>;
  /**
   * The popup's facts about a server, in one answer: a tab of its web app, whether it takes
   * passwords, and its SSO channels. `detect: false` asks the server nothing (a URL being typed).
   */
  serverStatus(serverUrl: ServerUrl, detect?: boolean): Promise<ServerStatus>;
  getKey(request: WebSessionKeyRequest): Promise<KeyResult>;
  serverOfPage(pageUrl: string, userAsked?: boolean): Promise<PageServer>;
}

export function createWebSessionService(deps: WebSessionDeps): WebSessionService {
  /** The web app's session from the first of its tabs that can be read, still on that server. */
  async function readFromTabs(serverUrl: ServerUrl, preferredTabId?: number): Promise<WebAppSession> {
    for (const tab of webAppTabs(await deps.tabs(), serverUrl, preferredTabId)) {
      let session: WebAppSession;
      try {
        session = await deps.readSession(tab.id);
      } catch {
        // Closed or refused since it was listed: another tab of the web app may do.
        continue;
      }
      // Checked where it was read: the tab may have navigated to another site since it was listed.
      if (webAppTabs([{ ...tab, url: session.href }], serverUrl).length > 0) return session;
    }
    throw webAppNotOpen(serverUrl);
  }

  return {
    async findTab(serverUrl) {
      const [best] = webAppTabs(await deps.tabs(), serverUrl);
      return best ? { tabId: best.id } : null;
    },

    async serverStatus(serverUrl, detect = true) {
      const [tabs, facts] = await Promise.all([
        // No request to the server: only the open tabs are looked at.
        deps.tabs().catch((): TabInfo[] => []),
        // A server that could not be asked (no access yet, unreachable) works as usual: with passwords.
        (detect ? deps.serverFacts(serverUrl) : deps.knownFacts(serverUrl)).catch(() => undefined),
      ]);
      const [tab] = webAppTabs(tabs, serverUrl);
      return {
        serverUrl,
        tabId: tab?.id ?? null,
        passwordLoginAllowed: facts?.config?.passwordLoginAllowed ?? true,
        channels: facts?.channels?.map((channel) => channel.displayName) ?? [],
      };
    },

    async getKey(request) {
      const { serverUrl } = request;
      // Before reading anything: without access the session could not be used anyway.
      if (!(await deps.hasHostAccess(serverUrl))) throw noHostAccess(new URL(serverUrl).host);
      const { authorization } = await readFromTabs(serverUrl, request.tabId);
      if (!authorization) throw webSessionMissing();
      try {
        return await deps.keyFromSession({ serverUrl, authorization, flowId: request.flowId });
      } catch (error) {
        // Expired, or rotated by a login elsewhere: the web app itself is signed out by now.
        if (isAppError(error, 'session-expired')) throw webSessionMissing();
        throw error;
      }
    },

    async serverOfPage(pageUrl, userAsked = false) {
      const candidates = serverUrlCandidates(pageUrl);
      const [origin] = candidates;
      if (origin === undefined) return null;
      // Nothing goes to a site the user has not chosen: only an origin the extension may reach
      // already (its permissions; the activeTab grant does not count), or one the user named by
      // clicking the popup's offer. Any other page is asked nothing.
      if (!userAsked && !(await deps.hasHostAccess(origin))) return { offerHost: new URL(origin).host };
      // One candidate at a time, the origin first: usually the only request is that one, and it
      // is the server's detection too. A page title proves nothing; RAGFlow's answer does. No
      // session, no login.
      for (const candidate of candidates) {
        try {
          await deps.recognize(candidate);
          return { serverUrl: candidate };
        } catch {
          // Not RAGFlow at this depth (the web app's HTML, another service): try the next.
        }
      }
      return null;
    },
  };
}
