import { describe, expect, it, vi } from 'vitest';

import { AppError } from '../../../lib/errors';
import { backgroundStopped } from '../../../lib/messaging/errors';
import type { EventMap, KeyResult, MessageName, RequestOf } from '../../../lib/messaging/protocol';
import { PopupController, type PopupPlatform, type PopupState } from '../../../lib/popup/controller';
import { recentWebPage, type WebSessionState } from '../../../lib/popup/web-session';
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
  const popupPlatform = {
    loadRemembered: async () => setup.remembered ?? {},
    remember: vi.fn(async () => {}),
    loadSettings: async () => ({ servers: setup.servers ?? [] }),
    hasHostAccess: async () => true,
    loadCachedKey: async () => null,
    now: () => Date.now(),
    openOptions: vi.fn(async () => {}),
    send,
    onProgress,
    copyText: async () => {},
    newFlowId: () => 'web-flow',
    pasteShortcut: async () => '',
    pasteNotice: async () => null,
    uiLanguage: () => 'en-US',
    loadCleartextAllowed: async () => setup.cleartextAllowed ?? [],
    saveCleartextAllowed: async () => {},
    loadWarned: async () => [...stored.warned],
    saveWarned: vi.fn(async (serverUrls: string[]) => {
      stored.warned = serverUrls;
    }),
    recentPageUrl: vi.fn(async () => setup.pageUrl),
  } satisfies PopupPlatform;
  const popup = new PopupController(popupPlatform);
  setup.onPopup?.(popup);
  // Resolves once the popup has asked the background about its server: nothing runs later by itself.
  await popup.start();
  const web = () => webOf(popup.getState());
  return { popup, web, platform: popupPlatform, popupPlatform, sent, stored, progress: () => progress };
}

/** The web-session facts of the form view. */
function webOf(state: PopupState): WebSessionState {
  if (state.view !== 'form') throw new Error(`the popup shows ${state.view}, not the form`);
  return state.web;
}

/** What the background answers about a server, from its detection; no web-app tab. */
function knownServer(passwordLoginAllowed: boolean, channels: string[] = []) {
  return { serverUrl: SERVER, tabId: null, passwordLoginAllowed, channels };
}

/** The background of a server that takes passwords, with its web app open in tab 7. */
function webAppOpen(overrides: Answers = {}): Answers {
  return {
    'server.status': (request) => ({ ...knownServer(true), serverUrl: request.serverUrl, tabId: 7 }),
    'keys.fromWebSession': () => WEB_KEY,
    ...overrides,
  };
}

