import { readFileSync } from 'node:fs';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { detectedServers } from '@/lib/keys/detected-servers';

import { accountCache } from '@/lib/keys/account-cache';
import { createKeyService, type KeyPolicy } from '@/lib/keys/key-service';
import type { KeyFlowStep } from '@/lib/messaging/protocol';
import { RagflowClient } from '@/lib/ragflow/client';
import { browserWebSessionDeps } from '@/lib/web-session/browser';
import { AppError } from '@/lib/errors';
import type { WebAppSession } from '@/lib/web-session/read-session';
import type { TabInfo } from '@/lib/web-session/web-app';
import { createWebSessionService, type WebSessionDeps } from '@/lib/web-session/web-session-service';
import { type FakeRagflow, type Generation, startFakeRagflow } from '../../fake-ragflow';
import { rejection } from '../../support/errors';

const BOB = { email: 'bob@example.com', password: 'bob-pässword-7' };

let server: FakeRagflow;
let steps: KeyFlowStep[];
let policy: KeyPolicy;
let access: boolean;
/** What each open tab holds, as readWebAppSession would report it. */
let pages: Map<number, WebAppSession>;
let tabs: TabInfo[];
let reads: number[];

function webSession(overrides: Partial<WebSessionDeps> = {}) {
  const keys = createKeyService({
    hasHostAccess: async () => access,
    onStep: (step) => steps.push(step),
    keyPolicy: async () => policy,
  });
  return createWebSessionService({
    hasHostAccess: async () => access,
    tabs: async () => tabs,
    async readSession(tabId) {
      reads.push(tabId);
      const page = pages.get(tabId);
      if (!page) throw new Error('No tab with id');
      return page;
    },
    keyFromSession: (request) => keys.keyFromSession(request),
    recognize: browserWebSessionDeps.recognize,
    serverFacts: (serverUrl) => keys.serverFacts(serverUrl),
    knownFacts: (serverUrl) => detectedServers.get(serverUrl),
    ...overrides,
  });
}

/** A tab of the web app, signed in there (its localStorage holds `authorization`). */
function openWebApp(id: number, authorization: string | null, path = '/', active = false) {
  const url = `${server.url}${path}`;
  tabs.push({ id, url, active, lastAccessed: id });
  pages.set(id, { href: url, authorization });
}

function meRoute(generation: Generation): string {
  return generation === 'restful' ? '/api/v1/users/me' : '/v1/user/info';
}

beforeEach(() => {
  fakeBrowser.reset();
  steps = [];
  policy = 'reuse';
  access = true;
  pages = new Map();
  tabs = [];
  reads = [];
});

afterEach(async () => {
  await server?.close();
});

