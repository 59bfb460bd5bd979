import { generateKeyPairSync } from 'node:crypto';

import { describe, expect, it, vi } from 'vitest';

import { backgroundStopped } from '@/lib/messaging/errors';
import type { ConnectionTestResult } from '@/lib/messaging/protocol';
import { OptionsController, type OptionsPlatform, serverFromLocationHash } from '@/lib/options/controller';
import { DEFAULT_PREFERENCES, type Preferences } from '@/lib/settings/preferences';
import type { ServerSettings, Settings } from '@/lib/settings/settings';
import { PRIME_MODULUS, realModulus, spkiPem } from '../../support/rsa-keys';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

const UNTIL_CLOSED = { kind: 'until-browser-closes' } as const;
const LOCAL: ServerSettings = {
  id: 'local',
  name: 'Local',
  url: normalizeServerUrl('http://localhost:9380'),
  keyPolicy: 'reuse',
  sessionLifetime: UNTIL_CLOSED,
};
const STAGING: ServerSettings = {
  ...LOCAL,
  id: 'staging',
  name: 'Staging',
  url: normalizeServerUrl('https://rag.example.com:8443/staging'),
};
const PROD: ServerSettings = {
  ...LOCAL,
  id: 'prod',
  name: 'Production',
  url: normalizeServerUrl('https://rag.example.com'),
};
const OTHER: ServerSettings = {
  ...LOCAL,
  id: 'other',
  name: 'Other',
  url: normalizeServerUrl('https://other.example.org'),
};

interface FakeOptions {
  settings?: Settings;
  granted?: string[];
  /** What the browser's prompt answers; a promise that never settles is a prompt left open. */
  answer?: () => Promise<boolean>;
}

/** The browser and the background as the options page sees them, in memory. */
function fakePlatform(options: FakeOptions = {}) {
  const store = { settings: options.settings ?? { servers: [] }, preferences: DEFAULT_PREFERENCES as Preferences };
  const granted = new Set(['http://localhost/*', 'http://127.0.0.1/*', ...(options.granted ?? [])]);
  const downloads: { fileName: string; text: string }[] = [];
  let ids = 0;
  const mocks = {
    loadSettings: vi.fn(async () => store.settings),
    saveSettings: vi.fn(async (settings: Settings) => {
      store.settings = settings;
    }),
    loadPreferences: vi.fn(async () => store.preferences),
    savePreferences: vi.fn(async (preferences: Preferences) => {
      store.preferences = preferences;
    }),
    hasHostAccess: vi.fn(async (pattern: string) => granted.has(pattern)),
    requestHostAccess: vi.fn((pattern: string) =>
      (options.answer ?? (async () => true))().then((yes) => {
        if (yes) granted.add(pattern);
        return yes;
      }),
    ),
    releaseHostAccess: vi.fn(async (patterns: string[]) => {
      for (const pattern of patterns) granted.delete(pattern);
    }),
    testConnection: vi.fn(
      async (): Promise<ConnectionTestResult> => ({
        ok: true,
        serverUrl: LOCAL.url,
        generation: 'restful',
        go: false,
        release: 'reported',
        version: 'v0.26.4',
        registrationAllowed: true,
        passwordLoginAllowed: false,
        channels: [],
        roundTripMs: 3,
      }),
    ),
    download: vi.fn((fileName: string, text: string) => void downloads.push({ fileName, text })),
    newId: () => `new-${++ids}`,
    loadKeyNotes: vi.fn(async () => ({})),
    saveKeyNotes: vi.fn(async () => true),
    clearPastePlaces: vi.fn(async () => {}),
  };
  return { platform: mocks as OptionsPlatform, mocks, store, granted, downloads };
}

async function started(fake: ReturnType<typeof fakePlatform>, serverUrl: string | null = null) {
  const controller = new OptionsController(fake.platform);
  await controller.start(serverUrl);
  return controller;
}

function fillDraft(
  controller: OptionsController,
  values: Partial<Record<'name' | 'url' | 'email' | 'publicKeyPem', string>>,
) {
  for (const [field, value] of Object.entries(values)) controller.setDraftField(field as 'url', value);
}

