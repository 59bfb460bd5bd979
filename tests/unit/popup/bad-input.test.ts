/**
 * Bad input in the popup's form, checked from the popup controller down to a real fake RAGFlow:
 * what the input alone makes invalid gets its sentence and sends nothing (no message to the
 * background, no HTTP request); what is merely unusual goes out and works.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { accountCache } from '@/lib/keys/account-cache';
import { createKeyService, type KeyService } from '@/lib/keys/key-service';
import { errorFromData, toErrorData } from '@/lib/messaging/errors';
import type { MessageName, RequestOf, ResponseOf } from '@/lib/messaging/protocol';
import { type FormValues, PopupController, type PopupPlatform } from '@/lib/popup/controller';
import { MAX_NICKNAME_LENGTH } from '@/lib/popup/form';
import type { ServerSettings } from '@/lib/settings/schema';
import { type FakeRagflow, startFakeRagflow } from '../../fake-ragflow';

const ALICE = { email: 'alice@example.com', password: 'alice-password' };

let server: FakeRagflow;
let keyService: KeyService;
/** Every message the popup sent to the background, in order. */
let sent: { name: MessageName; request: unknown }[];
/** The servers of the options page, as the popup reads them. */
let servers: ServerSettings[];

/**
 * The popup's platform with the real key service behind its bus: errors cross as data and come
 * back as data, as through the real bus. Storage is WXT's fakeBrowser.
 */
function platform(): PopupPlatform {
  async function answer(name: MessageName, request: unknown): Promise<unknown> {
    switch (name) {
      case 'keys.get':
        return keyService.getKey(request as RequestOf<'keys.get'>);
      case 'server.config':
        return keyService.serverConfig((request as RequestOf<'server.config'>).serverUrl);
      default:
        throw new Error(`not served in this test: ${name}`);
    }
  }
  return {
    loadRemembered: async () => ({}),
    remember: async () => {},
    loadSettings: async () => ({ servers }),
    hasHostAccess: async () => true,
    loadCachedKey: async () => null,
    now: () => Date.now(),
    openOptions: async () => {},
    async send<K extends MessageName>(name: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
      sent.push({ name, request });
      try {
        return (await answer(name, request)) as ResponseOf<K>;
      } catch (error) {
        throw errorFromData(toErrorData(error));
      }
    },
    onProgress: () => () => {},
    copyText: async () => {},
    newFlowId: () => 'flow',
    pasteShortcut: async () => '',
    pasteNotice: async () => null,
    uiLanguage: () => 'en-US',
    loadCleartextAllowed: async () => [],
    saveCleartextAllowed: async () => {},
    loadWarned: async () => [],
    saveWarned: async () => {},
    recentPageUrl: async () => undefined,
  };
}

/** The key view's state, when the popup shows a key. */
function keyShown(controller: PopupController) {
  const state = controller.getState();
  return state.view === 'key' ? state : undefined;
}

async function popupWith(values: Partial<FormValues>): Promise<PopupController> {
  const controller = new PopupController(platform());
  await controller.start();
  for (const [field, value] of Object.entries(values)) controller.setField(field as keyof FormValues, value);
  return controller;
}

const keyRequests = () => sent.filter((message) => message.name === 'keys.get');

beforeEach(async () => {
  fakeBrowser.reset();
  sent = [];
  server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  servers = [];
  keyService = createKeyService({
    hasHostAccess: async () => true,
    onStep: () => {},
    keyPolicy: async () => 'reuse',
    // The fake has its own key pair, as a self-hoster's server would.
    clientOptions: async () => ({ publicKeyPem: server.publicKeyPem }),
  });
});

afterEach(async () => {
  await server.close();
});

const URL_2000 = `http://h/${'a'.repeat(2000 - 'http://h/'.length)}`;

/** 46 four-byte emoji: 184 UTF-8 bytes, though only 92 UTF-16 units. */
const EMOJI_184_BYTES = '🔑'.repeat(46);

