import { afterEach, describe, expect, it, vi } from 'vitest';

import { AppError } from '../../../lib/errors';
import { backgroundStopped } from '../../../lib/messaging/errors';
import { clipboardFingerprint } from '../../../lib/clipboard/fingerprint';
import type { EventMap, KeyResult, MessageName, RequestOf } from '../../../lib/messaging/protocol';
import { COPIED_CONFIRMATION_MS, PopupController, type PopupPlatform } from '../../../lib/popup/controller';
import type { ServerSettings, Settings } from '../../../lib/settings/settings';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

const KEY: KeyResult = {
  key: 'ragflow-abc',
  serverUrl: normalizeServerUrl('http://localhost:9380'),
  email: 'me@example.com',
  source: 'login',
};

type Answers = { [K in MessageName]?: (request: RequestOf<K>) => unknown };

/** A platform whose background answers from `answers` and records what it was sent. */
interface FakeOptions {
  remembered?: { serverUrl?: string; email?: string };
  access?: boolean;
  /** The key the key service cached for the remembered account, as the popup reads it from storage. */
  cachedKey?: KeyResult;
  settings?: Settings;
  shortcut?: string;
  notice?: { messageKey: string; substitutions: string[] };
  /** Plain-http servers the user agreed to already. */
  cleartextAllowed?: string[];
}

function fakePlatform(answers: Answers, options: FakeOptions = {}) {
  const sent: { name: MessageName; request: unknown }[] = [];
  let progress: ((event: EventMap['keys.progress']) => void) | undefined;
  let cleartextAllowed = options.cleartextAllowed ?? [];
  const platform = {
    loadRemembered: vi.fn(async () => options.remembered ?? {}),
    remember: vi.fn(async () => {}),
    loadSettings: vi.fn(async () => options.settings ?? { servers: [] }),
    hasHostAccess: vi.fn(async () => options.access ?? true),
    loadCachedKey: vi.fn(async () => {
      if (!options.cachedKey) return null;
      const { key, serverUrl, email } = options.cachedKey;
      return { key, serverUrl, email, sessionSavedAt: 0 };
    }),
    now: () => 0,
    openOptions: vi.fn(async () => {}),
    send: vi.fn(async (name: MessageName, request: unknown) => {
      // The form's questions about its server are web-session.test.ts's: kept apart from the flows here.
      if (name === 'server.status' && !answers['server.status']) return null;
      sent.push({ name, request });
      const answer = answers[name] as ((request: unknown) => unknown) | undefined;
      if (!answer) throw new Error(`unexpected ${name}`);
      return answer(request);
    }),
    onProgress: vi.fn((handler: (event: EventMap['keys.progress']) => void) => {
      progress = handler;
      return () => (progress = undefined);
    }),
    copyText: vi.fn(async () => {}),
    newFlowId: () => 'flow-1',
    pasteShortcut: vi.fn(async () => options.shortcut ?? 'Alt+Shift+K'),
    pasteNotice: vi.fn(async () => options.notice ?? null),
    loadWarned: vi.fn(async () => []),
    saveWarned: vi.fn(async () => {}),
    recentPageUrl: vi.fn(async () => undefined),
    uiLanguage: () => 'en-US',
    loadCleartextAllowed: vi.fn(async () => [...cleartextAllowed]),
    saveCleartextAllowed: vi.fn(async (serverUrls: string[]) => {
      cleartextAllowed = serverUrls;
    }),
  };
  return { platform: platform as unknown as PopupPlatform, mocks: platform, sent, progress: () => progress };
}

/** The key view's state, when the popup shows a key. */
function keyShown(controller: PopupController) {
  const state = controller.getState();
  return state.view === 'key' ? state : undefined;
}

async function formWith(fake: ReturnType<typeof fakePlatform>, values: Record<string, string>) {
  const controller = new PopupController(fake.platform);
  await controller.start();
  for (const [field, value] of Object.entries(values)) {
    controller.setField(field as 'serverUrl', value);
  }
  return controller;
}

afterEach(() => vi.useRealTimers());

