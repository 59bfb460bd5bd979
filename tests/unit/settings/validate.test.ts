import { generateKeyPairSync } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { validatePreferences, validateServer, validateServerAmong, validateSettings } from '@/lib/settings/validate';

const PUBLIC_KEY_PEM = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
}).publicKey;

const SERVER = {
  id: 'a1',
  name: 'Staging',
  url: 'https://staging.example.com/ragflow/api/v1/',
  email: ' me@example.com ',
  keyPolicy: 'reuse',
  publicKeyPem: '',
  sessionLifetime: { kind: 'until-browser-closes' },
};

/** The fields that failed, with their message keys. */
function errorsOf(result: ReturnType<typeof validateSettings> | ReturnType<typeof validateServer>) {
  return result.ok ? [] : result.errors.map(({ field, messageKey }) => `${field}: ${messageKey}`);
}

describe('validateServer', () => {
  it('normalises the URL, trims, and drops empty optional fields', () => {
    expect(validateServer(SERVER)).toEqual({
      ok: true,
      value: {
        id: 'a1',
        name: 'Staging',
        url: 'https://staging.example.com/ragflow',
        email: 'me@example.com',
        keyPolicy: 'reuse',
        sessionLifetime: { kind: 'until-browser-closes' },
      },
    });
  });

  it('keeps only the fields of the schema: a stray secret does not get through', () => {
    const result = validateServer({ ...SERVER, password: 'hunter2', authorization: 'token', apiKey: 'ragflow-x' });
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toMatch(/hunter2|token|ragflow-x/);
  });

  it('accepts a valid PEM public key and a lifetime in minutes', () => {
    const result = validateServer({
      ...SERVER,
      publicKeyPem: `\n${PUBLIC_KEY_PEM}\n`,
      sessionLifetime: { kind: 'minutes', minutes: 30 },
    });
    expect(result).toMatchObject({
      ok: true,
      value: { publicKeyPem: PUBLIC_KEY_PEM.trim(), sessionLifetime: { kind: 'minutes', minutes: 30 } },
    });
  });

  it('says what is wrong with each field, with message keys', () => {
    const result = validateServer({
      id: '',
      name: '  ',
      url: 'javascript:alert(1)',
      email: 'not-an-email',
      keyPolicy: 'sometimes',
      publicKeyPem: '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----',
      sessionLifetime: { kind: 'minutes', minutes: 0 },
    });
    expect(errorsOf(result)).toEqual([
      'id: errorServerIdInvalid',
      'name: errorServerNameRequired',
      'url: errorUrlJavascript',
      'email: errorServerEmailInvalid',
      'keyPolicy: errorKeyPolicyInvalid',
      'publicKeyPem: errorInvalidPublicKey',
      'sessionLifetime.minutes: errorSessionMinutesRange',
    ]);
  });

  it('gives the range of minutes as substitutions, and refuses fractions and a week and a minute', () => {
    for (const minutes of [0.5, 10_081, '30', Number.NaN]) {
      const result = validateServer({ ...SERVER, sessionLifetime: { kind: 'minutes', minutes } });
      expect(result).toEqual({
        ok: false,
        errors: [
          { field: 'sessionLifetime.minutes', messageKey: 'errorSessionMinutesRange', substitutions: ['1', '10080'] },
        ],
      });
    }
    expect(errorsOf(validateServer({ ...SERVER, sessionLifetime: 'forever' }))).toEqual([
      'sessionLifetime: errorSessionLifetimeInvalid',
    ]);
  });

  it('refuses a name past 100 characters, saying the limit', () => {
    expect(validateServer({ ...SERVER, name: 'x'.repeat(101) })).toMatchObject({
      ok: false,
      errors: [{ field: 'name', messageKey: 'errorServerNameTooLong', substitutions: ['100'] }],
    });
  });

  it('refuses something that is not a server at all', () => {
    expect(errorsOf(validateServer('https://x', 'servers[2]'))).toEqual(['servers[2]: errorSettingsNotAnObject']);
  });
});

describe('validateServerAmong', () => {
  it('refuses a second entry for the same server, naming the first', () => {
    const existing = validateServer({ ...SERVER, id: 'b', name: 'Staging A' });
    if (!existing.ok) throw new Error('fixture');
    const result = validateServerAmong({ ...SERVER, url: 'http://staging.example.com/ragflow' }, [existing.value]);
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ url: 'http://staging.example.com/ragflow' }) });
    expect(validateServerAmong({ ...SERVER, url: 'HTTPS://Staging.Example.com/ragflow/' }, [existing.value])).toEqual({
      ok: false,
      errors: [{ field: 'url', messageKey: 'errorServerUrlDuplicate', substitutions: ['Staging A'] }],
    });
  });
});

describe('validateSettings', () => {
  it('reports errors field by field with their paths', () => {
    const result = validateSettings(
      {
        servers: [
          SERVER,
          { ...SERVER, url: 'file:///etc/passwd' },
          { ...SERVER, url: 'https://staging.example.com/ragflow' },
        ],
        defaultServerId: 'nobody',
      },
      'settings',
    );
    expect(errorsOf(result)).toEqual([
      'settings.servers[1].url: errorUrlFile',
      'settings.servers[2].id: errorServerIdDuplicate',
      'settings.servers[2].url: errorServerUrlDuplicate',
      'settings.defaultServerId: errorDefaultServerUnknown',
    ]);
  });

  it('accepts a default that names one of the servers', () => {
    expect(validateSettings({ servers: [SERVER], defaultServerId: 'a1' })).toMatchObject({
      ok: true,
      value: { defaultServerId: 'a1', servers: [{ id: 'a1' }] },
    });
  });

  it('refuses a value without a list of servers', () => {
    expect(errorsOf(validateSettings({ servers: 'all of them' }))).toEqual(['servers: errorSettingsServersNotAList']);
    expect(errorsOf(validateSettings(null, 'settings'))).toEqual(['settings: errorSettingsNotAnObject']);
  });
});

describe('validatePreferences', () => {
  it('accepts the clipboard choices and a boolean for the context menu and the paste records', () => {
    for (const seconds of [0, 10, 30, 60, 120, 300]) {
      const preferences = { clipboardClearSeconds: seconds, contextMenuEnabled: false, recordPastes: true };
      expect(validatePreferences(preferences)).toEqual({ ok: true, value: preferences });
    }
  });

  it('refuses anything else, field by field', () => {
    expect(
      validatePreferences({ clipboardClearSeconds: 45, contextMenuEnabled: 'yes', recordPastes: 1 }, 'preferences'),
    ).toEqual({
      ok: false,
      errors: [
        {
          field: 'preferences.clipboardClearSeconds',
          messageKey: 'errorClipboardClearChoice',
          substitutions: ['0, 10, 30, 60, 120, 300'],
        },
        { field: 'preferences.contextMenuEnabled', messageKey: 'errorNotTrueOrFalse', substitutions: [] },
        { field: 'preferences.recordPastes', messageKey: 'errorNotTrueOrFalse', substitutions: [] },
      ],
    });
  });
});
