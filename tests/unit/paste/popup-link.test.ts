import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { servePopupLink } from '@/lib/paste/popup-link';

const POPUP_URL = `chrome-extension://${fakeBrowser.runtime.id}/popup.html`;

type Port = {
  name: string;
  sender?: { id?: string; url?: string; tab?: unknown };
  posted: unknown[];
  postMessage(message: unknown): void;
  onDisconnect: { addListener(listener: () => void): void };
  disconnect(): void;
};

/** A port as the browser hands it to runtime.onConnect, which fakeBrowser does not implement. */
function port(name: string, sender: Port['sender']): Port {
  const listeners: (() => void)[] = [];
  return {
    name,
    sender,
    posted: [],
    postMessage(message) {
      this.posted.push(message);
    },
    onDisconnect: { addListener: (listener) => listeners.push(listener) },
    disconnect: () => {
      for (const listener of listeners) listener();
    },
  };
}

let connect: (port: Port) => void;

beforeEach(() => {
  fakeBrowser.reset();
  (fakeBrowser.runtime as unknown as { onConnect: object }).onConnect = {
    addListener: (listener: (port: Port) => void) => {
      connect = listener;
    },
  };
});

describe("the popup's port, in the background", () => {
  it('knows the toolbar popup is open, asks it to close, and hears it closed', async () => {
    const popupClosed = vi.fn(async () => {});
    const link = servePopupLink({ popupClosed });
    expect(link.connected()).toBe(false);
    const popup = port('popup', { id: fakeBrowser.runtime.id, url: POPUP_URL });
    connect(popup);
    expect(link.connected()).toBe(true);
    link.closePopups();
    expect(popup.posted).toEqual(['close']);
    popup.disconnect();
    expect(link.connected()).toBe(false);
    expect(popupClosed).toHaveBeenCalledOnce();
  });

  it('waits for the last popup to close (one per window)', async () => {
    const popupClosed = vi.fn(async () => {});
    servePopupLink({ popupClosed });
    const [first, second] = [1, 2].map(() => port('popup', { id: fakeBrowser.runtime.id, url: POPUP_URL }));
    connect(first!);
    connect(second!);
    first!.disconnect();
    expect(popupClosed).not.toHaveBeenCalled();
    second!.disconnect();
    expect(popupClosed).toHaveBeenCalledOnce();
  });

  it('ignores popup.html in a tab, other pages and other ports', async () => {
    const popupClosed = vi.fn(async () => {});
    const link = servePopupLink({ popupClosed });
    connect(port('popup', { id: fakeBrowser.runtime.id, url: POPUP_URL, tab: { id: 4 } }));
    connect(
      port('popup', { id: fakeBrowser.runtime.id, url: `chrome-extension://${fakeBrowser.runtime.id}/options.html` }),
    );
    connect(port('popup', { id: 'another-extension', url: POPUP_URL }));
    connect(port('other', { id: fakeBrowser.runtime.id, url: POPUP_URL }));
    expect(link.connected()).toBe(false);
  });
});
