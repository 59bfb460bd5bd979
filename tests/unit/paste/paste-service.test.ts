import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { type AccountEntry, accountCache } from '@/lib/keys/account-cache';
import { serverKeyOf } from '@/lib/keys/cached-key';
import { createKeyService } from '@/lib/keys/key-service';
import type { AccountRef } from '@/lib/messaging/protocol';
import type { FrameFocus } from '@/lib/paste/focus-probe';
import type { EditContextResult } from '@/lib/paste/edit-context';
import type { FieldPin, InsertResult } from '@/lib/paste/insert-into-field';
import { noticeForTab } from '@/lib/handoff/paste-notice';
import { createNoticeBoard } from '@/lib/paste/notice';
import {
  createPasteService,
  NoAccessError,
  type PasteDeps,
  type PasteService,
  type PasteState,
} from '@/lib/paste/paste-service';
import { RagflowClient } from '@/lib/ragflow/client';
import type { Settings } from '@/lib/settings/settings';
import { type FakeRagflow, startFakeRagflow } from '../../fake-ragflow';
import { normalizeServerUrl, type ServerUrl } from '@/lib/ragflow/server-url';

const TAB = 3;
const A = normalizeServerUrl('http://a.test');
const B = normalizeServerUrl('http://b.test');

function account(serverUrl: string, currentKey: string | undefined, savedAt = 1): AccountEntry {
  return { serverUrl: normalizeServerUrl(serverUrl), email: 'me@x', keys: [], currentKey, keysSavedAt: savedAt };
}

function settingsWith(...urls: ServerUrl[]): Settings {
  return {
    servers: urls.map((url, index) => ({
      id: `s${index}`,
      name: '',
      url,
      keyPolicy: 'reuse',
      email: `me${index}@x`,
      sessionLifetime: { kind: 'until-browser-closes' },
    })),
  };
}

/**
 * The browser around the service: storage and the toolbar button from fakeBrowser, the rest
 * recorded. The page is a focused field (`page.focused`) that a test may move while a key is
 * fetched; a pin remembers it, and an insertion with a pin refuses when it moved, as the injected
 * functions do (tested on real pages in tests/e2e/insert-into-field.e2e.test.ts).
 */
/** What a test sets up: the settings and the key cache's accounts, which the key service answers from. */
interface Seeded {
  settings: Settings;
  accounts: AccountEntry[];
  lastUsedServerUrl?: ServerUrl;
}

function harness(
  state: Seeded,
  options: {
    insert?: InsertResult | Error;
    /** What the EditContext insertion answers, after `insert` handed the field over. */
    editContext?: EditContextResult;
    /** Thrown by the clipboard write, as where the background has no clipboard. */
    copy?: Error;
    frames?: FrameFocus[] | Error;
    popup?: Error;
    pin?: Error;
    keyWithSession?: (account: AccountRef, page: { focused: string }) => Promise<string>;
  } = {},
) {
  const page = { focused: 'field A' };
  const pins: { tabId: number; frameId: number; field: string }[] = [];
  const inserted: { tabId: number; frameId: number; key: string; field: string }[] = [];
  const copied: string[] = [];
  const deps = {
    readState: async (): Promise<PasteState> => ({
      settings: state.settings,
      cachedServerUrls: [...new Set(state.accounts.map((entry) => entry.serverUrl))],
      ...(state.lastUsedServerUrl !== undefined && { lastUsedServerUrl: state.lastUsedServerUrl }),
    }),
    keyForServer: async (serverUrl: ServerUrl) => serverKeyOf(state.accounts, serverUrl),
    keyWithSession: vi.fn(async (account: AccountRef): Promise<string> => {
      if (!options.keyWithSession) throw new Error('no session request expected');
      return options.keyWithSession(account, page);
    }),
    insertInFrame: vi.fn(async (tabId: number, frameId: number, key: string, pin?: FieldPin): Promise<InsertResult> => {
      if (options.insert instanceof Error) throw options.insert;
      if (pin) {
        const pinned = pins[pin.id];
        if (pinned?.frameId !== frameId || pinned.field !== page.focused) return { ok: false, reason: 'field-changed' };
      }
      inserted.push({ tabId, frameId, key, field: page.focused });
      return options.insert ?? { ok: true };
    }),
    insertInEditContext: vi.fn(
      async (_tabId: number, _frameId: number, _key: string, _pin?: FieldPin): Promise<EditContextResult> =>
        options.editContext ?? { ok: true },
    ),
    copyToClipboard: vi.fn(async (key: string) => {
      if (options.copy) throw options.copy;
      copied.push(key);
    }),
    pinField: vi.fn(async (tabId: number, frameId: number): Promise<FieldPin> => {
      if (options.pin) throw options.pin;
      pins.push({ tabId, frameId, field: page.focused });
      return { slot: 'pins', id: pins.length - 1 };
    }),
    probeFocus: vi.fn(async (): Promise<FrameFocus[]> => {
      if (options.frames instanceof Error) throw options.frames;
      return options.frames ?? [{ frameId: 0, report: { hasFocus: true, focusInChildFrame: false } }];
    }),
    notices: createNoticeBoard({ action: browser.action, translate: (key) => key, defaultTitle: () => 'RAGFlow Keys' }),
    openPopup: vi.fn(async () => {
      if (options.popup) throw options.popup;
    }),
    preparePopup: vi.fn(async (_server: { url: string; email?: string }) => {}),
    rememberPending: vi.fn(
      async (_pending: { tabId: number; frameId: number; pin: FieldPin; serverUrl: string }) => {},
    ),
  } satisfies PasteDeps;
  return { service: createPasteService(deps), deps, inserted, pins, page, copied };
}

