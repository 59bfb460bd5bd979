/**
 * The popup's first run (no server set up) over the page the user is on, in headful Chromium: a
 * page on a host the extension may reach is recognised (one request, the detection); any other
 * host is asked nothing until the user clicks the offer that names it; and what the user types
 * always wins over a recognition still on its way. The shortcut is pressed with xdotool, as a
 * keyboard would: its activeTab grant is what shows the popup the page's address.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'wxt/browser';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { popupForActiveTab as openPopupForActiveTab } from './support/active-tab-popup';
import { launchExtension, type LoadedExtension } from './support/extension';
import { pressKeys } from './support/native-input';
import { OTHER_SITE_HOST, TEST_HOST_RESOLVER_RULES } from './support/test-pages';

type Chrome = typeof Browser;

let extension: LoadedExtension;
const servers: FakeRagflow[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  extension = await launchExtension({ headless: false, args: [TEST_HOST_RESOLVER_RULES] });
  // A first run: nothing set up, nothing remembered.
  await extension.configureServers([]);
});

afterAll(async () => {
  await extension?.close();
  await Promise.all(servers.map((server) => server.close()));
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close()));
  await extension.closeActionPopup();
  const worker = await extension.worker();
  await worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: Chrome };
    await chrome.storage.local.clear();
  });
  await extension.configureServers([]);
});

/** A RAGFlow behind nginx: its web app's page and its API on one origin. */
async function fakeRagflow(): Promise<FakeRagflow> {
  const server = await startFakeRagflow({ release: 'v0.26', nginx: true });
  servers.push(server);
  return server;
}

/**
 * The paths asked of the server's API: every probe the extension could send is there (its
 * routes start at /v1 or /api), and nothing the page asks for itself (its HTML, its favicon).
 */
function apiRequests(server: FakeRagflow): string[] {
  return server.requests.map((request) => request.path).filter((path) => /^\/(?:v1|api)\//.test(path));
}

async function openPage(url: string): Promise<Page> {
  const page = await extension.context.newPage();
  pages.push(page);
  await page.goto(url);
  await page.bringToFront();
  return page;
}

async function popupForActiveTab(): Promise<Page> {
  const popup = await openPopupForActiveTab(extension);
  pages.push(popup);
  return popup;
}

describe('the first run over a page', () => {
  it('asks a site it may not reach nothing, even with the shortcut’s grant, until the user names it', async () => {
    const server = await fakeRagflow();
    const siteUrl = `http://${OTHER_SITE_HOST}:${server.port}`;
    await openPage(`${siteUrl}/knowledge`);
    server.resetCounts();

    // No key anywhere: the shortcut opens the real popup, which sees the page through activeTab.
    await pressKeys('alt+shift+k');
    await expect.poll(() => extension.actionPopupIsOpen()).toBe(true);
    const popup = await popupForActiveTab();
    const host = `${OTHER_SITE_HOST}:${server.port}`;
    const offer = popup.getByTestId('page-server-offer');
    await expect.poll(() => offer.isVisible()).toBe(true);
    expect(await offer.textContent()).toContain(`Is ${host} your RAGFlow server?`);
    // Both popups have made up their minds by now (the offer is their answer): nothing was asked.
    expect(apiRequests(server)).toEqual([]);
    expect(await popup.getByLabel('Server URL').inputValue()).toBe('');

    // The user names it: one request, the detection, and the address is filled in.
    await popup.getByRole('button', { name: `Check ${host}` }).click();
    await expect.poll(() => popup.getByLabel('Server URL').inputValue()).toBe(siteUrl);
    expect(apiRequests(server)).toEqual(['/v1/system/config']);
    expect(await offer.count()).toBe(0);
  });

  it('says so when the host the user chose does not answer as RAGFlow', async () => {
    const server = await startFakeRagflow({ release: 'v0.26', nginx: true, pathPrefix: '/ragflow' });
    servers.push(server);
    // Outside the prefix: the web app's page, no RAGFlow answer at any depth.
    await openPage(`http://${OTHER_SITE_HOST}:${server.port}/elsewhere`);
    await pressKeys('alt+shift+k');
    await expect.poll(() => extension.actionPopupIsOpen()).toBe(true);
    const popup = await popupForActiveTab();
    const host = `${OTHER_SITE_HOST}:${server.port}`;
    await popup.getByRole('button', { name: `Check ${host}` }).click();
    await expect
      .poll(() => popup.getByTestId('page-server-offer').textContent())
      .toBe(`${host} did not answer as a RAGFlow server. Type your server's address.`);
    expect(await popup.getByLabel('Server URL').inputValue()).toBe('');
  });

  it('recognises a page on a host it may reach with one request, and what the user types meanwhile wins', async () => {
    const server = await fakeRagflow();
    await openPage(`${server.url}/knowledge`);
    server.resetCounts();
    // The recognition takes its time: the user types while it is on its way.
    server.options.latencyMs = 1500;
    const popup = await extension.openPopup();
    pages.push(popup);
    const serverUrl = popup.getByLabel('Server URL');
    await serverUrl.click();
    const typed = 'http://typed.example';
    await popup.keyboard.type(typed, { delay: 20 });
    expect(apiRequests(server)).toEqual(['/v1/system/config']);
    // The answer comes after the typing: the field keeps what was typed, and only that.
    await popup.waitForTimeout(2000);
    expect(await serverUrl.inputValue()).toBe(typed);

    // Untouched, the field takes the recognised server: one request, the detection.
    server.options.latencyMs = 0;
    server.resetCounts();
    const untouched = await extension.openPopup();
    pages.push(untouched);
    await expect.poll(() => untouched.getByLabel('Server URL').inputValue()).toBe(server.url);
    expect(apiRequests(server)).toEqual(['/v1/system/config']);
  });
});