describe.each(['restful', 'legacy'] as const)('a key with the web app’s session, %s', (generation) => {
  beforeEach(async () => {
    server = await startFakeRagflow({ generation, nginx: true, users: [BOB] });
  });

  it('makes no login, keeps the web app signed in, and caches the session like a login’s', async () => {
    const webToken = server.signInWebApp(BOB.email);
    openWebApp(7, webToken, '/knowledge');

    const result = await webSession().getKey({ serverUrl: server.url, flowId: 'f' });

    expect(result).toEqual({
      key: server.apiKeys(BOB.email)[0],
      serverUrl: server.url,
      email: BOB.email,
      source: 'web-session',
      // The web app's own session: the popup must not offer to log it out on the server.
      viaWebApp: true,
    });
    expect(server.count('login')).toBe(0);
    // The detection probe first (on a RESTful server a JSON 404, which is how it is recognised).
    const probe = generation === 'restful' ? null : 'config';
    expect(server.requests.map((request) => request.operation)).toEqual([probe, 'me', 'tokens.list', 'tokens.create']);
    expect(steps).toEqual(['connecting', 'getting-key']);
    // Not rotated: the web app's token is the user's current one, and still answers.
    expect(server.sessionToken(BOB.email)).toBe(webToken);
    const me = await fetch(`${server.url}${meRoute(generation)}`, { headers: { Authorization: webToken } });
    expect(((await me.json()) as { data: { email: string } }).data.email).toBe(BOB.email);
    expect(await accountCache.getAccount(server.url, BOB.email)).toMatchObject({
      authorization: webToken,
      currentKey: result.key,
    });
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain(webToken);
  });

  it('reuses the newest key under the reuse policy', async () => {
    const webToken = server.signInWebApp(BOB.email);
    const client = new RagflowClient({ serverUrl: server.url });
    await client.createKey(webToken);
    const newest = await client.createKey(webToken);
    openWebApp(3, webToken);
    server.resetCounts();

    expect((await webSession().getKey({ serverUrl: server.url })).key).toBe(newest.token);
    expect(server.apiKeys(BOB.email)).toHaveLength(2);
    expect(server.count('tokens.create')).toBe(0);
  });

  it('makes one key of two clicks, even under the "new" policy', async () => {
    policy = 'new';
    openWebApp(1, server.signInWebApp(BOB.email));
    const service = webSession();
    const [first, second] = await Promise.all([
      service.getKey({ serverUrl: server.url }),
      service.getKey({ serverUrl: server.url }),
    ]);
    expect(first.key).toBe(second.key);
    expect(server.apiKeys(BOB.email)).toEqual([first.key]);
  });

  it('says to sign in in that tab when the stored token is no longer valid, without a login', async () => {
    const stale = server.signInWebApp(BOB.email);
    server.signInWebApp(BOB.email);
    openWebApp(1, stale);

    const error = await rejection(webSession().getKey({ serverUrl: server.url }));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ kind: 'web-session-missing', messageKey: 'webSessionMissing' });
    expect(server.count('login')).toBe(0);
    expect(await accountCache.allAccounts()).toEqual([]);
  });
});

describe('the web app’s session', () => {
  beforeEach(async () => {
    server = await startFakeRagflow({ generation: 'restful', nginx: true, users: [BOB] });
  });

  it('when the page holds none, says to sign in there, with no request at all', async () => {
    openWebApp(1, null);
    expect(await rejection(webSession().getKey({ serverUrl: server.url }))).toMatchObject({
      kind: 'web-session-missing',
    });
    expect(server.count()).toBe(0);
  });

  it('when no tab of that server is open, says to open one', async () => {
    tabs.push({ id: 1, url: 'http://other.test/', active: true, lastAccessed: 1 });
    pages.set(1, { href: 'http://other.test/', authorization: 'somebody-elses-token' });
    const error = await rejection(webSession().getKey({ serverUrl: server.url }));
    expect(error).toMatchObject({
      kind: 'web-app-not-open',
      messageKey: 'webSessionNoTab',
      substitutions: [server.url],
    });
    // Another site's storage is never read, let alone sent.
    expect(reads).toEqual([]);
    expect(server.count()).toBe(0);
  });

  it('is read from the tab the popup named, and from another when that one is gone or moved on', async () => {
    const webToken = server.signInWebApp(BOB.email);
    openWebApp(1, webToken, '/chat');
    openWebApp(2, webToken, '/knowledge', true);
    openWebApp(3, webToken);
    // Tab 3 navigated to another site after it was listed: what it holds now is not the web app's.
    pages.set(3, { href: 'http://other.test/', authorization: 'somebody-elses-token' });

    await webSession().getKey({ serverUrl: server.url, tabId: 3 });
    expect(reads).toEqual([3, 2]);

    pages.delete(2);
    reads = [];
    await webSession().getKey({ serverUrl: server.url, tabId: 2 });
    // Tab 2 closed; tab 3, the more recent, still shows another site.
    expect(reads).toEqual([2, 3, 1]);
  });

  it('is not read at all for a server the browser has not let us reach', async () => {
    openWebApp(1, server.signInWebApp(BOB.email));
    access = false;
    expect(await rejection(webSession().getKey({ serverUrl: server.url }))).toMatchObject({ kind: 'no-host-access' });
    expect(reads).toEqual([]);
  });

  it('is found in the best tab for the popup, by address alone', async () => {
    expect(await webSession().findTab(server.url)).toBeNull();
    openWebApp(4, null);
    openWebApp(5, null, '/chat', true);
    expect(await webSession().findTab(server.url)).toEqual({ tabId: 5 });
    expect(reads).toEqual([]);
    expect(server.count()).toBe(0);
  });

  it("is named with the server's facts in one answer for the popup, detected once, then remembered", async () => {
    openWebApp(4, null, '/chat', true);
    // Typing: only what is remembered, and nothing is yet; the server is asked nothing.
    expect(await webSession().serverStatus(server.url, false)).toEqual({
      serverUrl: server.url,
      tabId: 4,
      passwordLoginAllowed: true,
      channels: [],
    });
    expect(server.count()).toBe(0);
    // Chosen: detected with one request, and remembered for the next question.
    await webSession().serverStatus(server.url);
    expect(server.count()).toBe(1);
    server.resetCounts();
    expect((await webSession().serverStatus(server.url, false)).passwordLoginAllowed).toBe(true);
    expect(server.count()).toBe(0);
    expect(reads).toEqual([]);
  });

  it('has its sentences in every locale', () => {
    for (const locale of ['en', 'zh_CN']) {
      const messages = JSON.parse(readFileSync(`public/_locales/${locale}/messages.json`, 'utf8')) as Record<
        string,
        unknown
      >;
      expect(messages).toHaveProperty('webSessionMissing');
      expect(messages).toHaveProperty('webSessionNoTab');
    }
  });
});