const badge = () => browser.action.getBadgeText({ tabId: TAB });

beforeEach(() => {
  fakeBrowser.reset();
});

describe('pasting from the context menu', () => {
  const twoServers: Seeded = {
    settings: settingsWith(A, B),
    accounts: [account(A, 'key-a'), account(B, 'key-b-old', 1), account(B, 'key-b', 2)],
  };

  it("hands the chosen server's key to the clicked frame only", async () => {
    const { service, inserted } = harness(twoServers);
    const outcome = await service.pasteFromMenu({ menuItemId: `paste-key:${B}`, frameId: 4 }, TAB);
    expect(outcome).toEqual({ pasted: true, serverUrl: B });
    expect(inserted).toEqual([{ tabId: TAB, frameId: 4, key: 'key-b', field: 'field A' }]);
  });

  it('hands an EditContext editor over to its own insertion, with the same pin', async () => {
    const { service, deps, copied } = harness(twoServers, { insert: { ok: false, handOver: 'edit-context' } });
    const outcome = await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 4 }, TAB);
    expect(outcome).toEqual({ pasted: true, serverUrl: A });
    expect(deps.insertInEditContext).toHaveBeenCalledWith(TAB, 4, 'key-a', undefined);
    expect(copied).toEqual([]);
    expect(await badge()).toBe('');
  });

  it('leaves the key on the clipboard, and says so, for an editor that takes it no way', async () => {
    const { service, copied } = harness(twoServers, {
      insert: { ok: false, handOver: 'edit-context' },
      editContext: { ok: false, reason: 'editor-refused' },
    });
    const outcome = await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, TAB);
    expect(outcome).toEqual({ pasted: false, notice: 'editor-refused', popupOpened: true });
    expect(copied).toEqual(['key-a']);
    expect(await noticeForTab(TAB)).toEqual({ messageKey: 'pasteNoticeEditorRefused', substitutions: [] });
  });

  it('says the field takes no text when the clipboard cannot hold the key either', async () => {
    const { service } = harness(twoServers, {
      insert: { ok: false, handOver: 'edit-context' },
      editContext: { ok: false, reason: 'editor-refused' },
      copy: new Error('no clipboard'),
    });
    const outcome = await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, TAB);
    expect(outcome).toEqual({ pasted: false, notice: 'not-editable', popupOpened: true });
  });

  it('clears an earlier notice of the tab once a paste works', async () => {
    const { service } = harness(twoServers);
    await createNoticeBoard({ action: browser.action, translate: (key) => key, defaultTitle: () => '' }).show(TAB, {
      messageKey: 'pasteNoticeNoField',
      substitutions: [],
    });
    await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, TAB);
    expect(await badge()).toBe('');
    expect(await noticeForTab(TAB)).toBeNull();
  });

  it('with no key for the chosen server, pastes nothing, says so and opens the popup on that server', async () => {
    const { service, deps } = harness({ settings: settingsWith(A, B), accounts: [account(A, 'key-a')] });
    const outcome = await service.pasteFromMenu({ menuItemId: `paste-key:${B}`, frameId: 0 }, TAB);
    expect(outcome).toEqual({ pasted: false, notice: 'no-key', popupOpened: true });
    expect(deps.insertInFrame).not.toHaveBeenCalled();
    expect(deps.preparePopup).toHaveBeenCalledWith({ url: B, email: 'me1@x' });
    expect(deps.openPopup).toHaveBeenCalledOnce();
    expect(await noticeForTab(TAB)).toEqual({ messageKey: 'pasteNoticeNoKey', substitutions: ['b.test'] });
  });

  it('keeps the badge as the notice where the popup cannot open', async () => {
    const { service } = harness({ settings: settingsWith(A), accounts: [] }, { popup: new Error('not supported') });
    const outcome = await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, TAB);
    expect(outcome).toEqual({ pasted: false, notice: 'no-key', popupOpened: false });
    expect(await badge()).toBe('!');
  });

  it('with no server at all, asks to sign in first', async () => {
    const { service, deps } = harness({ settings: { servers: [] }, accounts: [] });
    const outcome = await service.pasteFromMenu({ menuItemId: 'paste-key', frameId: 0 }, TAB);
    expect(outcome).toMatchObject({ pasted: false, notice: 'sign-in-first' });
    expect(deps.insertInFrame).not.toHaveBeenCalled();
  });

  it('says which refusal the field gave', async () => {
    const { service } = harness(twoServers, { insert: { ok: false, reason: 'read-only' } });
    const outcome = await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, TAB);
    expect(outcome).toMatchObject({ pasted: false, notice: 'read-only' });
    expect(await browser.action.getTitle({ tabId: TAB })).toBe('pasteNoticeReadOnly');
  });

  it('tells a frame of another site from a page it may not script', async () => {
    const refused = new NoAccessError(new Error('Cannot access contents of the page'));
    const { service } = harness(twoServers, { insert: refused });
    expect(await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 9 }, TAB)).toMatchObject({
      notice: 'frame-not-allowed',
    });
    expect(await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, TAB)).toMatchObject({
      notice: 'page-not-allowed',
    });
  });

  it('ignores items that are not ours, and clicks outside a tab', async () => {
    const { service, deps } = harness(twoServers);
    expect(await service.pasteFromMenu({ menuItemId: 'another-extension-item', frameId: 0 }, TAB)).toBeUndefined();
    expect(await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, undefined)).toBeUndefined();
    expect(deps.insertInFrame).not.toHaveBeenCalled();
  });
});

