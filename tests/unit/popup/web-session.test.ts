import { afterEach, describe, expect, it, vi } from 'vitest';

import { AppError } from '../../../lib/errors';
import type { EventMap, KeyResult, MessageName, RequestOf } from '../../../lib/messaging/protocol';
import { PopupController, type PopupPlatform } from '../../../lib/popup/controller';
import {
  FOLLOW_DELAY_MS,
  recentWebPage,
  WebSessionController,
  type WebSessionPlatform,
} from '../../../lib/popup/web-session';
import type { ServerSettings } from '../../../lib/settings/schema';
import { normalizeServerUrl, type ServerUrl } from '@/lib/ragflow/server-url';

const SERVER = normalizeServerUrl('http://localhost:9380');
const OTHER = normalizeServerUrl('http://127.0.0.1:8000');
const WEB_KEY: KeyResult = { key: 'ragflow-web', serverUrl: SERVER, email: 'sso@example.com', source: 'web-session' };

type Answers = { [K in MessageName]?: (request: RequestOf<K>) => unknown };

interface Setup {
  answers?: Answers;
  remembered?: { serverUrl?: ServerUrl; email?: string };
  servers?: ServerSettings[];
  /** Servers told already (storage.local, shared between popups of one test). */
  warned?: string[];
  pageUrl?: string;
  /** Plain-http servers the user agreed to already. */
  cleartextAllowed?: string[];
  /** Called with the popup's controller as soon as it exists, before it starts. */
  onPopup?: (popup: PopupController) => void;
}

function savedServer(url: string): ServerSettings {
  return {
    id: url,
    name: url,
    url: normalizeServerUrl(url),
    keyPolicy: 'reuse',
    sessionLifetime: { kind: 'until-browser-closes' },
  };
}

/** A popup and its web-session side over one fake background, which records what it was sent. */
async function openPopup(setup: Setup = {}) {
  const sent: { name: MessageName; request: unknown }[] = [];
  const stored = { warned: setup.warned ?? [] };
  let progress: ((event: EventMap['keys.progress']) => void) | undefined;
  const send = vi.fn(async (name: MessageName, request: unknown) => {
    sent.push({ name, request });
    const answer = setup.answers?.[name] as ((request: unknown) => unknown) | undefined;
    if (!answer) throw new Error(`unexpected ${name}`);
    return answer(request);
  }) as PopupPlatform['send'];
  const onProgress = (handler: (event: EventMap['keys.progress']) => void) => {
    progress = handler;
    return () => (progress = undefined);
  };
  const popupPlatform: PopupPlatform = {
    loadRemembered: async () => setup.remembered ?? {},
    remember: vi.fn(async () => {}),
    loadSettings: async () => ({ servers: setup.servers ?? [] }),
    loadCachedKey: async () => null,
    now: () => Date.now(),
    openOptions: vi.fn(async () => {}),
    send,
    onProgress,
    copyText: async () => {},
    newFlowId: () => 'flow-1',
    pasteShortcut: async () => '',
    pasteNotice: async () => null,
    uiLanguage: () => 'en-US',
    loadCleartextAllowed: async () => setup.cleartextAllowed ?? [],
    saveCleartextAllowed: async () => {},
  };
  const platform: WebSessionPlatform = {
    send,
    onProgress,
    newFlowId: () => 'web-flow',
    loadWarned: async () => [...stored.warned],
    saveWarned: vi.fn(async (serverUrls: string[]) => {
      stored.warned = serverUrls;
    }),
    recentPageUrl: vi.fn(async () => setup.pageUrl),
  };
  const popup = new PopupController(popupPlatform);
  setup.onPopup?.(popup);
  const webSession = new WebSessionController(popup, platform);
  await popup.start();
  await webSession.start();
  const settled = () =>
    vi.waitFor(() => expect(sent.filter((m) => m.name === 'webSession.tab').length).toBeGreaterThan(0));
  return { popup, webSession, platform, popupPlatform, sent, stored, settled, progress: () => progress };
}

/** What the background remembers of a server, as its detection left it. */
function knownServer(passwordLoginAllowed: boolean, channels?: { channel: string; displayName: string }[]) {
  return {
    serverUrl: SERVER,
    generation: 'mixed' as const,
    go: false,
    config: { registrationAllowed: true, passwordLoginAllowed },
    ...(channels && { channels }),
    detectedAt: 0,
  };
}

