import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import {
  migrate,
  SETTINGS_MIGRATIONS,
  SETTINGS_VERSION,
  type SettingsV1,
  settingsV1ToV2,
} from '@/lib/settings/migrations';
import {
  DEFAULT_PREFERENCES,
  PREFERENCES_MIGRATIONS,
  PREFERENCES_VERSION,
  preferencesItem,
} from '@/lib/settings/preferences';
import { defineSettingsItem } from '@/lib/settings/settings';
import { validateSettings } from '@/lib/settings/validate';

const V1: SettingsV1 = {
  servers: [
    { id: 'local', name: 'Local Docker', url: 'http://localhost:9380', keyPolicy: 'reuse' },
    { id: 'prod', name: 'Production', url: 'https://rag.example.com', email: 'me@example.com', keyPolicy: 'new' },
  ],
  defaultServerId: 'prod',
};

beforeEach(() => fakeBrowser.reset());

describe('the settings item', () => {
  it('is at version 2, with a migration from version 1', () => {
    expect(SETTINGS_VERSION).toBe(2);
    expect(Object.keys(SETTINGS_MIGRATIONS)).toEqual(['2']);
  });

  it('migrates a stored version-1 value to version 2 before the first read', async () => {
    // What WXT's storage writes for a version-1 item: the value and its `$` metadata.
    await fakeBrowser.storage.local.set({ settings: V1, settings$: { v: 1 } });

    const item = defineSettingsItem();
    const migrated = await item.getValue();

    expect(migrated.servers.map((server) => server.sessionLifetime)).toEqual([
      { kind: 'until-browser-closes' },
      { kind: 'until-browser-closes' },
    ]);
    expect(migrated.servers[1]).toMatchObject({ id: 'prod', email: 'me@example.com', keyPolicy: 'new' });
    expect(migrated.defaultServerId).toBe('prod');
    expect(await item.getMeta()).toEqual({ v: 2 });
    // The migrated value is a valid version 2, and stored as such.
    expect(validateSettings(migrated).ok).toBe(true);
    expect((await fakeBrowser.storage.local.get('settings')).settings).toEqual(migrated);
  });

  it('treats a value stored without metadata as version 1', async () => {
    await fakeBrowser.storage.local.set({ settings: V1 });
    const migrated = await defineSettingsItem().getValue();
    expect(migrated.servers[0]?.sessionLifetime).toEqual({ kind: 'until-browser-closes' });
  });

  it('leaves a version-2 value alone', async () => {
    const v2 = settingsV1ToV2(V1);
    v2.servers[0]!.sessionLifetime = { kind: 'minutes', minutes: 15 };
    await fakeBrowser.storage.local.set({ settings: v2, settings$: { v: 2 } });
    expect(await defineSettingsItem().getValue()).toEqual(v2);
  });

  it('starts empty on a fresh install and records version 2 on the first write', async () => {
    const item = defineSettingsItem();
    expect(await item.getValue()).toEqual({ servers: [] });
    await item.setValue({ servers: [] });
    expect(await item.getMeta()).toEqual({ v: 2 });
  });
});

describe('migrate', () => {
  it('runs the steps after the given version, up to the target', () => {
    const steps = { 2: (old: string) => `${old}>2`, 3: (old: string) => `${old}>3` };
    expect(migrate('v1', 1, 3, steps)).toBe('v1>2>3');
    expect(migrate('v2', 2, 3, steps)).toBe('v2>3');
    expect(migrate('v3', 3, 3, steps)).toBe('v3');
  });

  it('leaves what is not version 1 at all for the validators to report', () => {
    expect(settingsV1ToV2('nonsense' as unknown as SettingsV1)).toBe('nonsense');
    expect(validateSettings(migrate('nonsense', 1, 2, SETTINGS_MIGRATIONS)).ok).toBe(false);
  });
});

describe('the preferences item', () => {
  it('defaults to auto-clear off (its permission is asked for when turned on), with the context menu and paste records on', async () => {
    expect(await preferencesItem.getValue()).toEqual(DEFAULT_PREFERENCES);
    expect(DEFAULT_PREFERENCES).toEqual({ clipboardClearSeconds: 0, contextMenuEnabled: true, recordPastes: true });
  });

  it('migrates version 1 with paste records on, as for a new install', () => {
    const v1 = { clipboardClearSeconds: 30, contextMenuEnabled: false };
    expect(PREFERENCES_VERSION).toBe(2);
    expect(migrate(v1, 1, PREFERENCES_VERSION, PREFERENCES_MIGRATIONS)).toEqual({ ...v1, recordPastes: true });
  });
});