describe('the popup’s web-session option', () => {
  it('asks once when the field is left unchanged while the opening question is on its way', async () => {
    let popupOfTest: PopupController | undefined;
    let left: Promise<void> | undefined;
    const { sent, web } = await openPopup({
      answers: webAppOpen({
        'server.status': (request) => {
          // Asked again about the same server before this answer comes: the field left unchanged.
          left ??= Promise.resolve().then(() => popupOfTest?.serverUrlLeft());
          const status = { ...knownServer(true), serverUrl: request.serverUrl, tabId: 7 };
          return new Promise((resolve) => setTimeout(() => resolve(status), 10));
        },
      }),
      remembered: { serverUrl: SERVER },
      onPopup: (popup) => (popupOfTest = popup),
    });
    await left;
    expect(sent.filter((message) => message.name === 'server.status')).toHaveLength(1);
    expect(web()).toMatchObject({ serverUrl: SERVER, tabId: 7 });
  });

  it('asks a new worker again when the one asked stopped mid-request, and only then', async () => {
    const stoppedOnce = () => {
      let asked = 0;
      return (request: RequestOf<'server.status'>) => {
        asked += 1;
        if (asked === 1) throw backgroundStopped('The message channel closed');
        return { ...knownServer(true), serverUrl: request.serverUrl, tabId: 7 };
      };
    };
    const restarted = await openPopup({
      answers: webAppOpen({ 'server.status': stoppedOnce() }),
      remembered: { serverUrl: SERVER },
    });
    expect(restarted.sent.filter((message) => message.name === 'server.status')).toHaveLength(2);
    expect(restarted.web()).toMatchObject({ serverUrl: SERVER, tabId: 7 });

    const unreachable = await openPopup({
      answers: webAppOpen({
        'server.status': () => {
          throw new AppError('cannot-connect');
        },
      }),
      remembered: { serverUrl: SERVER },
    });
    expect(unreachable.sent.filter((message) => message.name === 'server.status')).toHaveLength(1);
    expect(unreachable.web()).toMatchObject({ serverUrl: SERVER, tabId: null });
  });

  it('is offered when the chosen server’s web app is open, and gets the key without a password', async () => {
    const { popup, web, popupPlatform, sent } = await openPopup({
      answers: webAppOpen(),
      remembered: { serverUrl: normalizeServerUrl('localhost:9380/') },
    });
    // One question about the server, answered before start() resolves: its tab and its facts.
    expect(sent.filter((message) => message.name === 'server.status')).toEqual([
      { name: 'server.status', request: { serverUrl: SERVER, detect: true } },
    ]);
    expect(web()).toMatchObject({ serverUrl: SERVER, tabId: 7 });

    await popup.useWebSession();
    expect(sent.at(-1)).toEqual({
      name: 'keys.fromWebSession',
      request: { serverUrl: SERVER, tabId: 7, flowId: 'web-flow' },
    });
    expect(popup.getState()).toMatchObject({
      view: 'key',
      result: WEB_KEY,
      form: { email: 'sso@example.com', password: '' },
      busy: false,
      step: null,
    });
    // The account is remembered, so that the popup opens on its cached key next time.
    expect(popupPlatform.remember).toHaveBeenCalledWith({ serverUrl: SERVER, email: 'sso@example.com' });
  });

  it('asks before the web app’s session goes to a plain-http server beyond loopback, and sends nothing until then', async () => {
    const remote = normalizeServerUrl('http://ragflow.lan');
    const { popup, web, sent } = await openPopup({ answers: webAppOpen(), remembered: { serverUrl: remote } });
    expect(web()).toMatchObject({ serverUrl: remote, tabId: 7 });
    await popup.useWebSession();
    expect(popup.getState().alert).toMatchObject({ messageKey: 'cleartextWarning', cleartextServerUrl: remote });
    expect(sent.map((message) => message.name)).not.toContain('keys.fromWebSession');
    await popup.allowCleartext();
    expect(sent.map((message) => message.name)).toContain('keys.fromWebSession');
  });

  it('shows its own steps while the background works', async () => {
    let finish: (result: KeyResult) => void = () => {};
    const { popup, web, progress } = await openPopup({
      answers: webAppOpen({ 'keys.fromWebSession': () => new Promise<KeyResult>((resolve) => (finish = resolve)) }),
      remembered: { serverUrl: SERVER },
    });
    expect(web().tabId).toBe(7);
    const running = popup.useWebSession();
    await vi.waitFor(() => expect(popup.getState()).toMatchObject({ busy: true, step: 'connecting' }));
    progress()?.({ flowId: 'flow-of-another-popup', step: 'signing-in' });
    progress()?.({ flowId: 'web-flow', step: 'getting-key' });
    expect(popup.getState().step).toBe('getting-key');
    finish(WEB_KEY);
    await running;
    expect(popup.getState()).toMatchObject({ busy: false, step: null });
  });

  it('can be cancelled: the background is told, and its answer, when it comes, changes nothing', async () => {
    let finish: (result: KeyResult) => void = () => {};
    const { popup, sent } = await openPopup({
      answers: webAppOpen({
        'keys.fromWebSession': () => new Promise<KeyResult>((resolve) => (finish = resolve)),
        'keys.cancel': () => undefined,
      }),
      remembered: { serverUrl: SERVER },
    });
    const running = popup.useWebSession();
    await vi.waitFor(() => expect(popup.getState()).toMatchObject({ busy: true, flow: 'web-session' }));
    popup.cancel();
    expect(sent.at(-1)).toEqual({ name: 'keys.cancel', request: { flowId: 'web-flow' } });
    expect(popup.getState()).toMatchObject({ view: 'form', busy: false, flow: null, step: null });
    finish(WEB_KEY);
    await running;
    expect(popup.getState()).toMatchObject({ view: 'form', busy: false, alert: null });
  });

  it('is not offered when no tab of the server’s web app is open', async () => {
    const { web } = await openPopup({
      answers: webAppOpen({ 'server.status': () => knownServer(true) }),
      remembered: { serverUrl: SERVER },
    });
    expect(web()).toMatchObject({ passwordLoginAllowed: true, tabId: null });
  });

  it('says to sign in in that tab when the web app holds no valid session', async () => {
    const { popup } = await openPopup({
      answers: webAppOpen({
        'keys.fromWebSession': () => {
          throw new AppError('web-session-missing');
        },
      }),
      remembered: { serverUrl: SERVER },
    });
    await popup.useWebSession();
    expect(popup.getState()).toMatchObject({
      view: 'form',
      alert: { messageKey: 'webSessionMissing', substitutions: [] },
    });
  });

  it('leads to the options page for a server without access, as a password sign-in does', async () => {
    const { popup, popupPlatform } = await openPopup({
      answers: webAppOpen({
        'keys.fromWebSession': () => {
          throw new AppError('no-host-access', { substitutions: ['rag.example.com'] });
        },
      }),
      remembered: { serverUrl: normalizeServerUrl('https://rag.example.com') },
    });
    await popup.useWebSession();
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
    expect(first.web()).toMatchObject({ warn: true, passwordLoginAllowed: true });
    await first.popup.setField('password', 'pw');
    await first.popup.submit();
    expect(first.popup.getState().view).toBe('key');
    expect(first.stored.warned).toEqual([SERVER]);

    // The popup opened again on that server: no warning, and nothing asked of the server itself
    // (the facts are the background's remembered detection).
    const again = await openPopup({ answers, remembered: { serverUrl: SERVER }, warned: first.stored.warned });
    expect(again.web()).toMatchObject({ serverUrl: SERVER, warn: false, passwordLoginAllowed: true });
    expect(again.sent.map((message) => message.name)).not.toContain('server.config');

    // Another server has not been signed in to from here: it gets the warning.
    const other = await openPopup({ answers, remembered: { serverUrl: OTHER }, warned: first.stored.warned });
    expect(other.web()).toMatchObject({ serverUrl: OTHER, warn: true });
  });

  it('is not remembered as given after a sign-in that failed, nor after a key from the cache', async () => {
    const failed = await openPopup({
      answers: webAppOpen({
        'keys.get': () => {
          throw new AppError('wrong-password');
        },
      }),
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
    });
    await failed.popup.setField('password', 'pw');
    await failed.popup.submit();
    expect(failed.stored.warned).toEqual([]);

    const cached = await openPopup({
      answers: webAppOpen({ 'keys.get': () => ({ ...WEB_KEY, source: 'session' }) }),
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
    });
    await cached.popup.submit();
    expect(cached.popup.getState().view).toBe('key');
    expect(cached.stored.warned).toEqual([]);
  });
});