describe('pasting with the keyboard shortcut', () => {
  const oneServer: Seeded = { settings: settingsWith(A), accounts: [account(A, 'key-a')] };

  it('probes for the focused frame without the key, then hands the key to that frame only', async () => {
    const frames: FrameFocus[] = [
      { frameId: 0, report: { hasFocus: true, focusInChildFrame: true } },
      { frameId: 6, report: { hasFocus: true, focusInChildFrame: false } },
      { frameId: 8, report: { hasFocus: false, focusInChildFrame: false } },
    ];
    const { service, deps, inserted } = harness(oneServer, { frames });
    expect(await service.pasteFromShortcut(TAB)).toEqual({ pasted: true, serverUrl: A });
    expect(deps.probeFocus).toHaveBeenCalledWith(TAB);
    expect(inserted).toEqual([{ tabId: TAB, frameId: 6, key: 'key-a', field: 'field A' }]);
  });

  it('pastes nothing when the focus is in a frame of another site', async () => {
    const frames: FrameFocus[] = [{ frameId: 0, report: { hasFocus: true, focusInChildFrame: true } }];
    const { service, deps } = harness(oneServer, { frames });
    expect(await service.pasteFromShortcut(TAB)).toMatchObject({ pasted: false, notice: 'frame-not-allowed' });
    expect(deps.insertInFrame).not.toHaveBeenCalled();
  });

  it('pastes nothing when no frame has the focus (the address bar has it), and says so', async () => {
    const frames: FrameFocus[] = [
      { frameId: 0, report: { hasFocus: false, focusInChildFrame: false } },
      { frameId: 6, report: { hasFocus: false, focusInChildFrame: false } },
    ];
    const { service, deps } = harness(oneServer, { frames });
    expect(await service.pasteFromShortcut(TAB)).toMatchObject({ pasted: false, notice: 'no-focus' });
    expect(deps.insertInFrame).not.toHaveBeenCalled();
    expect(await noticeForTab(TAB)).toEqual({ messageKey: 'pasteNoticeNoFocus', substitutions: [] });
    expect(await badge()).toBe('!');
  });

  it('says so when the page cannot be scripted at all', async () => {
    const { service } = harness(oneServer, { frames: new NoAccessError() });
    expect(await service.pasteFromShortcut(TAB)).toMatchObject({ pasted: false, notice: 'page-not-allowed' });
  });

  it('with several servers, pastes for the default one', async () => {
    const state: Seeded = {
      settings: { ...settingsWith(A, B), defaultServerId: 's1' },
      accounts: [account(A, 'key-a'), account(B, 'key-b')],
    };
    const { service, inserted } = harness(state);
    await service.pasteFromShortcut(TAB);
    expect(inserted.map((insertion) => insertion.key)).toEqual(['key-b']);
  });

  it('with several servers and none chosen, asks to choose from the menu and pastes nothing', async () => {
    const state: Seeded = { settings: settingsWith(A, B), accounts: [account(A, 'key-a'), account(B, 'key-b')] };
    const { service, deps } = harness(state);
    expect(await service.pasteFromShortcut(TAB)).toMatchObject({ pasted: false, notice: 'choose-server' });
    expect(deps.probeFocus).not.toHaveBeenCalled();
    expect(deps.insertInFrame).not.toHaveBeenCalled();
  });

  it('with no key cached, pins the focused field (no key goes to the page), remembers the paste, opens the popup', async () => {
    const { service, deps } = harness({ settings: settingsWith(A), accounts: [] });
    expect(await service.pasteFromShortcut(TAB)).toMatchObject({ pasted: false, notice: 'no-key', popupOpened: true });
    expect(deps.insertInFrame).not.toHaveBeenCalled();
    expect(deps.pinField).toHaveBeenCalledExactlyOnceWith(TAB, 0);
    expect(deps.rememberPending).toHaveBeenCalledExactlyOnceWith({
      tabId: TAB,
      frameId: 0,
      pin: { slot: 'pins', id: 0 },
      serverUrl: A,
    });
    expect(deps.openPopup).toHaveBeenCalledOnce();
  });

  it('remembers no paste where the frame may not be scripted', async () => {
    const { service, deps } = harness({ settings: settingsWith(A), accounts: [] }, { frames: new NoAccessError() });
    expect(await service.pasteFromShortcut(TAB)).toMatchObject({ pasted: false, notice: 'no-key' });
    expect(deps.rememberPending).not.toHaveBeenCalled();
  });
});

