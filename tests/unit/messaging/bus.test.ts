import type { Browser } from 'wxt/browser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { sendMessage } from '@/lib/messaging/bus';
import { type Handlers, serveMessages } from '@/lib/messaging/serve';
import type { Envelope, RequestMessage, RequestOf, ResponseOf } from '@/lib/messaging/protocol';
import { AppError } from '@/lib/errors';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

const POPUP_URL = `chrome-extension://${fakeBrowser.runtime.id}/popup.html`;

// The bus routes by name whatever the map holds; one handler is enough to test it.
const handlers = {
  'keys.get': async (request: RequestOf<'keys.get'>): Promise<ResponseOf<'keys.get'>> => {
    if (request.password === 'wrong')
      throw new AppError('wrong-password', { serverCode: 109, serverMessage: 'Email and password do not match!' });
    if (request.password === 'bug') throw new TypeError('cannot read properties of undefined');
    return { key: 'ragflow-abc', serverUrl: request.serverUrl, email: request.email, source: 'login' };
  },
} satisfies Handlers;

let stop: () => void;

beforeEach(() => {
  fakeBrowser.reset();
  stop = serveMessages(handlers, { allowedPages: ['/popup.html'] });
});

afterEach(() => stop());

async function deliver(message: RequestMessage, sender: Browser.runtime.MessageSender): Promise<Envelope<unknown>> {
  // As the browser does: the listener answers through sendResponse, and keeps the channel open
  // for it by returning true.
  const answer = new Promise<Envelope<unknown>>((resolve) => {
    // The fake's trigger is typed without sendResponse; it passes on every argument it is given.
    const trigger = fakeBrowser.runtime.onMessage.trigger as (...args: unknown[]) => Promise<unknown[]>;
    void trigger(message, sender, resolve).then((returned) => {
      expect(returned).toContain(true);
    });
  });
  return answer;
}

const getKey: RequestMessage<'keys.get'> = {
  type: 'request',
  name: 'keys.get',
  request: { serverUrl: normalizeServerUrl('http://localhost:9380'), email: 'a@b.co', password: 'pw' },
};

describe('the background side of the bus', () => {
  it("answers this extension's own page", async () => {
    const answer = await deliver(getKey, { id: fakeBrowser.runtime.id, url: POPUP_URL });
    expect(answer).toEqual({ ok: true, value: expect.objectContaining({ key: 'ragflow-abc' }) });
  });

  it.each<[string, Browser.runtime.MessageSender]>([
    ['another extension', { id: 'some-other-extension', url: 'chrome-extension://some-other-extension/popup.html' }],
    [
      'a content script in a web page',
      { id: fakeBrowser.runtime.id, url: 'https://evil.example/popup.html', tab: { id: 1 } as Browser.tabs.Tab },
    ],
    [
      'an extension page not on the list',
      { id: fakeBrowser.runtime.id, url: `chrome-extension://${fakeBrowser.runtime.id}/other.html` },
    ],
    ['a sender without a URL', { id: fakeBrowser.runtime.id }],
    ['an anonymous sender', {}],
  ])('refuses %s, with an error and no key', async (_name, sender) => {
    const answer = await deliver(getKey, sender);
    expect(answer).toEqual({
      ok: false,
      error: { kind: 'forbidden-sender', messageKey: 'errorForbiddenSender', substitutions: [] },
    });
    expect(JSON.stringify(answer)).not.toContain('ragflow-');
  });

  it('sends typed errors across as data, keeping kind and message key', async () => {
    const answer = await deliver(
      { ...getKey, request: { ...getKey.request, password: 'wrong' } },
      { id: fakeBrowser.runtime.id, url: POPUP_URL },
    );
    expect(answer).toEqual({
      ok: false,
      error: {
        kind: 'wrong-password',
        messageKey: 'errorWrongPassword',
        substitutions: [],
        serverMessage: 'Email and password do not match!',
      },
    });
  });

  it('turns a bug into a plain "unexpected" error, not a lost rejection', async () => {
    const answer = await deliver(
      { ...getKey, request: { ...getKey.request, password: 'bug' } },
      { id: fakeBrowser.runtime.id, url: POPUP_URL },
    );
    expect(answer).toMatchObject({ ok: false, error: { kind: 'unexpected', messageKey: 'errorUnexpected' } });
  });

  it('parses the server URL a page sends, so the handler gets it normalised (a message is an edge)', async () => {
    const typed = { ...getKey, request: { ...getKey.request, serverUrl: ' LOCALHOST:9380/api/v1/ ' } };
    const answer = await deliver(typed as unknown as RequestMessage, { id: fakeBrowser.runtime.id, url: POPUP_URL });
    expect(answer).toEqual({ ok: true, value: expect.objectContaining({ serverUrl: 'http://localhost:9380' }) });
  });

  it.each([
    ['a script address', 'javascript:alert(1)', 'errorUrlJavascript'],
    ['no text at all', 42, 'errorUrlMalformed'],
  ])('refuses %s for a server URL, with the reason, before any handler runs', async (_name, serverUrl, messageKey) => {
    const bad = { ...getKey, request: { ...getKey.request, serverUrl } };
    const answer = await deliver(bad as unknown as RequestMessage, { id: fakeBrowser.runtime.id, url: POPUP_URL });
    expect(answer).toMatchObject({ ok: false, error: { kind: 'invalid-server-url', messageKey } });
  });

  it('refuses a message name that is not in the protocol', async () => {
    const unknown = { type: 'request', name: 'keys.steal', request: {} } as unknown as RequestMessage;
    const answer = await deliver(unknown, { id: fakeBrowser.runtime.id, url: POPUP_URL });
    expect(answer).toMatchObject({ ok: false, error: { kind: 'unknown-message' } });
  });

  it('leaves messages that are not requests to other listeners', async () => {
    const answers = await fakeBrowser.runtime.onMessage.trigger({ type: 'event', name: 'keys.progress' }, {});
    expect(answers.filter(Boolean)).toEqual([]);
  });
});