describe('recognising the server of a page', () => {
  it('finds the origin and path prefix by the server’s detection, with no login, and keeps it', async () => {
    server = await startFakeRagflow({ generation: 'legacy', nginx: true, pathPrefix: '/ragflow', users: [BOB] });
    expect(await webSession().serverOfPage(`${server.origin}/ragflow/knowledge/dataset?id=1`)).toEqual({
      serverUrl: server.url,
    });
    expect(server.count('config')).toBe(1);
    expect(server.count('login')).toBe(0);
    expect(await detectedServers.get(server.url)).toMatchObject({
      generation: 'legacy',
      config: { passwordLoginAllowed: true },
    });
  });

  it.each(['legacy', 'mixed', 'restful'] as const)(
    'takes the origin of a %s server when there is no prefix: one request, the detection itself',
    async (generation) => {
      server = await startFakeRagflow({ generation, nginx: true, users: [BOB] });
      expect(await webSession().serverOfPage(`${server.url}/chat/share?id=2`)).toEqual({ serverUrl: server.url });
      expect(server.requests.map((request) => request.path)).toEqual(['/v1/system/config']);
      expect((await detectedServers.get(server.url))?.generation).toBe(generation);
    },
  );

  it('asks nothing of a page the extension may not reach until the user names its host', async () => {
    server = await startFakeRagflow({ generation: 'restful', nginx: true, pathPrefix: '/ragflow', users: [BOB] });
    access = false;
    const page = `${server.origin}/ragflow/knowledge`;
    // The activeTab grant (the popup or the shortcut) shows the page's address, nothing more.
    expect(await webSession().serverOfPage(page)).toEqual({ offerHost: new URL(server.origin).host });
    expect(server.count()).toBe(0);
    // The user clicked the offer that named the host: now the server is asked.
    expect(await webSession().serverOfPage(page, true)).toEqual({ serverUrl: server.url });
    expect(server.count('login')).toBe(0);
  });

  it('recognises nothing on a page that is not RAGFlow’s, whatever its title', async () => {
    server = await startFakeRagflow({ generation: 'restful', nginx: true, pathPrefix: '/ragflow', users: [BOB] });
    // The web app's HTML (title "RAGFlow") is everywhere outside the prefix: not a config answer.
    expect(await webSession().serverOfPage(`${server.origin}/elsewhere/page`)).toBeNull();
    expect(await webSession().serverOfPage('chrome://extensions/')).toBeNull();
    expect(server.count('login')).toBe(0);
  });
});
