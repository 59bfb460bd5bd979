/**
 * Whether the background can clear the clipboard, for the options page, which is no background
 * and loads no polyfill (see ../extension-api.ts): Chrome through an offscreen document, Firefox
 * from its background page, a document with a clipboard (background-clipboard.ts).
 */
import { extensionApi } from '../extension-api';

export function autoClearAvailable(): boolean {
  return typeof extensionApi.offscreen?.createDocument === 'function' || import.meta.env.FIREFOX;
}