describe('a server with password sign-in switched off', () => {
  it('is known from what the background knows of the server before any sign-in, with its SSO channels', async () => {
    const { web } = await openPopup({
      answers: webAppOpen({ 'server.status': () => ({ ...knownServer(false, ['GitHub']), tabId: 7 }) }),
      remembered: { serverUrl: SERVER },
    });
    expect(web()).toMatchObject({ passwordLoginAllowed: false, tabId: 7, channels: ['GitHub'] });
  });

  it('is recognised when a password sign-in is refused for it, though the check said otherwise', async () => {
    // The background remembered the refusal, and read the channels with it.
    let refused = false;
    const { popup, web, sent } = await openPopup({
      answers: webAppOpen({
        'keys.get': () => {
          refused = true;
          throw new AppError('password-login-disabled');
        },
        'server.status': () => (refused ? knownServer(false, ['GitHub']) : knownServer(true)),
      }),
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
      warned: [SERVER],
    });
    expect(web().passwordLoginAllowed).toBe(true);
    await popup.setField('password', 'pw');
    await popup.submit();
    expect(web()).toMatchObject({ passwordLoginAllowed: false, channels: ['GitHub'] });
    expect(sent.map((message) => message.name)).toEqual(['server.status', 'keys.get', 'server.status']);
  });
});