/** The background of a server that takes passwords, with its web app open in tab 7. */
function webAppOpen(overrides: Answers = {}): Answers {
  return {
    'webSession.tab': () => ({ tabId: 7 }),
    'server.facts': () => knownServer(true),
    'keys.fromWebSession': () => WEB_KEY,
    ...overrides,
  };
}

afterEach(() => vi.useRealTimers());

describe('the popup’s web-session option', () => {
  it('is offered when the chosen server’s web app is open, and gets the key without a password', async () => {
    const { popup, webSession, popupPlatform, sent, settled } = await openPopup({
      answers: webAppOpen(),
      remembered: { serverUrl: normalizeServerUrl('localhost:9380/') },
    });
    await settled();
    await vi.waitFor(() => expect(webSession.getState()).toMatchObject({ serverUrl: SERVER, tabId: 7 }));

    await webSession.use();
    expect(sent.at(-1)).toEqual({
      name: 'keys.fromWebSession',
      request: { serverUrl: SERVER, tabId: 7, flowId: 'web-flow' },
    });
    expect(popup.getState()).toMatchObject({
      view: 'result',
      result: WEB_KEY,
      form: { email: 'sso@example.com', password: '' },
    });
    // The account is remembered, so that the popup opens on its cached key next time.
    expect(popupPlatform.remember).toHaveBeenCalledWith({ serverUrl: SERVER, email: 'sso@example.com' });
    expect(webSession.getState()).toMatchObject({ busy: false, step: null });
  });

  it('asks before the web app’s session goes to a plain-http server beyond loopback, and sends nothing until then', async () => {
    const remote = 'http://ragflow.lan';
    const { popup, webSession, sent } = await openPopup({
      answers: webAppOpen({ 'server.facts': () => ({ ...knownServer(true), serverUrl: remote }) }),
      remembered: { serverUrl: normalizeServerUrl(remote) },
    });
    await vi.waitFor(() => expect(webSession.getState()).toMatchObject({ serverUrl: remote, tabId: 7 }));
    await webSession.use();
    expect(popup.getState().alert).toMatchObject({ messageKey: 'cleartextWarning', cleartextServerUrl: remote });
    expect(sent.map((message) => message.name)).not.toContain('keys.fromWebSession');
    await popup.allowCleartext();
    await vi.waitFor(() => expect(sent.map((message) => message.name)).toContain('keys.fromWebSession'));
  });

  it('shows its own steps while the background works', async () => {
    let finish: (result: KeyResult) => void = () => {};
    const { webSession, progress, settled } = await openPopup({
      answers: webAppOpen({ 'keys.fromWebSession': () => new Promise<KeyResult>((resolve) => (finish = resolve)) }),
      remembered: { serverUrl: SERVER },
    });
    await settled();
    await vi.waitFor(() => expect(webSession.getState().tabId).toBe(7));
    const running = webSession.use();
    expect(webSession.getState()).toMatchObject({ busy: true, step: 'connecting' });
    progress()?.({ flowId: 'flow-of-another-popup', step: 'signing-in' });
    progress()?.({ flowId: 'web-flow', step: 'getting-key' });
    expect(webSession.getState().step).toBe('getting-key');
    finish(WEB_KEY);
    await running;
    expect(webSession.getState()).toMatchObject({ busy: false, step: null });
  });

  it('is not offered when no tab of the server’s web app is open', async () => {
    const { webSession, settled } = await openPopup({
      answers: webAppOpen({ 'webSession.tab': () => null }),
      remembered: { serverUrl: SERVER },
    });
    await settled();
    await vi.waitFor(() => expect(webSession.getState().passwordLoginAllowed).toBe(true));
    expect(webSession.getState().tabId).toBeNull();
  });

  it('says to sign in in that tab when the web app holds no valid session', async () => {
    const { popup, webSession, settled } = await openPopup({
      answers: webAppOpen({
        'keys.fromWebSession': () => {
          throw new AppError('web-session-missing');
        },
      }),
      remembered: { serverUrl: SERVER },
    });
    await settled();
    await webSession.use();
    expect(popup.getState()).toMatchObject({
      view: 'form',
      alert: { messageKey: 'webSessionMissing', substitutions: [] },
    });
  });

  it('leads to the options page for a server without access, as a password sign-in does', async () => {
    const { popup, webSession, popupPlatform, settled } = await openPopup({
      answers: webAppOpen({
        'keys.fromWebSession': () => {
          throw new AppError('no-host-access', { substitutions: ['rag.example.com'] });
        },
      }),
      remembered: { serverUrl: normalizeServerUrl('https://rag.example.com') },
    });
    await settled();
    await webSession.use();
    expect(popup.getState().alert).toEqual({
      messageKey: 'errorNoHostAccess',
      substitutions: ['rag.example.com'],
      grantServerUrl: 'https://rag.example.com',
    });
    await popup.openGrantPage();
    expect(popupPlatform.openOptions).toHaveBeenCalledWith('https://rag.example.com');
  });
});