describe('PopupController', () => {
  it('shows the cached key of the remembered account at once, from storage: no message to the background', async () => {
    const fake = fakePlatform(
      {},
      { cachedKey: KEY, remembered: { serverUrl: 'http://localhost:9380', email: 'me@example.com' } },
    );
    const controller = new PopupController(fake.platform);
    await controller.start();
    expect(controller.getState()).toMatchObject({ view: 'key', result: { key: 'ragflow-abc', source: 'cache' } });
    expect(fake.mocks.loadCachedKey).toHaveBeenCalledWith({
      serverUrl: 'http://localhost:9380',
      email: 'me@example.com',
    });
    expect(fake.sent).toEqual([]);
  });

  it("does not show a cached key past its server's session-cache lifetime (the key service's rule)", async () => {
    const settings: Settings = {
      servers: [
        {
          id: 'local',
          name: 'Local',
          url: normalizeServerUrl('http://localhost:9380'),
          keyPolicy: 'reuse',
          sessionLifetime: { kind: 'minutes', minutes: 15 },
        },
      ],
    };
    const fake = fakePlatform(
      {},
      { cachedKey: KEY, settings, remembered: { serverUrl: KEY.serverUrl, email: KEY.email } },
    );
    fake.mocks.now = () => 15 * 60_000 + 1;
    const controller = new PopupController(fake.platform);
    await controller.start();
    expect(controller.getState()).toMatchObject({ view: 'form' });
  });

  it('opens on the form, filled in, when nothing is cached', async () => {
    const fake = fakePlatform({}, { remembered: { serverUrl: 'localhost:9380', email: 'me@x' } });
    const controller = new PopupController(fake.platform);
    await controller.start();
    expect(controller.getState()).toMatchObject({ view: 'form', form: { serverUrl: 'localhost:9380', email: 'me@x' } });
  });

  it('validates locally, keeping what was typed', async () => {
    const fake = fakePlatform({});
    const controller = await formWith(fake, { serverUrl: 'file:///etc', email: 'me@x', password: 'pw' });
    await controller.submit();
    expect(controller.getState().alert).toEqual({ messageKey: 'errorUrlFile', substitutions: [], field: 'serverUrl' });
    expect(controller.getState().form).toMatchObject({ serverUrl: 'file:///etc', email: 'me@x', password: 'pw' });
    expect(fake.sent).toEqual([]);
    expect(fake.mocks.remember).not.toHaveBeenCalled();
  });

  it('without a password, lets the background answer from its cache or say a password is needed', async () => {
    const fake = fakePlatform({
      'keys.get': () => {
        throw new AppError('password-required');
      },
    });
    const controller = await formWith(fake, { serverUrl: 'localhost:9380', email: 'me@x' });
    await controller.submit();
    expect(controller.getState().alert?.messageKey).toBe('errorPasswordRequired');
    expect(fake.sent.map((message) => message.name)).toEqual(['keys.get']);
    expect(fake.sent[0]?.request).not.toHaveProperty('password');
  });

  it('says the browser stopped the background mid-request, re-enables the button, and the next click works', async () => {
    let stopped = true;
    const fake = fakePlatform({
      'keys.get': () => {
        if (!stopped) return KEY;
        stopped = false;
        throw backgroundStopped('A listener indicated an asynchronous response…');
      },
    });
    const controller = await formWith(fake, { serverUrl: 'localhost:9380', email: 'me@example.com', password: 'pw' });
    await controller.submit();
    expect(controller.getState()).toMatchObject({
      view: 'form',
      busy: false,
      step: null,
      alert: { messageKey: 'errorBackgroundStopped', substitutions: [] },
      // Still typed: the next click may need it, if the background lost the sign-in too.
      form: { password: 'pw' },
    });

    await controller.submit();
    expect(controller.getState()).toMatchObject({ view: 'key', result: KEY, alert: null });
  });

  it('offers to grant access to a server the browser has not allowed, as the background says before any request', async () => {
    const fake = fakePlatform({
      'keys.get': () => {
        throw new AppError('no-host-access', { substitutions: ['rag.example.com'] });
      },
    });
    const controller = await formWith(fake, { serverUrl: 'https://rag.example.com/', email: 'me@x', password: 'pw' });
    await controller.submit();
    expect(controller.getState().alert).toEqual({
      messageKey: 'errorNoHostAccess',
      substitutions: ['rag.example.com'],
      grantServerUrl: 'https://rag.example.com',
    });
    // keys.get goes first, at once: the background checks the permission itself.
    expect(fake.sent.map((message) => message.name)).toEqual(['keys.get']);
    // Remembered, so that the form is filled in when the popup opens again after granting.
    expect(fake.mocks.remember).toHaveBeenCalledWith({ serverUrl: 'https://rag.example.com', email: 'me@x' });
    // The Grant access button leads to that server on the options page, where a click asks.
    await controller.openGrantPage();
    expect(fake.mocks.openOptions).toHaveBeenCalledWith('https://rag.example.com');
  });

  it('gets a key, showing the steps of its own flow only', async () => {
    let finish: (result: KeyResult) => void = () => {};
    const fake = fakePlatform({ 'keys.get': () => new Promise<KeyResult>((resolve) => (finish = resolve)) });
    const controller = await formWith(fake, { serverUrl: 'localhost:9380', email: 'me@example.com', password: 'pw' });
    const running = controller.submit();
    await vi.waitFor(() => expect(fake.progress()).toBeDefined());
    expect(controller.getState()).toMatchObject({ busy: true, step: 'connecting' });
    fake.progress()?.({ flowId: 'flow-1', step: 'signing-in' });
    fake.progress()?.({ flowId: 'another-popup', step: 'creating-account' });
    expect(controller.getState().step).toBe('signing-in');
    finish(KEY);
    await running;
    expect(controller.getState()).toMatchObject({ view: 'key', busy: false, step: null, form: { password: '' } });
    expect(fake.sent[0]).toEqual({
      name: 'keys.get',
      request: { serverUrl: 'http://localhost:9380', email: 'me@example.com', password: 'pw', flowId: 'flow-1' },
    });
    expect(fake.progress()).toBeUndefined();
  });

  it('shows the sentence of a failure and keeps the form', async () => {
    const fake = fakePlatform({
      'keys.get': () => {
        throw new AppError('wrong-password');
      },
    });
    const controller = await formWith(fake, { serverUrl: 'localhost', email: 'me@x', password: 'pw' });
    await controller.submit();
    expect(controller.getState()).toMatchObject({
      view: 'form',
      busy: false,
      alert: { messageKey: 'errorWrongPassword' },
      form: { password: 'pw' },
    });
  });

  it('asks once per plain-http server beyond loopback before the password goes there, and sends nothing until then', async () => {
    const remote = 'http://192.168.1.20:9380';
    const asking = {
      messageKey: 'cleartextWarning',
      substitutions: ['192.168.1.20:9380'],
      cleartextServerUrl: remote,
    };
    const fake = fakePlatform({ 'keys.get': () => ({ ...KEY, serverUrl: remote, source: 'login' }) });
    const controller = await formWith(fake, { serverUrl: remote, email: 'me@example.com', password: 'pw' });
    await controller.submit();
    expect(controller.getState()).toMatchObject({ view: 'form', alert: asking, busy: false });
    expect(fake.sent).toEqual([]);

    // Asked again on the next click, until the user agrees: then remembered, and the sign-in runs.
    await controller.submit();
    expect(fake.sent).toEqual([]);
    await controller.allowCleartext();
    expect(fake.mocks.saveCleartextAllowed).toHaveBeenCalledWith([remote]);
    expect(fake.sent.map((message) => message.name)).toEqual(['keys.get']);
    expect(controller.getState()).toMatchObject({ view: 'key', alert: null });

    // A later popup on the same server does not ask again.
    const again = fakePlatform(
      { 'keys.get': () => ({ ...KEY, serverUrl: remote, source: 'login' }) },
      { cleartextAllowed: [remote] },
    );
    const next = await formWith(again, { serverUrl: remote, email: 'me@example.com', password: 'pw' });
    await next.submit();
    expect(again.sent.map((message) => message.name)).toEqual(['keys.get']);
  });

  it('leads to granting access before it asks about http, for a plain-http server it may not reach', async () => {
    const fake = fakePlatform({}, { access: false });
    const controller = await formWith(fake, {
      serverUrl: 'http://ragflow.invalid:9380',
      email: 'me@x',
      password: 'pw',
    });
    await controller.submit();
    expect(controller.getState().alert).toMatchObject({
      messageKey: 'errorNoHostAccess',
      grantServerUrl: 'http://ragflow.invalid:9380',
    });
    expect(fake.sent).toEqual([]);
    // An https server is not checked here: keys.get goes at once, and the background checks.
    const https = fakePlatform({ 'keys.get': () => KEY }, { access: false });
    const other = await formWith(https, { serverUrl: 'https://rag.example.com', email: 'me@x', password: 'pw' });
    await other.submit();
    expect(https.mocks.hasHostAccess).not.toHaveBeenCalled();
  });

  it.each(['http://localhost:9380', 'http://127.0.0.1:9380', 'https://rag.example.com'])(
    'does not ask about %s: loopback, or https',
    async (serverUrl) => {
      const fake = fakePlatform({ 'keys.get': () => ({ ...KEY, serverUrl, source: 'login' }) });
      const controller = await formWith(fake, { serverUrl, email: 'me@example.com', password: 'pw' });
      await controller.submit();
      expect(controller.getState().alert).toBeNull();
      expect(fake.sent.map((message) => message.name)).toEqual(['keys.get']);
    },
  );

  it('does not ask about a bare public name, which means https', async () => {
    const fake = fakePlatform({ 'keys.get': () => ({ ...KEY, source: 'login' }) });
    const controller = await formWith(fake, { serverUrl: 'rag.example.com', email: 'me@example.com', password: 'pw' });
    await controller.submit();
    // https by default: nothing to ask.
    expect(controller.getState().alert).toBeNull();
    expect(fake.sent.map((message) => message.name)).toEqual(['keys.get']);
  });

  it('offers to create an unknown account when the server allows it', async () => {
    const fake = fakePlatform({
      'keys.get': (request) => {
        if (!request.createAccount) throw new AppError('email-not-registered');
        return { ...KEY, source: 'register' };
      },
      'server.config': () => ({ registrationAllowed: true, passwordLoginAllowed: true }),
    });
    const controller = await formWith(fake, { serverUrl: 'localhost', email: 'jane@example.com', password: 'pw' });
    await controller.submit();
    expect(controller.getState()).toMatchObject({
      offerCreateAccount: true,
      alert: { messageKey: 'errorEmailNotRegistered' },
      form: { nickname: 'jane' },
    });
    controller.setField('nickname', 'Jane D');
    await controller.createAccount();
    expect(controller.getState().view).toBe('key');
    expect(fake.sent.at(-1)?.request).toMatchObject({ password: 'pw', createAccount: { nickname: 'Jane D' } });
  });

  it('says so when registration is closed', async () => {
    const fake = fakePlatform({
      'keys.get': () => {
        throw new AppError('email-not-registered');
      },
      'server.config': () => ({ registrationAllowed: false, passwordLoginAllowed: true }),
    });
    const controller = await formWith(fake, { serverUrl: 'localhost', email: 'jane@example.com', password: 'pw' });
    await controller.submit();
    expect(controller.getState()).toMatchObject({
      offerCreateAccount: false,
      alert: { messageKey: 'popupRegistrationClosed' },
    });
  });

  it('sends keys.get before it writes anything to storage', async () => {
    const order: string[] = [];
    const fake = fakePlatform({ 'keys.get': () => KEY });
    fake.mocks.remember.mockImplementation(async () => {
      order.push('remember');
    });
    fake.mocks.send.mockImplementationOnce(async () => {
      order.push('keys.get');
      return KEY;
    });
    const controller = await formWith(fake, { serverUrl: 'https://rag.example.com', email: 'me@x', password: 'pw' });
    await controller.submit();
    expect(order).toEqual(['keys.get', 'remember']);
    expect(controller.getState()).toMatchObject({ view: 'key', result: KEY });
  });

  it('hides errors that are not ours behind the generic sentence', async () => {
    const fake = fakePlatform({
      'keys.get': () => {
        throw new TypeError('Cannot read properties of undefined');
      },
    });
    const controller = await formWith(fake, { serverUrl: 'localhost', email: 'me@x', password: 'pw' });
    await controller.submit();
    expect(controller.getState().alert).toEqual({ messageKey: 'errorUnexpected', substitutions: [] });
  });

  it('confirms a copy for a moment, then signs out back to the form', async () => {
    vi.useFakeTimers();
    const fake = fakePlatform(
      { 'session.signOut': () => undefined },
      { cachedKey: KEY, remembered: { serverUrl: 'http://localhost:9380', email: 'me@example.com' } },
    );
    const controller = new PopupController(fake.platform);
    await controller.start();
    await controller.copyKey();
    expect(fake.mocks.copyText).toHaveBeenCalledWith('ragflow-abc');
    expect(controller.getState()).toMatchObject({ copied: true, alert: null, clipboardClearSeconds: null });
    vi.advanceTimersByTime(COPIED_CONFIRMATION_MS);
    expect(keyShown(controller)?.copied).toBe(false);

    controller.setAlsoLogOutOfServer(true);
    await controller.signOut();
    expect(fake.sent.at(-1)).toEqual({
      name: 'session.signOut',
      request: { serverUrl: 'http://localhost:9380', alsoLogOutOfServer: true },
    });
    expect(controller.getState()).toMatchObject({
      view: 'form',
      form: { serverUrl: 'http://localhost:9380', email: 'me@example.com' },
    });
    // The key view is gone whole: its key, copy state and key list are no part of the form view.
    expect(controller.getState()).not.toHaveProperty('result');
    expect(controller.getState()).not.toHaveProperty('keys');
  });

  it('shows the paste shortcut the browser reports, also when the user removed it', async () => {
    const controller = new PopupController(fakePlatform({}, { shortcut: 'Ctrl+Shift+9' }).platform);
    expect(controller.getState().pasteShortcut).toBeNull();
    await controller.start();
    expect(controller.getState().pasteShortcut).toBe('Ctrl+Shift+9');

    const unset = new PopupController(fakePlatform({}, { shortcut: '' }).platform);
    await unset.start();
    expect(unset.getState().pasteShortcut).toBe('');
  });

  it('opened by a paste that did nothing, says why next to the cached key', async () => {
    const notice = { messageKey: 'pasteNoticeFrameNotAllowed', substitutions: [] };
    const fake = fakePlatform(
      {},
      { cachedKey: KEY, remembered: { serverUrl: 'http://localhost:9380', email: 'me@example.com' }, notice },
    );
    const controller = new PopupController(fake.platform);
    await controller.start();
    expect(controller.getState()).toMatchObject({ view: 'key', alert: notice, result: { key: 'ragflow-abc' } });
  });

  it('opens without an alert when there is no notice', async () => {
    const controller = new PopupController(fakePlatform({}, {}).platform);
    await controller.start();
    expect(controller.getState()).toMatchObject({ view: 'form', alert: null });
  });

  it("asks the background to clear the clipboard later, sending the key's hash, never the key", async () => {
    const fake = fakePlatform(
      { 'clipboard.scheduleClear': () => ({ status: 'scheduled', seconds: 60 }) },
      { cachedKey: KEY, remembered: { serverUrl: 'http://localhost:9380', email: 'me@example.com' } },
    );
    const controller = new PopupController(fake.platform);
    await controller.start();
    await controller.copyKey();
    expect(fake.sent.at(-1)).toEqual({
      name: 'clipboard.scheduleClear',
      request: { fingerprint: await clipboardFingerprint('ragflow-abc') },
    });
    expect(JSON.stringify(fake.sent.at(-1))).not.toContain('ragflow-abc');
    expect(controller.getState()).toMatchObject({ copied: true, clipboardClearSeconds: 60 });
  });

  it('says nothing about clearing when the preference is off or the browser cannot', async () => {
    for (const plan of [{ status: 'off' }, { status: 'unsupported' }] as const) {
      const fake = fakePlatform(
        { 'clipboard.scheduleClear': () => plan },
        { cachedKey: KEY, remembered: { serverUrl: 'http://localhost:9380', email: 'me@example.com' } },
      );
      const controller = new PopupController(fake.platform);
      await controller.start();
      await controller.copyKey();
      expect(controller.getState()).toMatchObject({ copied: true, alert: null, clipboardClearSeconds: null });
    }
  });

  it('opens the options page from the Settings link', async () => {
    const fake = fakePlatform({});
    const controller = await formWith(fake, {});
    await controller.openOptions();
    expect(fake.mocks.openOptions).toHaveBeenCalledWith(undefined);
  });
});

