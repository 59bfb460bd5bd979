import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AppError, ERROR_MESSAGES, isAppError, retold } from '@/lib/errors';
import { errorFromData, toErrorData } from '@/lib/messaging/errors';

function messages(locale: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join('public/_locales', locale, 'messages.json'), 'utf8'));
}

describe('the table of error sentences', () => {
  it('names only sentences both locales have', () => {
    const keys = Object.values(ERROR_MESSAGES).flatMap((entry) =>
      typeof entry === 'string' ? [entry] : Object.values(entry),
    );
    for (const locale of ['en', 'zh_CN']) {
      expect(
        keys.filter((key) => !(key in messages(locale))),
        locale,
      ).toEqual([]);
    }
  });

  it('admits no kind without a sentence, and no reason its kind does not have', () => {
    // @ts-expect-error: not a kind of the table
    expect(() => new AppError('no-such-kind')).toThrow();
    // @ts-expect-error: the kind has one sentence, hence no reasons
    void new AppError('timeout', { reason: 'go' });
    // @ts-expect-error: a server URL is refused for a reason, always
    void new AppError('invalid-server-url');
  });
});

describe('AppError', () => {
  it('says the sentence its kind and reason pick', () => {
    expect(new AppError('session-expired').messageKey).toBe('errorSessionExpired');
    expect(new AppError('session-expired', { reason: 'go' }).messageKey).toBe('errorSessionExpiredGo');
    expect(new AppError('invalid-server-url', { reason: 'file' }).messageKey).toBe('errorUrlFile');
    expect(new AppError('key-not-listed').messageKey).toBe('keysErrorNotListed');
  });

  it('is told apart by kind', () => {
    const error = new AppError('session-expired', { status: 401 });
    expect(isAppError(error)).toBe(true);
    expect(isAppError(error, 'session-expired')).toBe(true);
    expect(isAppError(error, 'wrong-password', 'session-rejected')).toBe(false);
    expect(isAppError(new Error('session-expired'), 'session-expired')).toBe(false);
  });

  it('is retold in the words of its kind that fit the server, keeping what the server said', () => {
    const said = new AppError('wrong-password', { serverCode: 109, serverMessage: 'Email and password do not match!' });
    const told = retold(said, 'or-public-key');
    expect(told).toMatchObject({
      kind: 'wrong-password',
      reason: 'or-public-key',
      messageKey: 'errorWrongPasswordOrKey',
      serverCode: 109,
      serverMessage: 'Email and password do not match!',
    });
    expect(said.messageKey).toBe('errorWrongPassword');
  });

  it('crosses the message bus with its kind, reason and sentence', () => {
    const sent = new AppError('redirect-refused', {
      reason: 'target-named',
      substitutions: ['https://a.test', 'https://b.test'],
    });
    const received = errorFromData(toErrorData(sent));
    expect(received).toBeInstanceOf(AppError);
    expect(received).toMatchObject({
      kind: 'redirect-refused',
      reason: 'target-named',
      messageKey: 'errorRedirect',
      substitutions: ['https://a.test', 'https://b.test'],
    });
    expect(toErrorData(new TypeError('x is undefined'))).toMatchObject({
      kind: 'unexpected',
      messageKey: 'errorUnexpected',
    });
    // Not a kind of ours: a bug, said as one.
    expect(errorFromData({ kind: 'nonsense' as never, messageKey: 'errorTimeout', substitutions: [] })).toMatchObject({
      kind: 'unexpected',
      messageKey: 'errorUnexpected',
    });
  });
});