describe('a session the Go server ended after 24 hours', () => {
  const goExpired = () => {
    throw new AppError('session-expired', { reason: 'go' });
  };

  it('is replaced by the open web app’s session at once, with no password and no login', async () => {
    const { popup, sent } = await openPopup({
      answers: webAppOpen({ 'keys.get': goExpired }),
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
      warned: [SERVER],
    });
    await popup.submit();
    expect(popup.getState()).toMatchObject({ view: 'key', result: WEB_KEY, alert: null });
    expect(sent.map((message) => message.name)).toContain('keys.fromWebSession');
  });

  it('is replaced the same way when the key list finds it ended', async () => {
    const { popup, sent } = await openPopup({
      answers: webAppOpen({
        'keys.fromWebSession': () => WEB_KEY,
        'keys.get': () => ({ ...WEB_KEY, source: 'session' }),
        'keys.list': goExpired,
      }),
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
      warned: [SERVER],
    });
    await popup.submit();
    await popup.toggleKeyList();
    expect(popup.getState()).toMatchObject({ view: 'key', result: WEB_KEY, alert: null });
    expect(sent.map((message) => message.name)).toEqual([
      'server.status',
      'keys.get',
      'keys.list',
      'server.status',
      'keys.fromWebSession',
    ]);
  });

  it('asks for the password, saying why, where no web app is open', async () => {
    const { popup, sent } = await openPopup({
      answers: webAppOpen({ 'keys.get': goExpired, 'server.status': () => knownServer(true) }),
      remembered: { serverUrl: SERVER, email: 'me@example.com' },
      warned: [SERVER],
    });
    await popup.submit();
    expect(popup.getState()).toMatchObject({ view: 'form', alert: { messageKey: 'errorSessionExpiredGo' } });
    expect(sent.map((message) => message.name)).not.toContain('keys.fromWebSession');
  });
});