describe('finishing a paste that had to ask', () => {
  const pending = { tabId: TAB, frameId: 2, pin: { slot: 'pins', id: 0 }, serverUrl: A };

  it('pastes the arrived key into the pinned field, under the same checks', async () => {
    const { service, deps, inserted } = harness({ settings: settingsWith(A), accounts: [account(A, 'key-a')] });
    await deps.pinField(TAB, 2);
    expect(await service.finishPending(pending)).toEqual({ pasted: true, serverUrl: A });
    expect(inserted).toEqual([{ tabId: TAB, frameId: 2, key: 'key-a', field: 'field A' }]);
    expect(deps.insertInFrame).toHaveBeenCalledWith(TAB, 2, 'key-a', pending.pin);
  });

  it('says why when the field lost the focus meanwhile', async () => {
    const { service, deps, page, inserted } = harness({ settings: settingsWith(A), accounts: [account(A, 'key-a')] });
    await deps.pinField(TAB, 2);
    page.focused = 'field B';
    expect(await service.finishPending(pending)).toMatchObject({ pasted: false, notice: 'field-changed' });
    expect(inserted).toEqual([]);
    expect(await noticeForTab(TAB)).toEqual({ messageKey: 'pasteNoticeFieldChanged', substitutions: [] });
  });
});

