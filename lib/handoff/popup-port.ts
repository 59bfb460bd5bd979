/**
 * The popup's side of its connection to the background (the background's side is
 * ../paste/popup-link.ts): without the polyfill, like the rest of the popup (see ../extension-api.ts).
 */
import { extensionApi as browser } from '../extension-api';

/** The port's name, and the one message on it: the background asks the popup to close. */
export const POPUP_PORT_NAME = 'popup';
export const CLOSE_POPUP = 'close';

/** In the popup: connects, and closes the popup when the background asks. */
export function linkPopup(): void {
  browser.runtime.connect({ name: POPUP_PORT_NAME }).onMessage.addListener((message) => {
    if (message === CLOSE_POPUP) window.close();
  });
}