describe('OptionsController: servers', () => {
  it('loads the servers and shows which ones the browser lets us reach', async () => {
    const fake = fakePlatform({ settings: { servers: [LOCAL, PROD], defaultServerId: 'prod' } });
    const controller = await started(fake);
    expect(controller.getState()).toMatchObject({
      view: 'ready',
      settings: { servers: [LOCAL, PROD], defaultServerId: 'prod' },
      access: { local: 'granted', prod: 'not-granted' },
    });
  });

  it('adds a local server without asking the browser, and makes the first server the default', async () => {
    const fake = fakePlatform();
    const controller = await started(fake);
    controller.addServer();
    fillDraft(controller, { url: 'localhost:9380/', email: 'me@example.com' });
    await controller.saveServer();

    expect(fake.mocks.requestHostAccess).not.toHaveBeenCalled();
    expect(fake.store.settings).toEqual({
      servers: [{ ...LOCAL, id: 'new-1', name: 'localhost:9380', email: 'me@example.com' }],
      defaultServerId: 'new-1',
    });
    expect(controller.getState()).toMatchObject({ editor: null, access: { 'new-1': 'granted' } });
  });

  it("asks for another server's origin synchronously, inside the click, before anything is awaited", async () => {
    const fake = fakePlatform();
    const controller = await started(fake);
    controller.addServer();
    fillDraft(controller, { url: 'https://rag.example.com/api/v1', name: 'Production' });

    const saving = controller.saveServer();
    // Not one microtask later: the browser shows its prompt only during the user's gesture.
    expect(fake.mocks.requestHostAccess).toHaveBeenCalledWith('https://rag.example.com/*');
    await saving;
    expect(fake.store.settings.servers).toEqual([{ ...PROD, id: 'new-1' }]);
    expect(controller.getState().access).toEqual({ 'new-1': 'granted' });
  });

  it('saves the server while the prompt is still open, showing that it waits for the answer', async () => {
    const fake = fakePlatform({ answer: () => new Promise<boolean>(() => {}) });
    const controller = await started(fake);
    controller.addServer();
    fillDraft(controller, { url: 'https://rag.example.com' });
    void controller.saveServer();
    await vi.waitFor(() => expect(controller.getState().access).toEqual({ 'new-1': 'asking' }));
    expect(fake.store.settings.servers).toHaveLength(1);
    expect(controller.getState().editor).toBeNull();
  });

  it('shows "asking" on every server of the origin while its prompt is open, then the answer', async () => {
    let answer: (granted: boolean) => void = () => {};
    const fake = fakePlatform({
      settings: { servers: [PROD, STAGING, LOCAL] },
      answer: () => new Promise<boolean>((resolve) => (answer = resolve)),
    });
    const controller = await started(fake);
    const granting = controller.grantAccess('staging');
    await vi.waitFor(() =>
      expect(controller.getState().access).toEqual({ prod: 'asking', staging: 'asking', local: 'granted' }),
    );
    answer(false);
    await granting;
    expect(controller.getState().access).toEqual({ prod: 'not-granted', staging: 'not-granted', local: 'granted' });
  });

  it('shows "no access" when the user refuses', async () => {
    const fake = fakePlatform({ answer: async () => false });
    const controller = await started(fake);
    controller.addServer();
    fillDraft(controller, { url: 'https://rag.example.com' });
    await controller.saveServer();
    expect(controller.getState().access).toEqual({ 'new-1': 'not-granted' });
  });

  it('says what is wrong field by field, and neither asks nor saves', async () => {
    const fake = fakePlatform({ settings: { servers: [PROD] } });
    const controller = await started(fake);
    controller.addServer();
    fillDraft(controller, { url: 'https://RAG.example.com/', email: 'nope', publicKeyPem: 'not a key' });
    controller.setDraftField('sessionLifetimeKind', 'minutes');
    controller.setDraftField('sessionMinutes', 'soon');
    await controller.saveServer();

    expect(controller.getState().editor?.errors.map((error) => `${error.field}: ${error.messageKey}`)).toEqual([
      'email: errorServerEmailInvalid',
      'publicKeyPem: errorInvalidPublicKey',
      'sessionLifetime.minutes: errorSessionMinutesRange',
    ]);
    fillDraft(controller, { email: '', publicKeyPem: '' });
    controller.setDraftField('sessionMinutes', '15');
    await controller.saveServer();
    expect(controller.getState().editor?.errors).toEqual([
      { field: 'url', messageKey: 'errorServerUrlDuplicate', substitutions: ['Production'] },
    ]);
    expect(fake.mocks.requestHostAccess).not.toHaveBeenCalled();
    expect(fake.mocks.saveSettings).not.toHaveBeenCalled();
  });

  it('refuses a custom public key that is not RSA-2048–4096 with e = 65537, with its sentence, and saves nothing', async () => {
    const fake = fakePlatform({ settings: { servers: [LOCAL] } });
    const controller = await started(fake);
    controller.editServer('local');
    const modulus = realModulus(2048);
    for (const [publicKeyPem, messageKey, substitutions] of [
      [spkiPem(modulus, 1n), 'errorPublicKeyExponent', ['1']],
      [spkiPem(PRIME_MODULUS, 65537n), 'errorPublicKeyModulus', []],
      [spkiPem(2n ** 65535n + 15n, 65537n), 'errorPublicKeyTooLong', ['4096']],
    ] as const) {
      fillDraft(controller, { publicKeyPem });
      await controller.saveServer();
      expect(controller.getState().editor?.errors).toEqual([
        { field: 'publicKeyPem', messageKey, substitutions: [...substitutions] },
      ]);
    }
    expect(fake.mocks.saveSettings).not.toHaveBeenCalled();
  });

  it('edits a server: a custom public key and a lifetime in minutes', async () => {
    const publicKeyPem = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }).publicKey;
    const fake = fakePlatform({ settings: { servers: [LOCAL] } });
    const controller = await started(fake);
    controller.editServer('local');
    expect(controller.getState().editor).toMatchObject({ serverId: 'local', draft: { url: LOCAL.url, name: 'Local' } });
    fillDraft(controller, { publicKeyPem, name: 'Docker' });
    controller.setDraftField('keyPolicy', 'new');
    controller.setDraftField('sessionLifetimeKind', 'minutes');
    controller.setDraftField('sessionMinutes', '30');
    await controller.saveServer();

    expect(fake.store.settings.servers).toEqual([
      {
        ...LOCAL,
        name: 'Docker',
        keyPolicy: 'new',
        publicKeyPem: publicKeyPem.trim(),
        sessionLifetime: { kind: 'minutes', minutes: 30 },
      },
    ]);
  });

  it('gives the old origin back when an edit moves a server to another host', async () => {
    const fake = fakePlatform({ settings: { servers: [OTHER] }, granted: ['https://other.example.org/*'] });
    const controller = await started(fake);
    controller.editServer('other');
    fillDraft(controller, { url: 'https://rag.example.com' });
    await controller.saveServer();
    expect(fake.mocks.releaseHostAccess).toHaveBeenCalledWith(['https://other.example.org/*']);
  });

  it('removes a server, gives its origin back, and moves the default', async () => {
    const fake = fakePlatform({
      settings: { servers: [OTHER, LOCAL], defaultServerId: 'other' },
      granted: ['https://other.example.org/*'],
    });
    const controller = await started(fake);
    await controller.removeServer('other');
    expect(fake.store.settings).toEqual({ servers: [LOCAL], defaultServerId: 'local' });
    expect(fake.mocks.releaseHostAccess).toHaveBeenCalledWith(['https://other.example.org/*']);
    expect(fake.granted.has('https://other.example.org/*')).toBe(false);
  });

  it('keeps an origin another server still uses, and never gives back the local ones', async () => {
    const fake = fakePlatform({
      settings: { servers: [PROD, STAGING, LOCAL] },
      granted: ['https://rag.example.com/*'],
    });
    const controller = await started(fake);
    await controller.removeServer('prod');
    await controller.removeServer('local');
    expect(fake.mocks.releaseHostAccess).not.toHaveBeenCalled();
    await controller.removeServer('staging');
    expect(fake.mocks.releaseHostAccess).toHaveBeenCalledWith(['https://rag.example.com/*']);
    expect(fake.store.settings).toEqual({ servers: [] });
  });

  it('makes another server the default', async () => {
    const fake = fakePlatform({ settings: { servers: [LOCAL, PROD], defaultServerId: 'local' } });
    const controller = await started(fake);
    await controller.makeDefault('prod');
    expect(fake.store.settings.defaultServerId).toBe('prod');
  });

  it('grants access from the button, synchronously, and shows it', async () => {
    const fake = fakePlatform({ settings: { servers: [PROD] } });
    const controller = await started(fake);
    const granting = controller.grantAccess('prod');
    expect(fake.mocks.requestHostAccess).toHaveBeenCalledWith('https://rag.example.com/*');
    await granting;
    expect(controller.getState().access).toEqual({ prod: 'granted' });
  });

  it('says when saving failed, and keeps the form', async () => {
    const fake = fakePlatform();
    fake.mocks.saveSettings.mockRejectedValueOnce(new Error('QUOTA_BYTES quota exceeded'));
    const controller = await started(fake);
    controller.addServer();
    fillDraft(controller, { url: 'localhost' });
    await controller.saveServer();
    expect(controller.getState()).toMatchObject({
      alert: { messageKey: 'errorUnexpected' },
      editor: { draft: { url: 'localhost' } },
    });
  });
});

