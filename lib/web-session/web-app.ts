/**
 * Which pages are a RAGFlow server's web app, and which server a page may belong to. Plain
 * functions over URLs; the browser calls are in ./browser.ts.
 */
import { type ServerUrl, serverUrlOrUndefined } from '../ragflow/server-url';

/** A tab as the browser shows it to us: its address only where we may see it. */
export interface TabInfo {
  id: number;
  url: string;
  active: boolean;
  lastAccessed: number;
}

/**
 * Whether a page is on this server's web app: the same origin (port included) and under its path
 * prefix. localStorage is per origin, so any such page holds the web app's session.
 */
export function isWebAppPage(pageUrl: string, serverUrl: ServerUrl): boolean {
  let page: URL;
  let server: URL;
  try {
    page = new URL(pageUrl);
    server = new URL(serverUrl);
  } catch {
    return false;
  }
  const prefix = server.pathname.replace(/\/+$/, '');
  return page.origin === server.origin && (page.pathname === prefix || page.pathname.startsWith(`${prefix}/`));
}

/**
 * The server's web-app tabs, the best first: the one the popup named, then the active ones
 * (the user is looking at it), then the most recently used.
 */
export function webAppTabs(tabs: readonly TabInfo[], serverUrl: ServerUrl, preferredTabId?: number): TabInfo[] {
  const rank = (tab: TabInfo) => (tab.id === preferredTabId ? 2 : tab.active ? 1 : 0);
  return tabs
    .filter((tab) => isWebAppPage(tab.url, serverUrl))
    .sort((a, b) => rank(b) - rank(a) || b.lastAccessed - a.lastAccessed);
}

/** How deep a reverse-proxy path prefix is looked for: `/ragflow`, `/tools/ragflow`. */
const MAX_PREFIX_SEGMENTS = 2;

/**
 * The server addresses a page of the web app may belong to, the most likely first: its origin,
 * then the origin with one or two leading path segments (a reverse-proxy prefix such as
 * `/ragflow`). Nothing for a page that is not http(s).
 */
export function serverUrlCandidates(pageUrl: string): ServerUrl[] {
  let page: URL;
  try {
    page = new URL(pageUrl);
  } catch {
    return [];
  }
  if (page.protocol !== 'http:' && page.protocol !== 'https:') return [];
  const segments = page.pathname.split('/').filter(Boolean);
  // RAGFlow's own routes start at /api or /v1: a prefix ends before them.
  const routeStart = segments.findIndex((segment) => /^(?:api|v1)$/i.test(segment));
  const prefixes = segments.slice(
    0,
    routeStart === -1 ? MAX_PREFIX_SEGMENTS : Math.min(routeStart, MAX_PREFIX_SEGMENTS),
  );
  const candidates: ServerUrl[] = [];
  for (let depth = 0; depth <= prefixes.length; depth++) {
    const path = prefixes
      .slice(0, depth)
      .map((segment) => `/${segment}`)
      .join('');
    // A tab's address is an edge. A segment that makes no address: the shorter candidates stand.
    const candidate = serverUrlOrUndefined(`${page.origin}${path}`);
    if (candidate) candidates.push(candidate);
  }
  return candidates;
}
