import { type CopyFormat, copyText } from '@/lib/keys/copy-formats';
import { describe, expect, it, vi } from 'vitest';

import { clipboardFingerprint } from '../../../lib/clipboard/fingerprint';
import { AppError } from '../../../lib/errors';
import { normalizeServerUrl } from '../../../lib/ragflow/server-url';
import { keyListOn } from './support/key-list';
import type { KeyList, MessageName, RequestOf } from '../../../lib/messaging/protocol';

const SERVER = 'http://localhost:9380/ragflow';
const ACCOUNT = { serverUrl: normalizeServerUrl(SERVER), email: 'me@example.com' };
const NOW = Date.UTC(2025, 4, 10, 12, 0, 0);
const OLD = 'ragflow-old-key-aaaa1111';
const NEW = 'ragflow-new-key-bbbb2222';
const LIST: KeyList = {
  keys: [
    { token: NEW, createdAt: NOW - 5 * 60_000 },
    { token: OLD, createdAt: NOW - 3 * 24 * 3600_000 },
  ],
  currentKey: OLD,
};

type Answers = { [K in MessageName]?: (request: RequestOf<K>) => unknown };

function keyList(answers: Answers, currentKey: string | null = OLD) {
  const sent: { name: MessageName; request: unknown }[] = [];
  const platform = {
    send: vi.fn(async (name: MessageName, request: unknown) => {
      sent.push({ name, request });
      const answer = answers[name] as ((request: unknown) => unknown) | undefined;
      if (!answer) throw new Error(`unexpected ${name}`);
      return answer(request);
    }),
    copyText: vi.fn(async (_text: string) => {}),
  };
  const { list, hooks } = keyListOn({ platform, account: ACCOUNT, currentKey, now: NOW });
  return { list, platform, hooks, sent };
}