describe('the key list in the popup', () => {
  const remembered = { serverUrl: 'http://localhost:9380', email: 'me@example.com' };

  it('comes with the shown key, closed: opening the popup asks the server nothing', async () => {
    const fake = fakePlatform({}, { cachedKey: KEY, remembered });
    const controller = new PopupController(fake.platform);
    await controller.start();
    expect(keyShown(controller)?.keys).toMatchObject({
      open: false,
      rows: null,
      currentKey: 'ragflow-abc',
    });
    expect(fake.sent).toEqual([]);
  });

  it('follows the pasting key: another one chosen, or none after revoking it', async () => {
    const fake = fakePlatform(
      {
        'keys.list': () => ({
          keys: [
            { token: 'ragflow-abc', createdAt: 1 },
            { token: 'ragflow-xyz', createdAt: 2 },
          ],
          currentKey: 'ragflow-abc',
        }),
        'keys.setCurrent': () => undefined,
        'keys.revoke': () => ({ signedOut: false }),
      },
      { cachedKey: KEY, remembered },
    );
    const controller = new PopupController(fake.platform);
    await controller.start();
    await controller.toggleKeyList();
    const keyList = await controller.loadKeyList();
    await keyList.useForPaste('ragflow-xyz');
    expect(keyShown(controller)?.result.key).toBe('ragflow-xyz');
    await keyList.revoke('ragflow-xyz');
    expect(controller.getState()).toMatchObject({ view: 'key', result: { key: '' } });
  });

  it('goes back to the form, saying why, when the session expired', async () => {
    const fake = fakePlatform(
      {
        'keys.list': () => {
          throw new AppError('session-expired');
        },
      },
      { cachedKey: KEY, remembered },
    );
    const controller = new PopupController(fake.platform);
    await controller.start();
    await controller.toggleKeyList();
    expect(controller.getState()).toMatchObject({
      view: 'form',
      alert: { messageKey: 'errorSessionExpired' },
      form: remembered,
    });
    expect(controller.getState()).not.toHaveProperty('keys');
  });

  it("confirms a copy from the list for a moment, with the key's own Copy sharing the one timer", async () => {
    vi.useFakeTimers();
    const fake = fakePlatform(
      {
        'keys.copyText': () => 'RAGFLOW_API_KEY=ragflow-abc',
        'clipboard.scheduleClear': () => ({ status: 'off' }),
      },
      { cachedKey: KEY, remembered },
    );
    const controller = new PopupController(fake.platform);
    await controller.start();
    await (await controller.loadKeyList()).copy('ragflow-abc', 'env');
    expect(keyShown(controller)?.keys.copied).toEqual({ token: 'ragflow-abc', format: 'env' });
    await controller.copyKey();
    // One confirmation at a time: the newer copy's.
    expect(keyShown(controller)).toMatchObject({ copied: true, keys: { copied: null } });
    vi.advanceTimersByTime(COPIED_CONFIRMATION_MS);
    expect(keyShown(controller)).toMatchObject({ copied: false, keys: { copied: null } });
  });

  it('gives back a form that takes input at once, while its server is still being asked about', async () => {
    const fake = fakePlatform(
      { 'session.signOut': () => undefined, 'server.status': () => new Promise<never>(() => {}) },
      { cachedKey: KEY, remembered },
    );
    const controller = new PopupController(fake.platform);
    await controller.start();
    void controller.signOut();
    await vi.waitFor(() => expect(fake.sent.map((message) => message.name)).toContain('server.status'));
    expect(controller.getState()).toMatchObject({ view: 'form', busy: false });
  });

  it('goes away on sign-out', async () => {
    const fake = fakePlatform({ 'session.signOut': () => undefined }, { cachedKey: KEY, remembered });
    const controller = new PopupController(fake.platform);
    await controller.start();
    await controller.signOut();
    expect(keyShown(controller)).toBeUndefined();
  });
});

