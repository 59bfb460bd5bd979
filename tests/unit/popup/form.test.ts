import { describe, expect, it } from 'vitest';

import { errorFromData } from '../../../lib/messaging/errors';
import {
  checkAccount,
  checkNickname,
  checkPassword,
  defaultNickname,
  MAX_NICKNAME_LENGTH,
} from '../../../lib/popup/form';
import { invalidServerUrl } from '../../../lib/ragflow/errors';
import { alertFromError } from '../../../lib/ui/alert';

describe('checkAccount', () => {
  it('normalises the server and names the permission it needs', () => {
    expect(checkAccount({ serverUrl: ' rag.example.com:8080/api/v1 ', email: ' me@example.com ' })).toEqual({
      ok: true,
      value: {
        serverUrl: 'https://rag.example.com:8080',
        email: 'me@example.com',
        originPattern: 'https://rag.example.com/*',
        host: 'rag.example.com',
      },
    });
  });

  it("explains a bad server URL with the normaliser's own sentence", () => {
    expect(checkAccount({ serverUrl: 'ftp://x', email: 'a@b' })).toEqual({
      ok: false,
      alert: { messageKey: 'errorUrlUnsupportedScheme', substitutions: ['ftp:'], field: 'serverUrl' },
    });
    expect(checkAccount({ serverUrl: '', email: 'a@b' })).toMatchObject({ alert: { messageKey: 'errorUrlEmpty' } });
  });

  it('asks for the email', () => {
    expect(checkAccount({ serverUrl: 'localhost', email: '  ' })).toMatchObject({
      ok: false,
      alert: { messageKey: 'errorEmailRequired' },
    });
  });
});

describe('checkAccount on emails', () => {
  it.each([
    ['no-at-sign', 'errorEmailMalformed'],
    ['@example.com', 'errorEmailMalformed'],
    ['me@', 'errorEmailMalformed'],
    ['me@a@b.com', 'errorEmailMalformed'],
    ['jane doe@example.com', 'errorEmailMalformed'],
    [`${'a'.repeat(244)}@example.com`, 'errorEmailTooLong'],
  ])('refuses %j', (email, messageKey) => {
    expect(checkAccount({ serverUrl: 'localhost', email })).toMatchObject({ ok: false, alert: { messageKey } });
  });

  it('takes 255 characters, counted as characters, and non-ASCII addresses', () => {
    const at255 = `${'é'.repeat(243)}@example.com`;
    expect([...at255]).toHaveLength(255);
    expect(checkAccount({ serverUrl: 'localhost', email: at255 }).ok).toBe(true);
    expect(checkAccount({ serverUrl: 'localhost', email: '用户@例子.中国' }).ok).toBe(true);
  });
});

describe('checkPassword', () => {
  it("refuses more than 183 UTF-8 bytes for RAGFlow's own key, and leaves other keys to the background", () => {
    expect(checkPassword(`${'é'.repeat(91)}a`, false)).toBeNull();
    expect(checkPassword('é'.repeat(92), false)).toEqual({
      messageKey: 'errorPasswordTooLong',
      substitutions: ['183'],
      field: 'password',
    });
    expect(checkPassword('é'.repeat(92), true)).toBeNull();
  });
});

describe('checkNickname', () => {
  it('takes what was typed, trimmed, else the default, up to the length RAGFlow can register', () => {
    expect(checkNickname('  Jane  ', 'j@x.io')).toEqual({ ok: true, value: 'Jane' });
    expect(checkNickname('', 'jane.doe@x.io')).toEqual({ ok: true, value: 'jane.doe' });
    expect(checkNickname('😀'.repeat(MAX_NICKNAME_LENGTH), 'j@x.io').ok).toBe(true);
    expect(checkNickname('n'.repeat(MAX_NICKNAME_LENGTH + 1), 'j@x.io')).toMatchObject({
      ok: false,
      alert: { messageKey: 'errorNicknameTooLong', substitutions: ['90'] },
    });
  });
});

describe('alertFromError', () => {
  it('keeps the sentence of typed errors and hides everything else', () => {
    const bus = errorFromData({ kind: 'timeout', messageKey: 'errorTimeout', substitutions: ['http://x', '30'] });
    expect(alertFromError(bus)).toEqual({ messageKey: 'errorTimeout', substitutions: ['http://x', '30'] });
    expect(alertFromError(invalidServerUrl('file'))).toEqual({
      messageKey: 'errorUrlFile',
      substitutions: [],
    });
    expect(alertFromError(new TypeError('x is undefined'))).toEqual({
      messageKey: 'errorUnexpected',
      substitutions: [],
    });
    expect(alertFromError({ some: 'object' })).toEqual({ messageKey: 'errorUnexpected', substitutions: [] });
  });
});

describe('defaultNickname', () => {
  it("is the email's local part", () => {
    expect(defaultNickname(' jane.doe@example.com')).toBe('jane.doe');
    expect(defaultNickname('no-at-sign')).toBe('no-at-sign');
    // Cut to what RAGFlow can register, so that an empty field never ends in "too long".
    expect(defaultNickname(`${'a'.repeat(120)}@x.io`)).toBe('a'.repeat(MAX_NICKNAME_LENGTH));
  });
});
