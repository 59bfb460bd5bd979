/**
 * The popup's connection to the background, for a paste that waits on a sign-in
 * (pending-paste.ts): the background learns when the popup closes (its port disconnects, which
 * the browser reports however the popup went: closed by the user, by a click elsewhere, or by
 * itself), and tells the popup to close when the key it got is to be pasted. The popup's side
 * is ../handoff/popup-port.ts.
 */
import { browser, type Browser } from 'wxt/browser';

import { isOwnPage } from '../messaging/serve';
import type { PendingPastes } from './pending-paste';
import { CLOSE_POPUP, POPUP_PORT_NAME } from '../handoff/popup-port';

export interface PopupLink {
  /**
   * Whether a popup is connected to this background. None after the service worker restarted
   * under an open popup (its port went with the old worker): then nobody would hear the close.
   */
  connected(): boolean;
  /** Asks every open popup to close. */
  closePopups(): void;
}

/** In the background: the open popups' ports; `pending` hears when the last one closed. */
export function servePopupLink(pending: Pick<PendingPastes, 'popupClosed'>): PopupLink {
  const ports = new Set<Browser.runtime.Port>();
  browser.runtime.onConnect.addListener((port) => {
    // The toolbar popup only, which has no tab: popup.html opened in a tab is a page like another.
    if (port.name !== POPUP_PORT_NAME || !port.sender || port.sender.tab || !isOwnPage(port.sender, ['/popup.html']))
      return;
    ports.add(port);
    port.onDisconnect.addListener(() => {
      ports.delete(port);
      if (ports.size === 0)
        void pending.popupClosed().catch((error) => console.error('Paste after sign-in failed', error));
    });
  });
  return {
    connected: () => ports.size > 0,
    closePopups() {
      for (const port of ports) port.postMessage(CLOSE_POPUP);
    },
  };
}