describe('input that is invalid on its own', () => {
  const email300 = `${'a'.repeat(300 - '@example.com'.length)}@example.com`;
  it.each<[string, Partial<FormValues>, string, string[]]>([
    ['an empty server URL', { serverUrl: '' }, 'errorUrlEmpty', []],
    ['a server URL of spaces', { serverUrl: '   ' }, 'errorUrlEmpty', []],
    ['a 2,000-character server URL', { serverUrl: URL_2000 }, 'errorUrlTooLong', []],
    ['a javascript: URL', { serverUrl: 'javascript:alert(1)' }, 'errorUrlJavascript', []],
    ['a file: URL', { serverUrl: 'file:///etc/passwd' }, 'errorUrlFile', []],
    ['a URL with credentials', { serverUrl: 'http://u:p@host' }, 'errorUrlCredentials', []],
    ['an empty email', { email: '' }, 'errorEmailRequired', []],
    ['an email without @', { email: 'alice.example.com' }, 'errorEmailMalformed', []],
    ['an email of 300 characters', { email: email300 }, 'errorEmailTooLong', ['255']],
    ['a password of 184 UTF-8 bytes', { password: 'p'.repeat(184) }, 'errorPasswordTooLong', ['183']],
    ['184 bytes of emoji', { password: EMOJI_184_BYTES }, 'errorPasswordTooLong', ['183']],
    ['a password of 10,000 characters', { password: 'x'.repeat(10_000) }, 'errorPasswordTooLong', ['183']],
  ])('%s: says why, sends nothing, keeps the form', async (_name, input, messageKey, substitutions) => {
    const typed: FormValues = { serverUrl: server.url, ...ALICE, nickname: '', apiKey: '', ...input };
    const controller = await popupWith(typed);
    await controller.submit();

    // Said under the field it is about, which the popup marks invalid.
    const field = Object.keys(input)[0];
    expect(controller.getState().alert).toEqual({ messageKey, substitutions, field });
    expect(controller.getState()).toMatchObject({ view: 'form', busy: false, form: typed });
    expect(keyRequests()).toEqual([]);
    expect(server.count()).toBe(0);
  });

  it('an empty password: the background says one is needed, and asks the server nothing', async () => {
    const controller = await popupWith({ serverUrl: server.url, email: ALICE.email });
    await controller.submit();
    expect(controller.getState().alert).toEqual({
      messageKey: 'errorPasswordRequired',
      substitutions: [],
      field: 'password',
    });
    expect(server.count()).toBe(0);
  });

  it('on a server with its own RSA key, the background refuses a password that key cannot carry, before any request', async () => {
    servers = [
      {
        id: 'own-key',
        name: 'Own key',
        url: server.url,
        keyPolicy: 'reuse',
        sessionLifetime: { kind: 'until-browser-closes' },
        publicKeyPem: server.publicKeyPem,
      },
    ];
    const controller = await popupWith({ serverUrl: server.url, email: ALICE.email, password: 'x'.repeat(10_000) });
    await controller.submit();
    // The popup leaves a server's own key to the background, which knows its size.
    expect(keyRequests()).toHaveLength(1);
    expect(controller.getState().alert).toEqual({
      messageKey: 'errorPasswordTooLong',
      substitutions: ['183'],
      field: 'password',
    });
    expect(server.count()).toBe(0);
  });

  it('a nickname of 200 characters: says why and registers nothing', async () => {
    const controller = await popupWith({ serverUrl: server.url, email: 'new@example.com', password: 'pw' });
    controller.setField('nickname', 'n'.repeat(200));
    await controller.createAccount();
    expect(controller.getState().alert).toEqual({
      messageKey: 'errorNicknameTooLong',
      substitutions: [String(MAX_NICKNAME_LENGTH)],
      field: 'nickname',
    });
    expect(controller.getState().form.nickname).toBe('n'.repeat(200));
    expect(server.count()).toBe(0);
  });
});

describe('input that is unusual but valid', () => {
  it.each([
    ['localhost', 'http://localhost'],
    ['localhost:9380', 'http://localhost:9380'],
    ['http://[::1]:9380', 'http://[::1]:9380'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
  ])('server %j goes out as %j', async (serverUrl, normalised) => {
    // Nothing listens there in this test: only what the popup sends matters.
    keyService = { ...keyService, getKey: async (request) => ({ ...request, key: 'ragflow-k', source: 'login' }) };
    const controller = await popupWith({ serverUrl, ...ALICE });
    await controller.submit();
    expect(keyRequests()).toEqual([
      { name: 'keys.get', request: expect.objectContaining({ serverUrl: normalised, email: ALICE.email }) },
    ]);
  });

  it.each<[string, Partial<FormValues>]>([
    ['a server URL with a trailing /#frag', {}],
    ['a password of exactly 183 UTF-8 bytes', { password: 'p'.repeat(183) }],
    ['a password of 45 emoji (180 bytes)', { password: '🔑'.repeat(45) }],
    ['a non-ASCII email', { email: 'jösé.ñandú@exämple.com' }],
  ])('%s gets a key', async (_name, input) => {
    // Every case on the address with a fragment: it must not get in the way of any of them.
    const values = { serverUrl: `${server.url}/#frag`, ...ALICE, ...input };
    server.addUser({ email: values.email, password: values.password });
    const controller = await popupWith(values);
    await controller.submit();

    expect(controller.getState().alert).toBeNull();
    expect(keyShown(controller)?.result).toMatchObject({
      key: server.apiKeys(values.email)[0],
      serverUrl: server.url,
      email: values.email,
    });
  });

  it('an empty nickname registers the account under the default one', async () => {
    const controller = await popupWith({ serverUrl: server.url, email: 'jane.doe@example.com', password: 'pw-1' });
    controller.setField('nickname', '   ');
    await controller.createAccount();
    expect(keyShown(controller)?.result?.key).toBe(server.apiKeys('jane.doe@example.com')[0]);
    expect(server.nickname('jane.doe@example.com')).toBe('jane.doe');
  });

  it('a nickname of 90 characters, and one that looks like markup, are sent as typed', async () => {
    const markup = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    for (const [email, nickname] of [
      ['long@example.com', 'n'.repeat(MAX_NICKNAME_LENGTH)],
      ['markup@example.com', markup],
    ] as const) {
      const controller = await popupWith({ serverUrl: server.url, email, password: 'pw-2' });
      controller.setField('nickname', nickname);
      await controller.createAccount();
      expect(keyShown(controller)?.result?.key).toBe(server.apiKeys(email)[0]);
      expect(server.nickname(email)).toBe(nickname);
    }
  });

  it('a non-ASCII email can be registered too, as RAGFlow allows', async () => {
    const email = 'zoë@exämple.com';
    const controller = await popupWith({ serverUrl: server.url, email, password: 'pw-3', nickname: 'Zoë' });
    await controller.createAccount();
    expect(keyShown(controller)?.result?.key).toBe(server.apiKeys(email)[0]);
    expect(await accountCache.getAccount(server.url, email)).toMatchObject({ currentKey: server.apiKeys(email)[0] });
  });
});