describe('pasting while signed in, with no key cached', () => {
  /** Signed in to A (its session token cached), no key cached. */
  const signedIn: Seeded = {
    settings: settingsWith(A),
    accounts: [{ serverUrl: A, email: 'Me@x', authorization: 'token-a', keys: [], sessionSavedAt: 1 }],
  };

  it('gets the key with the session, for the signed-in account, and pastes it (menu and shortcut)', async () => {
    const { service, deps, inserted } = harness(signedIn, { keyWithSession: async () => 'key-from-session' });
    expect(await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, TAB)).toEqual({
      pasted: true,
      serverUrl: A,
    });
    expect(await service.pasteFromShortcut(TAB)).toEqual({ pasted: true, serverUrl: A });
    expect(deps.keyWithSession).toHaveBeenCalledWith({ serverUrl: A, email: 'Me@x' });
    expect(inserted.map((insertion) => insertion.key)).toEqual(['key-from-session', 'key-from-session']);
    expect(deps.openPopup).not.toHaveBeenCalled();
  });

  it('takes the no-key path when the session does not get a key (expired, say)', async () => {
    const expired = async (): Promise<string> => {
      throw new Error('session-expired');
    };
    const { service, deps } = harness(signedIn, { keyWithSession: expired });
    expect(await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, TAB)).toMatchObject({
      pasted: false,
      notice: 'no-key',
    });
    expect(deps.insertInFrame).not.toHaveBeenCalled();
    expect(deps.openPopup).toHaveBeenCalledOnce();
  });

  it('with the key cached, pins nothing: one injection for the menu, probe and insertion for the shortcut', async () => {
    const { service, deps, inserted } = harness({ settings: settingsWith(A), accounts: [account(A, 'key-a')] });
    await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 2 }, TAB);
    await service.pasteFromShortcut(TAB);
    expect(deps.pinField).not.toHaveBeenCalled();
    expect(deps.probeFocus).toHaveBeenCalledOnce();
    expect(deps.insertInFrame.mock.calls).toEqual([
      [TAB, 2, 'key-a', undefined],
      [TAB, 0, 'key-a', undefined],
    ]);
    expect(inserted).toHaveLength(2);
  });

  it('pins the clicked field before the key is fetched, and pastes into it while it keeps the focus', async () => {
    const { service, deps, inserted } = harness(signedIn, {
      keyWithSession: async () => {
        // Pinned at the click, before the key came.
        expect(deps.pinField).toHaveBeenCalledWith(TAB, 5);
        return 'key-from-session';
      },
    });
    expect(await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 5 }, TAB)).toEqual({
      pasted: true,
      serverUrl: A,
    });
    expect(deps.keyWithSession).toHaveBeenCalledOnce();
    // The insertion carries the pin it has to check.
    expect(deps.insertInFrame).toHaveBeenCalledWith(TAB, 5, 'key-from-session', { slot: 'pins', id: 0 });
    expect(inserted).toEqual([{ tabId: TAB, frameId: 5, key: 'key-from-session', field: 'field A' }]);
  });

  it('with the shortcut, probes and pins in the focused frame before the key is fetched', async () => {
    const frames: FrameFocus[] = [
      { frameId: 0, report: { hasFocus: true, focusInChildFrame: true } },
      { frameId: 7, report: { hasFocus: true, focusInChildFrame: false } },
    ];
    const { service, deps, inserted } = harness(signedIn, {
      frames,
      keyWithSession: async () => {
        // Both happened at the keypress, before the key came.
        expect(deps.probeFocus).toHaveBeenCalledOnce();
        expect(deps.pinField).toHaveBeenCalledWith(TAB, 7);
        return 'key-from-session';
      },
    });
    expect(await service.pasteFromShortcut(TAB)).toEqual({ pasted: true, serverUrl: A });
    expect(inserted).toEqual([{ tabId: TAB, frameId: 7, key: 'key-from-session', field: 'field A' }]);
  });

  it('pastes nothing when the focus moved to another field while the key was fetched, and says so', async () => {
    const movesFocus = async (_account: AccountRef, page: { focused: string }) => {
      page.focused = 'field B';
      return 'key-from-session';
    };
    for (const paste of [
      (service: PasteService) => service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, TAB),
      (service: PasteService) => service.pasteFromShortcut(TAB),
    ]) {
      fakeBrowser.reset();
      const { service, deps, inserted } = harness(signedIn, { keyWithSession: movesFocus });
      expect(await paste(service)).toEqual({ pasted: false, notice: 'field-changed', popupOpened: true });
      expect(deps.pinField).toHaveBeenCalledOnce();
      expect(inserted).toEqual([]);
      expect(await badge()).toBe('!');
      expect(await noticeForTab(TAB)).toEqual({ messageKey: 'pasteNoticeFieldChanged', substitutions: [] });
    }
  });

  it('where the frame may not be scripted, still gets the key (for the popup to offer), and says so', async () => {
    const refused = new NoAccessError(new Error('Cannot access contents of the page'));
    const { service, deps } = harness(signedIn, { pin: refused, keyWithSession: async () => 'key-from-session' });
    expect(await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 9 }, TAB)).toEqual({
      pasted: false,
      notice: 'frame-not-allowed',
      popupOpened: true,
    });
    expect(deps.keyWithSession).toHaveBeenCalledOnce();
    expect(deps.insertInFrame).not.toHaveBeenCalled();
  });

  it('asks nothing of the session when a key is cached, nor without a session', async () => {
    const { service, deps } = harness({ settings: settingsWith(A, B), accounts: [account(A, 'key-a')] });
    await service.pasteFromMenu({ menuItemId: `paste-key:${A}`, frameId: 0 }, TAB);
    await service.pasteFromMenu({ menuItemId: `paste-key:${B}`, frameId: 0 }, TAB);
    expect(deps.keyWithSession).not.toHaveBeenCalled();
  });
});

