import { describe, expect, it } from 'vitest';

import { BusError } from '../../../lib/messaging/errors';
import { alertFromError, checkAccount, defaultNickname, selectedServerId } from '../../../lib/popup/form';
import { InvalidServerUrlError } from '../../../lib/ragflow/errors';
import type { ServerSettings } from '../../../lib/settings/settings';

describe('checkAccount', () => {
  it('normalises the server and names the permission it needs', () => {
    expect(checkAccount({ serverUrl: ' rag.example.com:8080/api/v1 ', email: ' me@example.com ' })).toEqual({
      ok: true,
      value: {
        serverUrl: 'http://rag.example.com:8080',
        email: 'me@example.com',
        originPattern: 'http://rag.example.com/*',
        host: 'rag.example.com',
      },
    });
  });

  it("explains a bad server URL with the normaliser's own sentence", () => {
    expect(checkAccount({ serverUrl: 'ftp://x', email: 'a@b' })).toEqual({
      ok: false,
      alert: { messageKey: 'errorUrlUnsupportedScheme', substitutions: ['ftp:'] },
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

describe('alertFromError', () => {
  it('keeps the sentence of typed errors and hides everything else', () => {
    const bus = new BusError({ kind: 'timeout', messageKey: 'errorTimeout', substitutions: ['http://x', '30'] });
    expect(alertFromError(bus)).toEqual({ messageKey: 'errorTimeout', substitutions: ['http://x', '30'] });
    expect(alertFromError(new InvalidServerUrlError('file'))).toEqual({
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
  });
});

describe('selectedServerId', () => {
  const servers = [
    {
      id: 'a',
      name: 'A',
      url: 'http://localhost:9380',
      keyPolicy: 'reuse',
      sessionLifetime: { kind: 'until-browser-closes' },
    },
  ] as const satisfies ServerSettings[];

  it('finds the saved server the URL field holds, however it is typed', () => {
    expect(selectedServerId(servers, 'localhost:9380/')).toBe('a');
    expect(selectedServerId(servers, 'localhost:9381')).toBe('');
    expect(selectedServerId(servers, 'not a url at all')).toBe('');
  });
});