describe('OptionsController: arriving from the popup', () => {
  it('reads the server from the fragment', () => {
    expect(serverFromLocationHash(`#server=${encodeURIComponent('https://rag.example.com')}`)).toBe(
      'https://rag.example.com',
    );
    expect(serverFromLocationHash('')).toBeNull();
  });

  it('points at a saved server', async () => {
    const controller = await started(
      fakePlatform({ settings: { servers: [LOCAL, PROD] } }),
      'https://rag.example.com/',
    );
    expect(controller.getState()).toMatchObject({ focusedServerId: 'prod', editor: null });
  });

  it('offers to add a server that is not saved yet, with its URL filled in', async () => {
    const controller = await started(fakePlatform(), 'https://new.example.com');
    expect(controller.getState()).toMatchObject({
      focusedServerId: null,
      editor: { draft: { url: 'https://new.example.com' } },
    });
  });
});

describe('OptionsController: test connection', () => {
  it('shows the result of the background', async () => {
    const fake = fakePlatform({ settings: { servers: [LOCAL] } });
    const controller = await started(fake);
    const testing = controller.testConnection('local');
    expect(controller.getState().tests).toEqual({ local: { status: 'running' } });
    await testing;
    expect(fake.mocks.testConnection).toHaveBeenCalledWith(LOCAL.url);
    expect(controller.getState().tests.local).toMatchObject({
      status: 'done',
      result: { ok: true, generation: 'restful' },
    });
  });

  it('shows a background that cannot be asked as a failed test, with its kind', async () => {
    const fake = fakePlatform({ settings: { servers: [LOCAL] } });
    fake.mocks.testConnection.mockRejectedValueOnce(backgroundStopped('No answer'));
    const controller = await started(fake);
    await controller.testConnection('local');
    expect(controller.getState().tests.local).toEqual({
      status: 'done',
      result: {
        ok: false,
        error: { kind: 'background-stopped', messageKey: 'errorBackgroundStopped', substitutions: [] },
      },
    });
  });

  it('forgets the test of a server once it is edited', async () => {
    const fake = fakePlatform({ settings: { servers: [LOCAL] } });
    const controller = await started(fake);
    await controller.testConnection('local');
    controller.editServer('local');
    await controller.saveServer();
    expect(controller.getState().tests).toEqual({});
  });
});

