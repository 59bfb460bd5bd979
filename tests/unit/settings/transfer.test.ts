import { describe, expect, it } from 'vitest';

import { DEFAULT_PREFERENCES } from '@/lib/settings/preferences';
import type { Settings } from '@/lib/settings/settings';
import { exportSettings, parseSettingsImport } from '@/lib/settings/transfer';
import { realModulus, spkiPem } from '../../support/rsa-keys';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

const SETTINGS: Settings = {
  servers: [
    {
      id: 'l',
      name: 'Local',
      url: normalizeServerUrl('http://localhost:9380'),
      keyPolicy: 'reuse',
      sessionLifetime: { kind: 'until-browser-closes' },
    },
    {
      id: 'p',
      name: 'Production',
      url: normalizeServerUrl('https://rag.example.com'),
      email: 'me@example.com',
      keyPolicy: 'new',
      sessionLifetime: { kind: 'minutes', minutes: 15 },
    },
  ],
  defaultServerId: 'p',
};

function fileWith(patch: Record<string, unknown>): string {
  return JSON.stringify({ ...JSON.parse(exportSettings(SETTINGS, DEFAULT_PREFERENCES)), ...patch });
}

describe('export and import', () => {
  it('round-trips settings and preferences', () => {
    const preferences = { clipboardClearSeconds: 10, contextMenuEnabled: false, recordPastes: false } as const;
    const text = exportSettings(SETTINGS, preferences);
    expect(JSON.parse(text)).toMatchObject({
      format: 'ragflow-keys-settings',
      settingsVersion: 2,
      preferencesVersion: 2,
    });
    expect(parseSettingsImport(text)).toEqual({ ok: true, value: { settings: SETTINGS, preferences } });
  });

  it('imports a file of settings version 1 through the same migration as storage', () => {
    const v1 = { servers: [{ id: 'l', name: 'Local', url: 'localhost:9380', keyPolicy: 'reuse' }] };
    const result = parseSettingsImport(fileWith({ settingsVersion: 1, settings: v1 }));
    expect(result).toMatchObject({
      ok: true,
      value: {
        settings: { servers: [{ url: 'http://localhost:9380', sessionLifetime: { kind: 'until-browser-closes' } }] },
      },
    });
  });

  it('brings in nothing but the schema: secrets added by hand are dropped', () => {
    const text = fileWith({
      password: 'hunter2',
      settings: {
        ...SETTINGS,
        sessionToken: 'abc.def',
        servers: [{ ...SETTINGS.servers[0], apiKey: 'ragflow-secret' }, SETTINGS.servers[1]],
      },
    });
    const result = parseSettingsImport(text);
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toMatch(/hunter2|abc\.def|ragflow-secret/);
  });

  it('reports every invalid field with its path, and imports nothing', () => {
    const text = fileWith({
      settings: {
        servers: [SETTINGS.servers[0], { ...SETTINGS.servers[1], url: 'ftp://rag.example.com', keyPolicy: 7 }],
      },
      preferences: { clipboardClearSeconds: 1, contextMenuEnabled: true, recordPastes: true },
    });
    expect(parseSettingsImport(text)).toEqual({
      ok: false,
      errors: [
        { field: 'settings.servers[1].url', messageKey: 'errorUrlUnsupportedScheme', substitutions: ['ftp:'] },
        { field: 'settings.servers[1].keyPolicy', messageKey: 'errorKeyPolicyInvalid', substitutions: [] },
        {
          field: 'preferences.clipboardClearSeconds',
          messageKey: 'errorClipboardClearChoice',
          substitutions: ['0, 10, 30, 60, 120, 300'],
        },
      ],
    });
  });

  it('checks each custom public key, and says why one is refused', () => {
    const modulus = realModulus(2048);
    const text = fileWith({
      settings: {
        servers: [
          { ...SETTINGS.servers[0], publicKeyPem: spkiPem(modulus, 1n) },
          { ...SETTINGS.servers[1], publicKeyPem: `${spkiPem(modulus, 65537n)}${' '.repeat(5 * 1024 * 1024)}` },
        ],
      },
    });
    expect(parseSettingsImport(text)).toEqual({
      ok: false,
      errors: [
        { field: 'settings.servers[0].publicKeyPem', messageKey: 'errorPublicKeyExponent', substitutions: ['1'] },
        { field: 'settings.servers[1].publicKeyPem', messageKey: 'errorPublicKeyTooLong', substitutions: ['4096'] },
      ],
    });
  });

  it.each([
    ['text that is not JSON', '{ servers: oops', '', 'errorImportNotJson'],
    ['JSON of something else', '{"servers": []}', 'format', 'errorImportNotOurs'],
    [
      'a file from a newer release',
      fileWith({ settingsVersion: 3 }),
      'settingsVersion',
      'errorImportVersionUnsupported',
    ],
    [
      'a file without versions',
      fileWith({ preferencesVersion: undefined }),
      'preferencesVersion',
      'errorImportVersionUnsupported',
    ],
  ])('refuses %s', (_name, text, field, messageKey) => {
    expect(parseSettingsImport(text)).toMatchObject({ ok: false, errors: [{ field, messageKey }] });
  });
});

describe('key names and paste records in a file', () => {
  const PRINT = 'a'.repeat(64);
  const NOTES = {
    [PRINT]: {
      serverUrl: normalizeServerUrl('http://localhost:9380'),
      email: 'alice@example.com',
      name: 'n8n prod',
      places: [{ origin: 'https://n8n.example.com', at: 1000 }],
    },
  };

  it('are left out unless asked for, and come back when a file carries them', () => {
    expect(JSON.parse(exportSettings(SETTINGS, DEFAULT_PREFERENCES))).not.toHaveProperty('keyNotes');
    const text = exportSettings(SETTINGS, DEFAULT_PREFERENCES, NOTES);
    expect(parseSettingsImport(text)).toMatchObject({ ok: true, value: { keyNotes: NOTES } });
  });

  it('are refused when they hold more than an origin, or anything but a fingerprint as the key', () => {
    const withPath = { [PRINT]: { ...NOTES[PRINT], places: [{ origin: 'https://n8n.example.com/flow/1', at: 1 }] } };
    const byKey = { 'ragflow-abcdefghijklmnopqrstuvwxyz': NOTES[PRINT] };
    for (const keyNotes of [withPath, byKey]) {
      const result = parseSettingsImport(fileWith({ keyNotes }));
      expect(result).toMatchObject({ ok: false, errors: [{ messageKey: 'errorImportKeyNote' }] });
    }
  });
});
