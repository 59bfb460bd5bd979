/**
 * The popup's side of "Use my RAGFlow session", as plain data of the form view: whether the
 * chosen server's web app is open in a tab, whether the server takes passwords at all, the
 * one-time word on what a password sign-in does to the web app, and the first-run offer of the
 * page the user is on. The background answers the facts about a server in one message
 * (`server.status`); the actions are the store's (./controller.ts). The session value itself
 * stays in the background.
 */

import type { ServerUrl } from '../ragflow/server-url';

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
}

export interface PageOffer {
  host: string;
  checking: boolean;
  notRagflow: boolean;
}

/** Nothing known yet of the form's server. */
export function noServerFacts(): WebSessionState {
  return { serverUrl: null, tabId: null, passwordLoginAllowed: null, channels: [], warn: false, pageOffer: null };
}

/** Whether the web app's session is the popup's main action. */
export function webSessionLeads(state: WebSessionState): boolean {
  return state.serverUrl !== null && (state.passwordLoginAllowed === false || state.tabId !== null);
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