describe('the sending side of the bus', () => {
  it('throws the error it gets back as an AppError with the same kind and message key', async () => {
    stop();
    // The background's refusal of a sender, as it answers it.
    const refusal = {
      ok: false,
      error: { kind: 'forbidden-sender', messageKey: 'errorForbiddenSender', substitutions: [] },
    };
    const listener = async () => refusal;
    fakeBrowser.runtime.onMessage.addListener(listener);
    const error = await sendMessage('keys.list', {
      serverUrl: normalizeServerUrl('localhost'),
      email: 'a@b.co',
    }).catch((caught) => caught);
    fakeBrowser.runtime.onMessage.removeListener(listener);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ kind: 'forbidden-sender', messageKey: 'errorForbiddenSender' });
  });

  it('says the background stopped when the call fails (Chrome, worker stopped mid-request)', async () => {
    stop();
    const error = await sendMessage('keys.list', {
      serverUrl: normalizeServerUrl('localhost'),
      email: 'a@b.co',
    }).catch((caught) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ kind: 'background-stopped', messageKey: 'errorBackgroundStopped' });
  });

  it('says the background stopped when the call ends without an answer (the polyfill, port closed)', async () => {
    stop();
    const listener = () => undefined;
    fakeBrowser.runtime.onMessage.addListener(listener);
    const error = await sendMessage('keys.list', {
      serverUrl: normalizeServerUrl('localhost'),
      email: 'a@b.co',
    }).catch((caught) => caught);
    fakeBrowser.runtime.onMessage.removeListener(listener);
    expect(error).toMatchObject({ kind: 'background-stopped', messageKey: 'errorBackgroundStopped' });
  });

  it('calls an answer that is not an envelope a bug of ours, not a stopped background', async () => {
    stop();
    const listener = async () => ({ key: 'not an envelope' });
    fakeBrowser.runtime.onMessage.addListener(listener);
    const error = await sendMessage('keys.list', {
      serverUrl: normalizeServerUrl('localhost'),
      email: 'a@b.co',
    }).catch((caught) => caught);
    fakeBrowser.runtime.onMessage.removeListener(listener);
    expect(error).toMatchObject({ kind: 'malformed-answer', messageKey: 'errorUnexpected' });
  });
});

// Compile-time checks: `npm test` type-checks this file, so each line must stay an error.
// biome-ignore lint/suspicious/noExportsInTest: exported only so that the type checker keeps it; no test imports it
export function wrongPayloadsDoNotCompile(): void {
  // @ts-expect-error: serverUrl is a string
  void sendMessage('keys.get', { serverUrl: 9380, email: 'a@b.co' });
  // @ts-expect-error: email is required
  void sendMessage('keys.list', { serverUrl: 'localhost' });
  // @ts-expect-error: not a message of the protocol
  void sendMessage('keys.steal', {});
  // @ts-expect-error: the response of keys.list is a KeyList, not a string
  void sendMessage('keys.list', { serverUrl: 'x', email: 'y' }).then((result: string) => result);
}
