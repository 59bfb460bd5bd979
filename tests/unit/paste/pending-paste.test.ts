import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import type { KeyResult } from '@/lib/messaging/protocol';
import {
  createPendingPastes,
  PENDING_PASTE_MAX_AGE_MS,
  pendingPasteItem,
  withPopupSignIns,
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

describe('withPopupSignIns', () => {
  const result: KeyResult = { key: 'k', serverUrl: A, email: 'me@x', source: 'login' } as KeyResult;
  const handlers = {
    'keys.get': async () => result,
    'keys.fromWebSession': async () => result,
    'keys.fromApiKey': async () => result,
  } as unknown as Parameters<typeof withPopupSignIns>[0];
  const popup = { id: 'ext', url: 'chrome-extension://ext/popup.html' };
  const options = { id: 'ext', url: 'chrome-extension://ext/options.html' };
  const follow = () => ({ keyArrived: vi.fn(async () => {}), keyShown: vi.fn(async () => {}) });

  it("tells of the popup's keys, from its sign-in, the web app's session and an API key", async () => {
    const told = follow();
    const wrapped = withPopupSignIns(handlers, told);
    expect(await wrapped['keys.get']({} as never, popup)).toBe(result);
    expect(await wrapped['keys.fromWebSession']({} as never, popup)).toBe(result);
    expect(await wrapped['keys.fromApiKey']({} as never, popup)).toBe(result);
    expect(told.keyArrived.mock.calls).toEqual([[A], [A], [A]]);
    expect(told.keyShown).toHaveBeenCalledTimes(3);
  });

  it("does not tell of the options page's keys, nor of popup.html opened in a tab", async () => {
    const told = follow();
    await withPopupSignIns(handlers, told)['keys.get']({} as never, options);
    await withPopupSignIns(handlers, told)['keys.get']({} as never, { ...popup, tab: { id: 4 } } as never);
    expect(told.keyArrived).not.toHaveBeenCalled();
  });

  it("clears the paste's notice once the popup, toolbar or tab, has a key; not for the options page", async () => {
    const told = follow();
    const wrapped = withPopupSignIns(handlers, told);
    await wrapped['keys.get']({} as never, popup);
    await wrapped['keys.fromWebSession']({} as never, { ...popup, tab: { id: 4 } } as never);
    expect(told.keyShown).toHaveBeenCalledTimes(2);
    await wrapped['keys.get']({} as never, options);
    expect(told.keyShown).toHaveBeenCalledTimes(2);
  });
});
