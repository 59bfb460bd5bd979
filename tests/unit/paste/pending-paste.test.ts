import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import type { KeyResult } from '@/lib/messaging/protocol';
import {
  createPendingPastes,
  PENDING_PASTE_MAX_AGE_MS,
  pendingPasteItem,
  withKeyArrival,
  withKeyShown,
} from '@/lib/paste/pending-paste';
import { normalizeServerUrl } from '@/lib/ragflow/server-url';

const A = normalizeServerUrl('http://a.test');
const B = normalizeServerUrl('http://b.test');
const PASTE = { tabId: 3, frameId: 0, pin: { slot: 'pins', id: 1 }, serverUrl: A };

function pendingPastes(now = () => 1000) {
  const finish = vi.fn(async () => {});
  return { pending: createPendingPastes({ finish, now }), finish };
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('a pending paste', () => {
  it('is finished with the server whose key arrived, once the popup closed', async () => {
    const { pending, finish } = pendingPastes();
    await pending.remember(PASTE);
    expect(await pending.keyArrived(A)).toBe(true);
    expect(finish).not.toHaveBeenCalled();
    await pending.popupClosed();
    expect(finish).toHaveBeenCalledExactlyOnceWith({ ...PASTE, at: 1000, arrivedFor: A });
    expect(await pendingPasteItem.getValue()).toBeNull();
  });

  it('is finished once only, whatever arrives or closes after', async () => {
    const { pending, finish } = pendingPastes();
    await pending.remember(PASTE);
    await pending.keyArrived(A);
    await pending.popupClosed();
    expect(await pending.keyArrived(A)).toBe(false);
    await pending.popupClosed();
    expect(finish).toHaveBeenCalledOnce();
  });

  it('is forgotten when the popup closed without a key', async () => {
    const { pending, finish } = pendingPastes();
    await pending.remember(PASTE);
    await pending.popupClosed();
    expect(await pending.keyArrived(A)).toBe(false);
    await pending.popupClosed();
    expect(finish).not.toHaveBeenCalled();
  });

  it("waits on for its own server's key, not another's", async () => {
    const { pending } = pendingPastes();
    await pending.remember(PASTE);
    expect(await pending.keyArrived(B)).toBe(false);
    expect(await pending.keyArrived(A)).toBe(true);
  });

  it('answers no key that comes long after', async () => {
    let now = 1000;
    const { pending } = pendingPastes(() => now);
    await pending.remember(PASTE);
    now += PENDING_PASTE_MAX_AGE_MS + 1;
    expect(await pending.keyArrived(A)).toBe(false);
    expect(await pendingPasteItem.getValue()).toBeNull();
  });
});

describe('withKeyArrival', () => {
  const result: KeyResult = { key: 'k', serverUrl: A, email: 'me@x', source: 'login' } as KeyResult;
  const handlers = {
    'keys.get': async () => result,
    'keys.fromWebSession': async () => result,
  } as unknown as Parameters<typeof withKeyArrival>[0];
  const popup = { id: 'ext', url: 'chrome-extension://ext/popup.html' };
  const options = { id: 'ext', url: 'chrome-extension://ext/options.html' };

  it("tells of the popup's keys, from its sign-in and from the web app's session", async () => {
    const keyArrived = vi.fn(async () => {});
    const wrapped = withKeyArrival(handlers, keyArrived);
    expect(await wrapped['keys.get']({} as never, popup)).toBe(result);
    expect(await wrapped['keys.fromWebSession']({} as never, popup)).toBe(result);
    expect(keyArrived.mock.calls).toEqual([[A], [A]]);
  });

  it("does not tell of the options page's keys, nor of popup.html opened in a tab", async () => {
    const keyArrived = vi.fn(async () => {});
    await withKeyArrival(handlers, keyArrived)['keys.get']({} as never, options);
    await withKeyArrival(handlers, keyArrived)['keys.get']({} as never, { ...popup, tab: { id: 4 } } as never);
    expect(keyArrived).not.toHaveBeenCalled();
  });
});

describe('withKeyShown', () => {
  const result = { key: 'k', serverUrl: A, email: 'me@x', source: 'login' } as KeyResult;
  const handlers = {
    'keys.get': async () => result,
    'keys.fromWebSession': async () => result,
  } as unknown as Parameters<typeof withKeyShown>[0];

  it("clears the paste's notice once the popup, toolbar or tab, has a key; not for the options page", async () => {
    const keyShown = vi.fn(async () => {});
    const wrapped = withKeyShown(handlers, keyShown);
    await wrapped['keys.get']({} as never, { id: 'ext', url: 'chrome-extension://ext/popup.html' });
    await wrapped['keys.fromWebSession'](
      {} as never,
      { id: 'ext', url: 'chrome-extension://ext/popup.html', tab: { id: 4 } } as never,
    );
    expect(keyShown).toHaveBeenCalledTimes(2);
    await wrapped['keys.get']({} as never, { id: 'ext', url: 'chrome-extension://ext/options.html' });
    expect(keyShown).toHaveBeenCalledTimes(2);
  });
});