describe('following the form', () => {
  it('asks about each typed server from what is remembered, detects one only when the field is left, and drops answers about servers left since', async () => {
    const answered: ((status: unknown) => void)[] = [];
    const { popup, web, sent } = await openPopup({
      answers: webAppOpen({
        'server.status': (request) =>
          request.detect === false
            ? new Promise((resolve) => answered.push(resolve))
            : { ...knownServer(true), serverUrl: request.serverUrl, tabId: request.serverUrl === OTHER ? 9 : null },
      }),
      servers: [savedServer(SERVER)],
    });
    expect(web()).toMatchObject({ serverUrl: SERVER, tabId: null });
    sent.length = 0;

    // Typing: each address is asked about with no detection; the slow answer about 'http://127'
    // comes after the user typed on, and is dropped.
    const typing = ['h', 'http://127', OTHER].map((typed) => popup.setField('serverUrl', typed));
    expect(sent.map((message) => message.request)).toEqual([
      { serverUrl: 'http://h', detect: false },
      { serverUrl: 'http://0.0.0.127', detect: false },
      { serverUrl: OTHER, detect: false },
    ]);
    answered[2]?.({ ...knownServer(true), serverUrl: OTHER, tabId: 9 });
    answered[1]?.({ ...knownServer(false), serverUrl: 'http://0.0.0.127', tabId: 3 });
    answered[0]?.(null);
    await Promise.all(typing);
    expect(web()).toMatchObject({ serverUrl: OTHER, tabId: 9, passwordLoginAllowed: true });

    // Leaving the field: now a server never seen may be detected.
    await popup.serverUrlLeft();
    expect(sent.at(-1)).toEqual({ name: 'server.status', request: { serverUrl: OTHER, detect: true } });

    await popup.setField('serverUrl', 'not a server at all');
    expect(web()).toMatchObject({ serverUrl: null, tabId: null, warn: false });
  });

  it('asks nothing about a server typed just before the key came: the form is gone', async () => {
    const { popup, sent } = await openPopup({
      answers: webAppOpen({ 'keys.get': () => ({ ...WEB_KEY, serverUrl: OTHER, source: 'login' }) }),
      servers: [savedServer(SERVER)],
    });
    sent.length = 0;
    await popup.setField('email', 'me@example.com');
    await popup.setField('password', 'pw');
    void popup.setField('serverUrl', OTHER);
    await popup.submit();
    expect(popup.getState().view).toBe('key');
    await popup.serverUrlLeft();
    expect(sent.map((message) => message.name)).toEqual(['server.status', 'keys.get']);
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
      void popupOfTest?.setField('serverUrl', 'h');
      void popupOfTest?.setField('serverUrl', '');
      return { serverUrl: 'https://rag.example.com' };
    };
    const { popup } = await openPopup({
      answers,
      pageUrl: 'https://rag.example.com/',
      onPopup: (p) => (popupOfTest = p),
    });
    expect(popup.getState()).toMatchObject({ form: { serverUrl: '' }, serverUrlFilled: false });

    // Filled before any typing: marked, so that the field selects it and a key press replaces it.
    const untouched = await openPopup({
      answers: webAppOpen({ 'webSession.serverOfPage': () => ({ serverUrl: 'https://rag.example.com' }) }),
      pageUrl: 'https://rag.example.com/',
    });
    expect(untouched.popup.getState()).toMatchObject({
      form: { serverUrl: 'https://rag.example.com' },
      serverUrlFilled: true,
    });
    await untouched.popup.setField('serverUrl', 'http://typed.example');
    expect(untouched.popup.getState()).toMatchObject({
      form: { serverUrl: 'http://typed.example' },
      serverUrlFilled: false,
    });
  });

  it('offers to check a page it may not reach, and asks it only after the click', async () => {
    const answers = webAppOpen();
    answers['webSession.serverOfPage'] = (request: { userAsked?: boolean }) =>
      request.userAsked ? { serverUrl: 'https://rag.example.com' } : { offerHost: 'rag.example.com' };
    const { popup, web, sent } = await openPopup({ answers, pageUrl: 'https://rag.example.com/chat' });
    expect(web().pageOffer).toEqual({ host: 'rag.example.com', checking: false, notRagflow: false });
    expect(popup.getState().form.serverUrl).toBe('');

    await popup.checkPage();
    expect(sent.filter((message) => message.name === 'webSession.serverOfPage').map((m) => m.request)).toEqual([
      { pageUrl: 'https://rag.example.com/chat', userAsked: false },
      { pageUrl: 'https://rag.example.com/chat', userAsked: true },
    ]);
    expect(popup.getState().form.serverUrl).toBe('https://rag.example.com');
    expect(web()).toMatchObject({ pageOffer: null, serverUrl: 'https://rag.example.com', tabId: 7 });
  });

  it('says so when the host the user chose to check is not RAGFlow', async () => {
    const answers = webAppOpen();
    answers['webSession.serverOfPage'] = (request: { userAsked?: boolean }) =>
      request.userAsked ? null : { offerHost: 'blog.example.com' };
    const { popup, web } = await openPopup({ answers, pageUrl: 'https://blog.example.com/' });
    await popup.checkPage();
    expect(web().pageOffer).toEqual({ host: 'blog.example.com', checking: false, notRagflow: true });
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