describe('pasting and the popup at once, against a RAGFlow server', () => {
  const ALICE = { email: 'alice@example.com', password: 'alice-password' };
  let server: FakeRagflow;

  beforeEach(async () => {
    server = await startFakeRagflow({ generation: 'restful', users: [ALICE] });
  });

  afterEach(async () => {
    await server.close();
  });

  /** The background's wiring: one key service, the paste feature reading the session cache. */
  function background() {
    const keys = createKeyService({
      hasHostAccess: async () => true,
      onStep: () => {},
      keyPolicy: async () => 'reuse',
      clientOptions: async () => ({ publicKeyPem: server.publicKeyPem }),
    });
    const { deps, inserted } = harness(
      { settings: settingsWith(server.url), accounts: [] },
      { keyWithSession: async (account) => (await keys.getKey(account)).key },
    );
    // The state as the real background has it: the key service's answers at the time of the paste.
    const readState = async (): Promise<PasteState> => ({
      settings: settingsWith(server.url),
      cachedServerUrls: await keys.cachedServers(),
    });
    return { keys, paste: createPasteService({ ...deps, readState, keyForServer: keys.keyForServer }), inserted };
  }

  it('with the session cached and no key: one key listed or created, no login, the same key everywhere', async () => {
    const seeded = new RagflowClient({ serverUrl: server.url, publicKeyPem: server.publicKeyPem });
    const { authorization } = await seeded.login(ALICE);
    await accountCache.saveAccount({ serverUrl: server.url, email: ALICE.email, authorization, keys: [] });
    server.resetCounts();
    const { keys, paste, inserted } = background();

    const [popup, menu, shortcut] = await Promise.all([
      keys.getKey({ serverUrl: server.url, email: ALICE.email }),
      paste.pasteFromMenu({ menuItemId: `paste-key:${server.url}`, frameId: 0 }, TAB),
      paste.pasteFromShortcut(TAB),
    ]);

    expect(server.count('login')).toBe(0);
    expect(server.count('tokens.create')).toBe(1);
    expect(server.apiKeys(ALICE.email)).toEqual([popup.key]);
    expect([menu, shortcut]).toEqual([
      { pasted: true, serverUrl: server.url },
      { pasted: true, serverUrl: server.url },
    ]);
    expect(inserted.map((insertion) => insertion.key)).toEqual([popup.key, popup.key]);
  });
});