describe('the server picker', () => {
  const LOCAL: ServerSettings = {
    id: 'local',
    name: 'Local',
    url: normalizeServerUrl('http://localhost:9380'),
    keyPolicy: 'reuse',
    sessionLifetime: { kind: 'until-browser-closes' },
  };
  const PROD: ServerSettings = {
    ...LOCAL,
    id: 'prod',
    name: 'Production',
    url: normalizeServerUrl('https://rag.example.com'),
    email: 'me@corp.example',
  };
  const settings: Settings = { servers: [LOCAL, PROD], defaultServerId: 'prod' };

  it('preselects the default server, with its email, when no server was used yet', async () => {
    const fake = fakePlatform({}, { settings });
    const controller = new PopupController(fake.platform);
    await controller.start();
    expect(controller.getState()).toMatchObject({
      view: 'form',
      servers: [LOCAL, PROD],
      form: { serverUrl: 'https://rag.example.com', email: 'me@corp.example' },
      serverId: 'prod',
    });
  });

  it('keeps the server used last (or the one a paste pointed it at) over the default', async () => {
    const fake = fakePlatform({}, { settings, remembered: { serverUrl: 'http://localhost:9380', email: 'old@x' } });
    const controller = new PopupController(fake.platform);
    await controller.start();
    expect(controller.getState()).toMatchObject({
      view: 'form',
      form: { serverUrl: 'http://localhost:9380', email: 'old@x' },
      serverId: 'local',
    });
  });

  it('still shows the cached key of the account used last, at once', async () => {
    const fake = fakePlatform(
      {},
      { cachedKey: KEY, settings, remembered: { serverUrl: 'http://localhost:9380', email: 'me@example.com' } },
    );
    const controller = new PopupController(fake.platform);
    await controller.start();
    expect(controller.getState()).toMatchObject({ view: 'key', result: { ...KEY, source: 'cache' } });
  });

  it('fills the URL from a choice, keeps the email when the server has none, and leaves "another server" to typing', async () => {
    const fake = fakePlatform({}, { settings });
    const controller = new PopupController(fake.platform);
    await controller.start();
    controller.selectServer('local');
    expect(controller.getState().form).toMatchObject({ serverUrl: 'http://localhost:9380', email: 'me@corp.example' });
    expect(controller.getState()).toMatchObject({ serverId: 'local' });
    controller.selectServer('');
    expect(controller.getState().form).toMatchObject({ serverUrl: '', email: 'me@corp.example' });
    expect(controller.getState()).toMatchObject({ serverId: '' });
  });

  it('shows the saved server the URL field holds, however it is typed', async () => {
    const fake = fakePlatform({}, { settings });
    const controller = new PopupController(fake.platform);
    await controller.start();
    await controller.setField('serverUrl', 'localhost:9380/');
    expect(controller.getState()).toMatchObject({ serverId: 'local' });
    await controller.setField('serverUrl', 'localhost:9381');
    expect(controller.getState()).toMatchObject({ serverId: '' });
    await controller.setField('serverUrl', 'not a url at all');
    expect(controller.getState()).toMatchObject({ serverId: '' });
  });

  it('opens on the server typed last when none is saved', async () => {
    const fake = fakePlatform({}, { remembered: { serverUrl: 'localhost:9380', email: 'me@x' } });
    const controller = new PopupController(fake.platform);
    await controller.start();
    expect(controller.getState()).toMatchObject({ servers: [], form: { serverUrl: 'localhost:9380', email: 'me@x' } });
  });

  it('opens on an empty form when the settings cannot be read', async () => {
    const fake = fakePlatform({});
    fake.mocks.loadSettings.mockRejectedValueOnce(new Error('storage unavailable'));
    const controller = new PopupController(fake.platform);
    await controller.start();
    expect(controller.getState()).toMatchObject({ view: 'form', servers: [], alert: null });
  });
});