describe('the warning before the first password sign-in', () => {
  it('is given once per server: after a password sign-in there, never again', async () => {
    const stored: string[] = [];
    const answers = webAppOpen({ 'keys.get': () => ({ ...WEB_KEY, key: 'ragflow-pw', source: 'login' }) });

    const first = await openPopup({
      answers,
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
      warned: stored,
    });
    await first.settled();
    await vi.waitFor(() =>
      expect(first.webSession.getState()).toMatchObject({ warn: true, passwordLoginAllowed: true }),
    );
    first.popup.setField('password', 'pw');
    await first.popup.submit();
    expect(first.popup.getState().view).toBe('result');
    await vi.waitFor(() => expect(first.stored.warned).toEqual([SERVER]));
    expect(first.webSession.getState().warn).toBe(false);

    // The popup opened again on that server: no warning, and nothing asked of the server itself
    // (the facts are the background's remembered detection).
    const again = await openPopup({ answers, remembered: { serverUrl: SERVER }, warned: first.stored.warned });
    await again.settled();
    await vi.waitFor(() =>
      expect(again.webSession.getState()).toMatchObject({ serverUrl: SERVER, warn: false, passwordLoginAllowed: true }),
    );
    expect(again.sent.map((message) => message.name)).not.toContain('server.config');

    // Another server has not been signed in to from here: it gets the warning.
    const other = await openPopup({ answers, remembered: { serverUrl: OTHER }, warned: first.stored.warned });
    await other.settled();
    await vi.waitFor(() => expect(other.webSession.getState()).toMatchObject({ serverUrl: OTHER, warn: true }));
  });

  it('is not remembered as given after a sign-in that failed', async () => {
    const { popup, stored, settled } = await openPopup({
      answers: webAppOpen({
        'keys.get': () => {
          throw new AppError('wrong-password');
        },
      }),
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
    });
    await settled();
    popup.setField('password', 'pw');
    await popup.submit();
    expect(stored.warned).toEqual([]);
  });
});

describe('a server with password sign-in switched off', () => {
  it('is known from what the background knows of the server before any sign-in, with its SSO channels', async () => {
    const { webSession, settled } = await openPopup({
      answers: webAppOpen({ 'server.facts': () => knownServer(false, [{ channel: 'github', displayName: 'GitHub' }]) }),
      remembered: { serverUrl: SERVER },
    });
    await settled();
    await vi.waitFor(() =>
      expect(webSession.getState()).toMatchObject({ passwordLoginAllowed: false, tabId: 7, channels: ['GitHub'] }),
    );
  });

  it('is recognised when a password sign-in is refused for it, though the check said otherwise', async () => {
    const { popup, webSession, settled } = await openPopup({
      answers: webAppOpen({
        'keys.get': () => {
          throw new AppError('password-login-disabled');
        },
      }),
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
      warned: [SERVER],
    });
    await settled();
    await vi.waitFor(() => expect(webSession.getState().passwordLoginAllowed).toBe(true));
    popup.setField('password', 'pw');
    await popup.submit();
    expect(webSession.getState().passwordLoginAllowed).toBe(false);
  });
});

