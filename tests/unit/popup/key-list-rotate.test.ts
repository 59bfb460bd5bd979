/** The key list's rotation, names and places, and the revocation of the key signed in with. */
import { describe, expect, it, vi } from 'vitest';

import { normalizeServerUrl } from '../../../lib/ragflow/server-url';
import { keyListOn } from './support/key-list';
import type { KeyList, MessageName, RequestOf, RotateResult } from '../../../lib/messaging/protocol';

const ACCOUNT = { serverUrl: normalizeServerUrl('http://localhost:9380'), email: 'me@example.com' };
const NOW = Date.UTC(2025, 4, 10, 12, 0, 0);
const OLD = 'ragflow-old-key-aaaa1111';
const NEW = 'ragflow-new-key-bbbb2222';
const PLACE = { origin: 'https://n8n.example.com', at: NOW - 2 * 24 * 3600_000 };
const LIST: KeyList = { keys: [{ token: OLD, createdAt: NOW - 60_000, places: [PLACE] }], currentKey: OLD };

type Answers = { [K in MessageName]?: (request: RequestOf<K>) => unknown };

function keyList(answers: Answers) {
  const platform = {
    send: vi.fn(async (name: MessageName, request: unknown) => {
      const answer = answers[name] as ((request: unknown) => unknown) | undefined;
      if (!answer) throw new Error(`unexpected ${name}`);
      return answer(request);
    }),
    copyText: vi.fn(async (_text: string) => {}),
  };
  const { list, hooks } = keyListOn({ platform, account: ACCOUNT, currentKey: OLD, now: NOW });
  return { list, platform, hooks };
}

describe('the key list, beyond the password', () => {
  it('shows where a key was pasted, by host and age', async () => {
    const { list } = keyList({ 'keys.list': () => LIST });
    await list.toggle();
    expect(list.getState().rows?.[0]?.places).toEqual([
      { host: 'n8n.example.com', age: '2 days ago', date: expect.any(String) },
    ]);
  });

  it('rotates after the confirmation: the new key first and chosen, copied by the background, the places said', async () => {
    const rotated: RotateResult = {
      key: { token: NEW, createdAt: NOW },
      currentKey: NEW,
      places: [PLACE],
      oldRevoked: true,
      copied: { status: 'scheduled', seconds: 30 },
    };
    const { list, platform, hooks } = keyList({ 'keys.list': () => LIST, 'keys.rotate': () => rotated });
    await list.toggle();
    list.askRotate(OLD);
    expect(list.getState().rotating).toBe(OLD);
    await list.rotate(OLD, true);
    expect(platform.send).toHaveBeenLastCalledWith('keys.rotate', { ...ACCOUNT, token: OLD, copy: true });
    expect(list.getState()).toMatchObject({
      rotating: null,
      currentKey: NEW,
      notice: { messageKey: 'keysRotatedUpdate', substitutions: ['n8n.example.com'] },
      alert: null,
      copied: { token: NEW, format: 'plain' },
      clipboardClearSeconds: 30,
    });
    expect(list.getState().rows?.map((row) => row.token)).toEqual([NEW]);
    expect(hooks.onCurrentKeyChange).toHaveBeenCalledWith(NEW);
    // The background copied it: the popup does not copy again.
    expect(platform.copyText).not.toHaveBeenCalled();
  });

  it('copies the new key itself where the background has no clipboard', async () => {
    const { list, platform } = keyList({
      'keys.list': () => LIST,
      'keys.rotate': () => ({
        key: { token: NEW, createdAt: NOW },
        currentKey: NEW,
        places: [],
        oldRevoked: true,
        copied: { status: 'failed' },
      }),
      'keys.copyText': () => NEW,
      'clipboard.scheduleClear': () => ({ status: 'off' }),
    });
    await list.toggle();
    await list.rotate(OLD, true);
    expect(platform.copyText).toHaveBeenCalledWith(NEW);
    expect(list.getState().notice).toEqual({ messageKey: 'keysRotated', substitutions: [] });
  });

  it('keeps the old key listed and says so when it could not be revoked', async () => {
    const error = { messageKey: 'errorServer', substitutions: [] };
    const { list, platform } = keyList({
      'keys.list': () => LIST,
      'keys.rotate': () => ({
        key: { token: NEW, createdAt: NOW },
        currentKey: NEW,
        places: [],
        oldRevoked: false,
        error,
      }),
    });
    await list.toggle();
    await list.rotate(OLD, false);
    expect(list.getState()).toMatchObject({
      notice: { messageKey: 'keysRotateOldKept' },
      alert: error,
      currentKey: NEW,
    });
    expect(list.getState().rows?.map((row) => row.token)).toEqual([NEW, OLD]);
    expect(platform.copyText).not.toHaveBeenCalled();
  });

  it('names a key, and a blank name removes it', async () => {
    const { list } = keyList({
      'keys.list': () => LIST,
      'keys.name': (request) => ({ name: request.name.trim() || null }),
    });
    await list.toggle();
    await list.rename(OLD, 'n8n prod');
    expect(list.getState().rows?.[0]?.name).toBe('n8n prod');
    await list.rename(OLD, '  ');
    expect(list.getState().rows?.[0]).not.toHaveProperty('name');
  });

  it('goes back to the sign-in, with a sentence, after revoking the key signed in with', async () => {
    const { list, hooks } = keyList({ 'keys.list': () => LIST, 'keys.revoke': () => ({ signedOut: true }) });
    await list.toggle();
    await list.revoke(OLD);
    expect(hooks.onSessionExpired).toHaveBeenCalledWith({ messageKey: 'keysSignedOutRevoked', substitutions: [] });
  });
});
