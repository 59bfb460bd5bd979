/** The popup as it renders for the active tab, in a page the tests can read. */
import type { Page } from 'playwright-core';
import type { Browser } from 'wxt/browser';

import type { LoadedExtension } from './extension';

type Chrome = typeof Browser;

/**
 * Opens popup.html in a background tab: the real popup is not a page Playwright can read, and a
 * background tab leaves the page under test the active one (whose address the popup may see).
 */
export async function popupForActiveTab(extension: LoadedExtension): Promise<Page> {
  const opened = extension.context.waitForEvent('page');
  const worker = await extension.worker();
  await worker.evaluate(async (url) => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    await chrome.tabs.create({ url, active: false });
  }, extension.pageUrl('popup.html'));
  const popup = await opened;
  await popup.waitForLoadState();
  return popup;
}