describe('a session the Go server ended after 24 hours', () => {
  const goExpired = () => {
    throw new AppError('session-expired', { reason: 'go' });
  };

  it('is replaced by the open web app’s session at once, with no password and no login', async () => {
    const { popup, sent, settled } = await openPopup({
      answers: webAppOpen({ 'keys.get': goExpired }),
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
      warned: [SERVER],
    });
    await settled();
    await vi.waitFor(() => expect(sent.some((message) => message.name === 'server.facts')).toBe(true));
    await popup.submit();
    await vi.waitFor(() => expect(popup.getState()).toMatchObject({ view: 'result', result: WEB_KEY, alert: null }));
    expect(sent.map((message) => message.name)).toContain('keys.fromWebSession');
  });

  it('asks for the password, saying why, where no web app is open', async () => {
    const { popup, sent, settled } = await openPopup({
      answers: webAppOpen({ 'keys.get': goExpired, 'webSession.tab': () => null }),
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
      warned: [SERVER],
    });
    await settled();
    await popup.submit();
    expect(popup.getState()).toMatchObject({ view: 'form', alert: { messageKey: 'errorSessionExpiredGo' } });
    expect(sent.map((message) => message.name)).not.toContain('keys.fromWebSession');
  });
});

describe('following the form', () => {
  it('asks about a typed server once the typing pauses, and drops answers about servers left since', async () => {
    vi.useFakeTimers();
    const { popup, webSession, sent } = await openPopup({
      answers: webAppOpen({ 'webSession.tab': (request) => (request.serverUrl === OTHER ? { tabId: 9 } : null) }),
      servers: [savedServer(SERVER)],
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(webSession.getState()).toMatchObject({ serverUrl: SERVER, tabId: null });
    sent.length = 0;

    for (const typed of ['h', 'http://127', 'http://127.0.0.1', OTHER]) popup.setField('serverUrl', typed);
    await vi.advanceTimersByTimeAsync(FOLLOW_DELAY_MS);
    expect(sent.filter((message) => message.name === 'webSession.tab')).toEqual([
      { name: 'webSession.tab', request: { serverUrl: OTHER } },
    ]);
    expect(webSession.getState()).toMatchObject({ serverUrl: OTHER, tabId: 9 });

    popup.setField('serverUrl', 'not a server at all');
    await vi.advanceTimersByTimeAsync(FOLLOW_DELAY_MS);
    expect(webSession.getState()).toMatchObject({ serverUrl: null, tabId: null, warn: false });
  });

  it('asks nothing about a server typed just before the key came: the form is gone', async () => {
    vi.useFakeTimers();
    const { popup, sent } = await openPopup({
      answers: webAppOpen({ 'keys.get': () => ({ ...WEB_KEY, serverUrl: OTHER, source: 'login' }) }),
      servers: [savedServer(SERVER)],
    });
    await vi.advanceTimersByTimeAsync(0);
    sent.length = 0;

    popup.setField('serverUrl', OTHER);
    popup.setField('email', 'me@example.com');
    popup.setField('password', 'pw');
    await popup.submit();
    expect(popup.getState().view).toBe('result');
    await vi.advanceTimersByTimeAsync(FOLLOW_DELAY_MS);
    expect(sent.map((message) => message.name)).toEqual(['keys.get']);
  });

  it('on a first run, fills in the server of the page the user is on', async () => {
    const { popup, platform, sent } = await openPopup({
      answers: webAppOpen({ 'webSession.serverOfPage': () => ({ serverUrl: 'https://rag.example.com/ragflow' }) }),
      pageUrl: 'https://rag.example.com/ragflow/knowledge',
    });
    expect(popup.getState().form.serverUrl).toBe('https://rag.example.com/ragflow');
    expect(platform.recentPageUrl).toHaveBeenCalled();
    expect(sent.find((message) => message.name === 'webSession.serverOfPage')).toEqual({
      name: 'webSession.serverOfPage',
      request: { pageUrl: 'https://rag.example.com/ragflow/knowledge', userAsked: false },
    });
  });

  it('never fills a Server URL the user typed in, even one typed while the page was being recognised', async () => {
    // The recognition is on its way while the user types: the answer finds the field touched.
    const answers = webAppOpen();
    let popupOfTest: PopupController | undefined;
    answers['webSession.serverOfPage'] = () => {
      popupOfTest?.setField('serverUrl', 'h');
      popupOfTest?.setField('serverUrl', '');
      return { serverUrl: 'https://rag.example.com' };
    };
    const { popup } = await openPopup({
      answers,
      pageUrl: 'https://rag.example.com/',
      onPopup: (p) => (popupOfTest = p),
    });
    expect(popup.getState().form.serverUrl).toBe('');
    expect(popup.getState().serverUrlFilled).toBe(false);

    // Filled before any typing: marked, so that the field selects it and a key press replaces it.
    const untouched = await openPopup({
      answers: webAppOpen({ 'webSession.serverOfPage': () => ({ serverUrl: 'https://rag.example.com' }) }),
      pageUrl: 'https://rag.example.com/',
    });
    expect(untouched.popup.getState()).toMatchObject({
      form: { serverUrl: 'https://rag.example.com' },
      serverUrlFilled: true,
    });
    untouched.popup.setField('serverUrl', 'http://typed.example');
    expect(untouched.popup.getState()).toMatchObject({
      form: { serverUrl: 'http://typed.example' },
      serverUrlFilled: false,
    });
  });

  it('offers to check a page it may not reach, and asks it only after the click', async () => {
    const answers = webAppOpen();
    answers['webSession.serverOfPage'] = (request: { userAsked?: boolean }) =>
      request.userAsked ? { serverUrl: 'https://rag.example.com' } : { offerHost: 'rag.example.com' };
    const { popup, webSession, sent } = await openPopup({ answers, pageUrl: 'https://rag.example.com/chat' });
    expect(webSession.getState().pageOffer).toEqual({ host: 'rag.example.com', checking: false, notRagflow: false });
    expect(popup.getState().form.serverUrl).toBe('');

    await webSession.checkPage();
    expect(sent.filter((message) => message.name === 'webSession.serverOfPage').map((m) => m.request)).toEqual([
      { pageUrl: 'https://rag.example.com/chat', userAsked: false },
      { pageUrl: 'https://rag.example.com/chat', userAsked: true },
    ]);
    expect(popup.getState().form.serverUrl).toBe('https://rag.example.com');
    expect(webSession.getState().pageOffer).toBeNull();
  });

  it('says so when the host the user chose to check is not RAGFlow', async () => {
    const answers = webAppOpen();
    answers['webSession.serverOfPage'] = (request: { userAsked?: boolean }) =>
      request.userAsked ? null : { offerHost: 'blog.example.com' };
    const { popup, webSession } = await openPopup({ answers, pageUrl: 'https://blog.example.com/' });
    await webSession.checkPage();
    expect(webSession.getState().pageOffer).toEqual({ host: 'blog.example.com', checking: false, notRagflow: true });
    expect(popup.getState().form.serverUrl).toBe('');
  });

  it('leaves the URL alone when a server is set up, or the page is not RAGFlow', async () => {
    const configured = await openPopup({ answers: webAppOpen(), servers: [savedServer(SERVER)], pageUrl: `${OTHER}/` });
    expect(configured.platform.recentPageUrl).not.toHaveBeenCalled();
    expect(configured.popup.getState().form.serverUrl).toBe(SERVER);

    const unknown = await openPopup({
      answers: webAppOpen({ 'webSession.serverOfPage': () => null }),
      pageUrl: `${OTHER}/`,
    });
    expect(unknown.popup.getState().form.serverUrl).toBe('');
  });
});

describe('the page the user was on', () => {
  it('is the active web page, else the web page used last', () => {
    const popupTab = { url: 'chrome-extension://id/popup.html', active: true, lastAccessed: 30 };
    expect(
      recentWebPage([
        { url: 'http://a.test/', lastAccessed: 10 },
        popupTab,
        { url: 'https://b.test/x', lastAccessed: 20 },
        { lastAccessed: 25 },
      ]),
    ).toBe('https://b.test/x');
    expect(
      recentWebPage([
        { url: 'http://a.test/', active: true, lastAccessed: 1 },
        { url: 'http://b.test/', lastAccessed: 9 },
      ]),
    ).toBe('http://a.test/');
    expect(recentWebPage([popupTab])).toBeUndefined();
  });
});
