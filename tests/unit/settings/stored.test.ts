import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { DEFAULT_SETTINGS, defineSettingsItem, type Settings } from '@/lib/settings/settings';
import { currentSettingsOf, SETTINGS_STORAGE_KEYS } from '@/lib/settings/stored';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

const SETTINGS: Settings = {
  servers: [
    {
      id: 'a',
      name: 'A',
      url: normalizeServerUrl('http://a.test'),
      keyPolicy: 'reuse',
      sessionLifetime: { kind: 'minutes', minutes: 5 },
    },
  ],
  defaultServerId: 'a',
};

const stored = () =>
  fakeBrowser.storage.local.get([SETTINGS_STORAGE_KEYS.value, SETTINGS_STORAGE_KEYS.meta]) as Promise<
    Record<string, unknown>
  >;

beforeEach(() => {
  fakeBrowser.reset();
});

describe('the settings read straight from storage', () => {
  it('are what the settings item holds, as the storage library wrote them', async () => {
    await defineSettingsItem().setValue(SETTINGS);
    expect(currentSettingsOf(await stored())).toEqual(SETTINGS);
  });

  it('are the defaults when none were ever written', async () => {
    expect(currentSettingsOf(await stored())).toEqual(DEFAULT_SETTINGS);
  });

  it('are left to the background while they still need a migration', async () => {
    // Version 1, as an older release left it: no session lifetime, no version mark.
    const { sessionLifetime: _dropped, ...v1Server } = SETTINGS.servers[0]!;
    await fakeBrowser.storage.local.set({ settings: { servers: [v1Server] } });
    expect(currentSettingsOf(await stored())).toBeUndefined();
    // The item itself migrates it; then the direct read takes it.
    expect((await defineSettingsItem().getValue()).servers[0]?.sessionLifetime).toEqual({
      kind: 'until-browser-closes',
    });
    expect(currentSettingsOf(await stored())?.servers[0]?.sessionLifetime).toEqual({ kind: 'until-browser-closes' });
  });
});
