/**
 * The extension API as the browser itself gives it, without webextension-polyfill, for code the
 * pages load: every call they make answers with a promise natively in the browsers we support
 * (Chrome's `chrome.*` in MV3, Firefox's `browser.*`), so the polyfill would only weigh on the
 * popup. The background keeps `wxt/browser` (the polyfill) where it earns its place: its message
 * listener answers with a promise, which Chrome's own `runtime.onMessage` does not take.
 */
import type { browser } from 'wxt/browser';

type ExtensionApi = typeof browser;

const globals = globalThis as unknown as { browser?: ExtensionApi; chrome?: ExtensionApi };

export const extensionApi: ExtensionApi = (globals.browser ?? globals.chrome) as ExtensionApi;