describe('errors under their field', () => {
  it('says a local error under its field, and clears it as soon as the value is fixed', async () => {
    const fake = fakePlatform({});
    const controller = await formWith(fake, { serverUrl: 'localhost:9380', email: 'me', password: 'pw' });
    await controller.submit();
    expect(controller.getState().alert).toMatchObject({ messageKey: 'errorEmailMalformed', field: 'email' });
    // Still wrong: still said (another field's edit leaves it alone).
    controller.setField('password', 'pw2');
    controller.setField('email', 'me@');
    expect(controller.getState().alert).toMatchObject({ field: 'email' });
    controller.setField('email', 'me@example.com');
    expect(controller.getState().alert).toBeNull();
  });

  it("puts the server's word on the field it is about, gone with the next edit of that field", async () => {
    const fake = fakePlatform({
      'keys.get': () => {
        throw new AppError('wrong-password');
      },
    });
    const controller = await formWith(fake, { serverUrl: 'localhost:9380', email: 'me@x', password: 'bad' });
    await controller.submit();
    expect(controller.getState().alert).toMatchObject({ messageKey: 'errorWrongPassword', field: 'password' });
    controller.setField('email', 'me@y');
    expect(controller.getState().alert).toMatchObject({ field: 'password' });
    controller.setField('password', 'better');
    expect(controller.getState().alert).toBeNull();
  });
});