describe('OptionsController: preferences, export and import', () => {
  it('saves a preference', async () => {
    const fake = fakePlatform();
    const controller = await started(fake);
    await controller.setPreference('clipboardClearSeconds', 10);
    await controller.setPreference('contextMenuEnabled', false);
    expect(fake.store.preferences).toEqual({
      clipboardClearSeconds: 10,
      contextMenuEnabled: false,
      recordPastes: true,
    });
  });

  it('asks for clipboard reading in the choice that turns auto-clear on, and gives it back when off', async () => {
    const fake = fakePlatform();
    let clipboardRead = false;
    const access = {
      has: vi.fn(async () => clipboardRead),
      request: vi.fn(async () => {
        clipboardRead = true;
        return true;
      }),
      release: vi.fn(async () => {
        clipboardRead = false;
      }),
    };
    const controller = await started({ ...fake, platform: { ...fake.platform, clipboardRead: access } });
    expect(controller.getState().clipboardReadGranted).toBe(false);

    const choosing = controller.setPreference('clipboardClearSeconds', 10);
    // Asked at once, inside the user's choice: the browser prompts only then.
    expect(access.request).toHaveBeenCalledTimes(1);
    await choosing;
    expect(fake.store.preferences.clipboardClearSeconds).toBe(10);
    expect(controller.getState().clipboardReadGranted).toBe(true);

    await controller.setPreference('clipboardClearSeconds', 0);
    expect(access.release).toHaveBeenCalledTimes(1);
    expect(fake.store.preferences.clipboardClearSeconds).toBe(0);
    expect(controller.getState().clipboardReadGranted).toBe(false);

    // The context menu switch asks nothing.
    await controller.setPreference('contextMenuEnabled', false);
    expect(access.request).toHaveBeenCalledTimes(1);
  });

  it('keeps auto-clear off when the browser is not allowed to read the clipboard, and says why', async () => {
    const fake = fakePlatform();
    const access = { has: vi.fn(async () => false), request: vi.fn(async () => false), release: vi.fn(async () => {}) };
    const controller = await started({ ...fake, platform: { ...fake.platform, clipboardRead: access } });
    await controller.setPreference('clipboardClearSeconds', 60);
    expect(fake.mocks.savePreferences).not.toHaveBeenCalled();
    expect(fake.store.preferences.clipboardClearSeconds).toBe(0);
    expect(controller.getState()).toMatchObject({
      clipboardReadGranted: false,
      alert: { messageKey: 'errorClipboardReadRefused' },
    });
  });

  it('exports settings and preferences as a JSON file, and imports it back', async () => {
    const fake = fakePlatform({ settings: { servers: [LOCAL, PROD], defaultServerId: 'prod' } });
    const controller = await started(fake);
    await controller.setPreference('clipboardClearSeconds', 30);
    controller.exportSettings();
    const [file] = fake.downloads;
    expect(file?.fileName).toBe('ragflow-keys-settings.json');

    await controller.removeServer('prod');
    await controller.setPreference('clipboardClearSeconds', 0);
    await controller.importSettings(file!.text);
    expect(fake.store).toMatchObject({
      settings: { servers: [LOCAL, PROD], defaultServerId: 'prod' },
      preferences: { clipboardClearSeconds: 30 },
    });
    expect(controller.getState()).toMatchObject({
      importOutcome: { status: 'imported' },
      access: { local: 'granted', prod: 'not-granted' },
    });
  });

  it('imports nothing from an invalid file and lists every problem', async () => {
    const fake = fakePlatform({ settings: { servers: [LOCAL] } });
    const controller = await started(fake);
    controller.exportSettings();
    const file = JSON.parse(fake.downloads[0]!.text);
    file.settings.servers[0].url = 'javascript:alert(1)';
    file.preferences.contextMenuEnabled = 'sometimes';
    await controller.importSettings(JSON.stringify(file));

    expect(controller.getState().importOutcome).toEqual({
      status: 'invalid',
      errors: [
        { field: 'settings.servers[0].url', messageKey: 'errorUrlJavascript', substitutions: [] },
        { field: 'preferences.contextMenuEnabled', messageKey: 'errorNotTrueOrFalse', substitutions: [] },
      ],
    });
    expect(fake.mocks.saveSettings).not.toHaveBeenCalled();
    expect(fake.mocks.savePreferences).not.toHaveBeenCalled();
  });

  it('gives back the origins of servers an import drops', async () => {
    const fake = fakePlatform({ settings: { servers: [OTHER] }, granted: ['https://other.example.org/*'] });
    const controller = await started(fake);
    const empty = JSON.stringify({
      format: 'ragflow-keys-settings',
      settingsVersion: 2,
      preferencesVersion: 1,
      settings: { servers: [] },
      preferences: DEFAULT_PREFERENCES,
    });
    await controller.importSettings(empty);
    expect(fake.mocks.releaseHostAccess).toHaveBeenCalledWith(['https://other.example.org/*']);
  });
});