describe('the key list', () => {
  it('stays closed, with no request, until opened; opening lists the keys newest first, formatted', async () => {
    const { list, sent } = keyList({ 'keys.list': () => LIST });
    expect(list.getState()).toMatchObject({ open: false, rows: null });
    expect(sent).toEqual([]);

    await list.toggle();
    expect(sent).toEqual([{ name: 'keys.list', request: ACCOUNT }]);
    expect(list.getState()).toMatchObject({ open: true, busy: false, currentKey: OLD });
    expect(list.getState().rows).toEqual([
      {
        token: NEW,
        masked: 'ragflow-new-…2222',
        age: '5 minutes ago',
        recent: false,
        date: expect.any(String),
        isoDate: '2025-05-10T11:55:00.000Z',
        places: [],
        embed: false,
      },
      {
        token: OLD,
        masked: 'ragflow-old-…1111',
        age: '3 days ago',
        recent: false,
        date: expect.any(String),
        isoDate: '2025-05-07T12:00:00.000Z',
        places: [],
        embed: false,
      },
    ]);

    await list.toggle();
    expect(list.getState().open).toBe(false);
  });

  it('lists afresh each time it opens, and starts with nothing shown, expanded or checked', async () => {
    const { list, sent } = keyList({ 'keys.list': () => LIST, 'keys.verify': () => 'valid' });
    await list.toggle();
    list.toggleShown(NEW);
    list.toggleExpanded(NEW);
    list.askRevoke(OLD);
    await list.verify(NEW);
    await list.toggle();
    await list.toggle();
    expect(sent.map((message) => message.name)).toEqual(['keys.list', 'keys.verify', 'keys.list']);
    expect(list.getState()).toMatchObject({ shown: null, expanded: null, confirming: null, verifications: {} });
  });

  it('tells the popup when the server no longer has the pasting key', async () => {
    const { list, hooks } = keyList({ 'keys.list': () => ({ keys: [LIST.keys[0]!], currentKey: null }) });
    await list.toggle();
    expect(hooks.onCurrentKeyChange).toHaveBeenCalledWith(null);
    expect(list.getState().currentKey).toBeNull();
  });

  it('puts a new key first and keeps the pasting key the background kept', async () => {
    const created = { token: 'ragflow-created-cccc3333', createdAt: NOW };
    const { list, hooks } = keyList({
      'keys.list': () => LIST,
      'keys.create': () => ({ key: created, currentKey: OLD }),
    });
    await list.toggle();
    await list.create();
    expect(list.getState().rows?.map((row) => row.token)).toEqual([created.token, NEW, OLD]);
    expect(list.getState().rows?.[0]?.age).toBe('now');
    expect(list.getState().currentKey).toBe(OLD);
    expect(hooks.onCurrentKeyChange).not.toHaveBeenCalled();
  });

  it('makes a new key the pasting key when the background says so (there was none)', async () => {
    const created = { token: 'ragflow-created-cccc3333', createdAt: NOW };
    const { list, hooks } = keyList({ 'keys.create': () => ({ key: created, currentKey: created.token }) }, null);
    await list.create();
    expect(list.getState().currentKey).toBe(created.token);
    expect(hooks.onCurrentKeyChange).toHaveBeenCalledWith(created.token);
  });

  it('revokes only after the confirmation, and then clears the pasting key', async () => {
    const { list, hooks, sent } = keyList({ 'keys.list': () => LIST, 'keys.revoke': () => ({ signedOut: false }) });
    await list.toggle();
    list.askRevoke(OLD);
    expect(list.getState().confirming).toBe(OLD);
    list.cancelRevoke();
    expect(list.getState().confirming).toBeNull();
    expect(sent.map((message) => message.name)).toEqual(['keys.list']);

    list.askRevoke(OLD);
    await list.revoke(OLD);
    expect(sent.at(-1)).toEqual({ name: 'keys.revoke', request: { ...ACCOUNT, token: OLD } });
    expect(list.getState()).toMatchObject({ confirming: null, currentKey: null, busy: false });
    expect(list.getState().rows?.map((row) => row.token)).toEqual([NEW]);
    expect(hooks.onCurrentKeyChange).toHaveBeenCalledWith(null);
  });

  it('revoking another key leaves the pasting key alone', async () => {
    const { list, hooks } = keyList({ 'keys.list': () => LIST, 'keys.revoke': () => ({ signedOut: false }) });
    await list.toggle();
    await list.revoke(NEW);
    expect(list.getState().currentKey).toBe(OLD);
    expect(hooks.onCurrentKeyChange).not.toHaveBeenCalled();
  });

  it('changes the pasting key', async () => {
    const { list, hooks, sent } = keyList({ 'keys.list': () => LIST, 'keys.setCurrent': () => undefined });
    await list.toggle();
    list.toggleExpanded(NEW);
    await list.useForPaste(NEW);
    expect(sent.at(-1)).toEqual({ name: 'keys.setCurrent', request: { ...ACCOUNT, token: NEW } });
    expect(list.getState()).toMatchObject({ currentKey: NEW, expanded: null });
    expect(hooks.onCurrentKeyChange).toHaveBeenCalledWith(NEW);
  });

  it('shows valid, invalid, or unreachable with the reason', async () => {
    const { list } = keyList({
      'keys.verify': ({ token }) => {
        if (token === NEW) return 'valid';
        if (token === OLD) return 'invalid';
        throw new AppError('cannot-connect', { substitutions: [SERVER] });
      },
    });
    const checking = list.verify(NEW);
    expect(list.getState().verifications[NEW]).toEqual({ status: 'checking' });
    await checking;
    await list.verify(OLD);
    await list.verify('ragflow-elsewhere-dddd');
    expect(list.getState().verifications).toEqual({
      [NEW]: { status: 'valid' },
      [OLD]: { status: 'invalid' },
      'ragflow-elsewhere-dddd': {
        status: 'unreachable',
        alert: { messageKey: 'errorCannotConnect', substitutions: [SERVER] },
      },
    });
  });

  it('copies each format with the server filled in, and has the clipboard cleared of that text', async () => {
    const { list, platform, sent } = keyList({
      'clipboard.scheduleClear': () => ({ status: 'scheduled', seconds: 60 }),
      'keys.copyText': (request) => {
        const { serverUrl, token, format } = request as { serverUrl: string; token: string; format: CopyFormat };
        return copyText(format, token, normalizeServerUrl(serverUrl));
      },
    });
    const expected = {
      plain: NEW,
      env: `RAGFLOW_API_KEY='${NEW}'\nRAGFLOW_BASE_URL='${SERVER}'\n`,
      python: `from ragflow_sdk import RAGFlow\n\nrag = RAGFlow(api_key="${NEW}", base_url="${SERVER}")\n`,
      curl: `curl -H 'Authorization: Bearer ${NEW}' '${SERVER}/api/v1/datasets?page=1&page_size=1'`,
    } as const;
    for (const [format, text] of Object.entries(expected) as [keyof typeof expected, string][]) {
      await list.copy(NEW, format);
      expect(sent.at(-2)).toEqual({ name: 'keys.copyText', request: { ...ACCOUNT, token: NEW, format } });
      expect(platform.copyText).toHaveBeenLastCalledWith(text);
      expect(sent.at(-1)).toEqual({
        name: 'clipboard.scheduleClear',
        request: { fingerprint: await clipboardFingerprint(text) },
      });
      expect(list.getState()).toMatchObject({ copied: { token: NEW, format }, clipboardClearSeconds: 60 });
    }
  });

  it('says when the clipboard refused the copy', async () => {
    const { list, platform, sent } = keyList({ 'keys.copyText': () => 'text' });
    platform.copyText.mockRejectedValueOnce(new DOMException('Document is not focused', 'NotAllowedError'));
    await list.copy(NEW, 'env');
    expect(list.getState()).toMatchObject({ copied: null, alert: { messageKey: 'popupCopyFailed' } });
    expect(sent.map((message) => message.name)).toEqual(['keys.copyText']);
  });

  it('copies nothing the background will not build: a key no longer listed', async () => {
    const { list, platform } = keyList({
      'keys.copyText': () => {
        throw new AppError('key-not-listed');
      },
    });
    await list.copy(NEW, 'curl');
    expect(list.getState()).toMatchObject({ copied: null, alert: { messageKey: 'keysErrorNotListed' } });
    expect(platform.copyText).not.toHaveBeenCalled();
  });

  it('hands a dead session to the popup, which goes back to the form', async () => {
    const { list, hooks } = keyList({
      'keys.list': () => {
        throw new AppError('session-expired');
      },
    });
    await list.toggle();
    expect(hooks.onSessionExpired).toHaveBeenCalledWith({ messageKey: 'errorSessionExpired', substitutions: [] });
  });

  it('shows any other failure in the list, in words, and stays usable', async () => {
    const { list, hooks } = keyList({
      'keys.create': () => {
        throw new AppError('server-error', { substitutions: ['502'] });
      },
    });
    await list.create();
    expect(list.getState()).toMatchObject({
      busy: false,
      alert: { messageKey: 'errorServer', substitutions: ['502'] },
    });
    expect(hooks.onSessionExpired).not.toHaveBeenCalled();
  });

  it('runs one change at a time', async () => {
    let finish: () => void = () => {};
    const { list, sent } = keyList({
      'keys.revoke': () =>
        new Promise<{ signedOut: boolean }>((resolve) => (finish = () => resolve({ signedOut: false }))),
    });
    const first = list.revoke(OLD);
    await list.revoke(NEW);
    finish();
    await first;
    expect(sent.map((message) => message.request)).toEqual([{ ...ACCOUNT, token: OLD }]);
  });

  it('shows one key in full at a time, and hides it again', () => {
    const { list } = keyList({});
    list.toggleShown(NEW);
    expect(list.getState().shown).toBe(NEW);
    list.toggleShown(OLD);
    expect(list.getState().shown).toBe(OLD);
    list.toggleShown(OLD);
    expect(list.getState().shown).toBeNull();
  });
});