describe('cancel', () => {
  it('tells the background, drops the answer when it comes, and leaves the form as it was', async () => {
    let answer: (result: KeyResult) => void = () => {};
    const fake = fakePlatform({
      'keys.get': () => new Promise<KeyResult>((resolve) => (answer = resolve)),
      'keys.cancel': () => undefined,
    });
    const typed = { serverUrl: 'localhost:9380', email: 'me@example.com', password: 'pw' };
    const controller = await formWith(fake, typed);
    const running = controller.submit();
    await vi.waitFor(() => expect(fake.sent.map((message) => message.name)).toContain('keys.get'));
    expect(controller.getState()).toMatchObject({ busy: true, step: 'connecting' });

    controller.cancel();
    expect(fake.sent.at(-1)).toEqual({ name: 'keys.cancel', request: { flowId: 'flow-1' } });
    expect(controller.getState()).toMatchObject({ view: 'form', busy: false, step: null, alert: null, form: typed });

    answer(KEY);
    await running;
    expect(controller.getState()).toMatchObject({ view: 'form', busy: false, form: typed });
  });

  it('lets a new sign-in start at once, which the cancelled one does not disturb', async () => {
    const answers: ((result: KeyResult) => void)[] = [];
    const fake = fakePlatform({
      'keys.get': () => new Promise<KeyResult>((resolve) => answers.push(resolve)),
      'keys.cancel': () => undefined,
    });
    const controller = await formWith(fake, { serverUrl: 'localhost:9380', email: 'me@example.com', password: 'pw' });
    const first = controller.submit();
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    controller.cancel();
    const second = controller.submit();
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    answers[0]?.({ ...KEY, key: 'ragflow-cancelled' });
    await first;
    expect(controller.getState()).toMatchObject({ busy: true, view: 'form' });
    answers[1]?.(KEY);
    await second;
    expect(controller.getState()).toMatchObject({ busy: false, view: 'key', result: { key: KEY.key } });
  });
});

describe('a server that cannot decrypt the password', () => {
  it('offers its settings, where its public key goes, in one click', async () => {
    const fake = fakePlatform({
      'keys.get': () => {
        throw new AppError('password-not-decryptable');
      },
    });
    const controller = await formWith(fake, { serverUrl: 'localhost:9380', email: 'me@x', password: 'pw' });
    await controller.submit();
    expect(controller.getState().alert).toMatchObject({
      messageKey: 'errorPasswordNotDecryptable',
      publicKeyServerUrl: 'http://localhost:9380',
    });
    await controller.openPublicKeySettings();
    expect(fake.mocks.openOptions).toHaveBeenCalledWith('http://localhost:9380');
  });
});