describe('Remove, undone', () => {
  it('puts the server back in its place, the default again, with its access asked for inside the click', async () => {
    const fake = fakePlatform({
      settings: { servers: [OTHER, LOCAL], defaultServerId: 'other' },
      granted: ['https://other.example.org/*'],
    });
    const controller = await started(fake);
    await controller.removeServer('other');
    expect(controller.getState().removed).toEqual({ server: OTHER, index: 0, wasDefault: true });
    expect(fake.granted.has('https://other.example.org/*')).toBe(false);

    const undone = controller.undoRemove();
    // Asked at once, before anything is awaited: the browser prompts only during the click.
    expect(fake.mocks.requestHostAccess).toHaveBeenCalledWith('https://other.example.org/*');
    await undone;
    expect(fake.store.settings).toEqual({ servers: [OTHER, LOCAL], defaultServerId: 'other' });
    expect(controller.getState().removed).toBeNull();
    expect(controller.getState().access.other).toBe('granted');
  });

  it('is offered only until the next change', async () => {
    const fake = fakePlatform({ settings: { servers: [OTHER, LOCAL] } });
    const controller = await started(fake);
    await controller.removeServer('local');
    controller.addServer();
    expect(controller.getState().removed).toBeNull();
  });
});

describe('errors under the fields of a server', () => {
  it('go as soon as the field is fixed, and never ask for a name the host would give', async () => {
    const fake = fakePlatform();
    const controller = await started(fake);
    controller.addServer();
    controller.setDraftField('url', 'file:///etc/passwd');
    await controller.saveServer();
    const fields = () => controller.getState().editor?.errors.map((error) => error.field);
    // The name left empty is the host's: no "give the server a name" while the URL has none.
    expect(fields()).toEqual(['url']);
    controller.setDraftField('url', 'ftp://x');
    expect(fields()).toEqual(['url']);
    controller.setDraftField('url', 'http://127.0.0.1:9380');
    expect(fields()).toEqual([]);
  });
});
