/**
 * How the popup and the options page look, measured in real Chromium from computed styles, in
 * both languages and both colour schemes: type sizes (Chromium gives extension pages
 * `body { font-size: 75% }`), the key's monospace face, contrast of text (≥ 4.5:1), borders and
 * focus rings (≥ 3:1), a height that does not jump from the form to the key, and nothing
 * important below the popup's 600 px. Then what a sign-in in progress shows, and its Cancel.
 * Screenshots of each state go next to the build (to docs/ with UPDATE_DOCS_SCREENSHOTS).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ERROR_MESSAGES } from '../../lib/errors';
import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { seriousViolations } from './support/axe';
import { launchExtension, type LoadedExtension } from './support/extension';
import { type FirefoxExtension, launchFirefoxExtension } from './support/firefox';
import { bottomOf, focusRings, heightOf, type Measured, measure, measureInPage } from './support/look';
import { cachedAccounts } from './support/session-cache';

const USER = { email: 'ada@example.com', password: 'ada-password-7' };
const SCHEMES = ['light', 'dark'] as const;
const SCREENSHOT_DIR = process.env.UPDATE_DOCS_SCREENSHOTS ? 'docs' : join('.output', 'screenshots');
/** The most a toolbar popup is given by the browser before it scrolls. */
const POPUP_MAX_HEIGHT = 600;

/** What every state must meet (the numbers: WCAG 2.1 AA, and a readable size). */
function expectReadable(measured: Measured, where: string): void {
  expect(measured.bodyPx, `${where}: body`).toBeGreaterThanOrEqual(13);
  expect(measured.smallest.px, `${where}: ${measured.smallest.what}`).toBeGreaterThanOrEqual(12);
  expect(measured.lowestText.ratio, `${where}: ${measured.lowestText.what}`).toBeGreaterThanOrEqual(4.5);
  expect(measured.lowestBorder.ratio, `${where}: ${measured.lowestBorder.what}`).toBeGreaterThanOrEqual(3);
}

/** Figures for the record, printed once per state. */
function report(where: string, measured: Measured, extra: Record<string, number> = {}): void {
  const figures = {
    body: measured.bodyPx,
    smallest: measured.smallest.px,
    text: Number(measured.lowestText.ratio.toFixed(2)),
    border: Number(measured.lowestBorder.ratio.toFixed(2)),
    ...extra,
  };
  console.info(`look ${where} ${JSON.stringify(figures)}`);
}

describe.each(['en-US', 'zh-CN'])('the popup and the options page in %s', (uiLanguage) => {
  let extension: LoadedExtension;
  let server: FakeRagflow;
  let down: FakeRagflow;

  beforeAll(async () => {
    server = await startFakeRagflow({ generation: 'restful', users: [USER] });
    down = await startFakeRagflow({ generation: 'restful', users: [] });
    await down.close();
    extension = await launchExtension({ uiLanguage });
    await extension.configureServers([
      { url: server.url, name: 'Local RAGFlow', email: USER.email, publicKeyPem: server.publicKeyPem },
      { url: down.url, name: 'Down' },
    ]);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  afterAll(async () => {
    await extension?.close();
    await server?.close();
  });

  const shoot = (page: Page, state: string, scheme: string) =>
    page.screenshot({ path: join(SCREENSHOT_DIR, `${state}-${uiLanguage}-${scheme}.png`), fullPage: true });

  it.each(SCHEMES)(
    'popup, %s: every state readable, the same height from form to key, nothing below 600 px',
    async (scheme) => {
      const page = await extension.openPopup();
      await page.emulateMedia({ colorScheme: scheme });
      const where = (state: string) => `popup ${state} ${uiLanguage} ${scheme}`;
      // From the form: a run before may have left a key cached.
      await page.locator('#password, [data-testid=api-key]').first().waitFor();
      if (await page.getByTestId('api-key').count()) await page.locator('.sign-out button').click();
      await page.locator('#password').waitFor();
      // The form, on the saved server: it leads, with its button the primary one.
      const form = await measure(page);
      expectReadable(form, where('form'));
      const rings = await focusRings(page, 6);
      expect(rings.seen).toBeGreaterThanOrEqual(4);
      expect(rings.lowest, `${where('form')}: ${rings.what}`).toBeGreaterThanOrEqual(3);
      const formHeight = await heightOf(page);
      report(where('form'), form, { ring: Number(rings.lowest.toFixed(2)), height: formHeight });
      expect(await page.locator('main > form button[type=submit]').getAttribute('class')).toContain('primary');
      await shoot(page, 'popup-form', scheme);

      // An error under its field, which is marked; gone once the value is fixed.
      const email = page.locator('#email');
      await email.fill('ada');
      await page.locator('main > form button[type=submit]').click();
      await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
      const describedBy = await email.getAttribute('aria-describedby');
      const error = page.locator(`#${describedBy}`);
      expect((await error.innerText()).length).toBeGreaterThan(5);
      // Right under the field: above the password field.
      const errorBox = await error.boundingBox();
      const passwordBox = await page.locator('#password').boundingBox();
      expect(errorBox!.y).toBeLessThan(passwordBox!.y);
      expectReadable(await measure(page), where('form with an error'));
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'popup-form-error', scheme);
      await email.fill(USER.email);
      expect(await email.getAttribute('aria-invalid')).toBeNull();
      expect(await email.getAttribute('aria-describedby')).toBeNull();
      expect(await page.getByRole('alert').allInnerTexts()).toEqual(
        expect.not.arrayContaining([expect.stringMatching(/\S/)]),
      );

      // The key.
      await page.locator('#password').fill(USER.password);
      await page.locator('main > form button[type=submit]').click();
      await page.getByTestId('api-key').waitFor();
      const key = await measure(page);
      expectReadable(key, where('key'));
      const keyFont = await page
        .getByTestId('api-key')
        .evaluate((field) => ({ family: getComputedStyle(field).fontFamily, px: getComputedStyle(field).fontSize }));
      expect(keyFont.family).toMatch(/monospace/);
      const keyHeight = await heightOf(page);
      report(where('key'), key, { height: keyHeight });
      expect(keyHeight).toBe(formHeight);
      expect(await bottomOf(page, '.result button.primary')).toBeLessThanOrEqual(POPUP_MAX_HEIGHT);
      await shoot(page, 'popup-key', scheme);
      // Shown, the whole key is on screen: it wraps instead of running off the edge.
      await page.locator('.label-row button').click();
      const field = page.getByTestId('api-key');
      expect(await field.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
      expect(await field.evaluate((element) => element.scrollHeight <= element.clientHeight + 1)).toBe(true);
      expect(await heightOf(page)).toBe(keyHeight);

      // The key manager: a row's menu open, another row's revocation asking first.
      await page.locator('.keys-bar button').first().click();
      await page.locator('li.key').first().waitFor();
      const listed = await page.locator('li.key').count();
      await page.locator('.keys-bar button').nth(1).click();
      await expect.poll(() => page.locator('li.key').count()).toBe(listed + 1);
      await page.locator('li.key').first().locator('button[aria-expanded]').click();
      await page.locator('li.key').nth(1).locator('button.danger-outline').click();
      await expect.poll(() => page.locator('li.key .confirm').count()).toBe(1);
      const revoke = page.locator('li.key .confirm button.danger');
      const danger = await revoke.evaluate((button) => getComputedStyle(button).backgroundColor);
      const copy = await page
        .locator('li.key')
        .first()
        .locator('button.copy')
        .evaluate((button) => getComputedStyle(button).backgroundColor);
      expect(danger).not.toBe(copy);
      // Cancel has the focus: a stray Enter keeps the key.
      await expect.poll(() => page.evaluate(() => document.activeElement?.closest('.confirm') !== null)).toBe(true);
      const manager = await measure(page);
      expectReadable(manager, where('key manager'));
      expect(await seriousViolations(page)).toEqual([]);
      const codeFont = await page
        .locator('li.key code')
        .first()
        .evaluate((code) => getComputedStyle(code).fontFamily);
      expect(codeFont).toMatch(/monospace/);
      report(where('key manager'), manager, { height: await heightOf(page) });
      await shoot(page, 'popup-keys', scheme);
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('li.key .confirm').count()).toBe(0);
      expect(server.apiKeys(USER.email)).toHaveLength(listed + 1);

      // Back to the form, for the next scheme.
      await page.locator('.sign-out button').click();
      await page.locator('#password').waitFor();

      // A new account on offer: Settings and the account's button still within 600 px.
      await page.locator('#email').fill('new@example.com');
      await page.locator('#password').fill('new-password-1');
      await page.locator('main > form button[type=submit]:enabled').click();
      await expect
        .poll(
          async () =>
            (await page.locator('.create-account button[type=submit]').count()) ||
            (await page.getByRole('alert').allInnerTexts()).join(' '),
          { timeout: 10_000 },
        )
        .toBe(1);
      expectReadable(await measure(page), where('new account'));
      expect(await seriousViolations(page)).toEqual([]);
      const offerHeight = await heightOf(page);
      report(where('new account'), await measure(page), { height: offerHeight });
      expect(await bottomOf(page, '.create-account button[type=submit]')).toBeLessThanOrEqual(POPUP_MAX_HEIGHT);
      expect(await bottomOf(page, '.popup-head button')).toBeLessThanOrEqual(POPUP_MAX_HEIGHT);
      await shoot(page, 'popup-new-account', scheme);
      await page.close();
    },
  );

  it.each(SCHEMES)('options page, %s: readable, no internal code, access and reachability agree', async (scheme) => {
    const page = await extension.openPage('options.html');
    await page.setViewportSize({ width: 900, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    const where = `options ${uiLanguage} ${scheme}`;
    const downCard = page.locator('li.server').nth(1);
    await downCard.getByTestId('access').waitFor();
    await downCard.locator('.actions button').first().click();
    const reportText = () => downCard.getByTestId('connection-report').innerText();
    await expect.poll(reportText, { timeout: 15_000 }).toMatch(/\S/);
    await expect.poll(() => downCard.locator('.report .alert').count(), { timeout: 15_000 }).toBe(1);
    // In words, in the page's language: never an error's kind.
    const said = await reportText();
    for (const kind of Object.keys(ERROR_MESSAGES)) expect(said).not.toContain(kind);
    // Access is the browser's permission: said plainly, not in the green of "reachable".
    expect(await downCard.getByTestId('access').locator('.success').count()).toBe(0);
    // The file chooser is ours, in the page's language: the browser's own stays unseen.
    const chooser = page.locator('label.file-button');
    expect(await chooser.isVisible()).toBe(true);
    expect(await page.locator('#import-file').evaluate((input) => getComputedStyle(input).opacity)).toBe('0');

    const measured = await measure(page);
    expectReadable(measured, where);
    const rings = await focusRings(page, 8);
    expect(rings.lowest, `${where}: ${rings.what}`).toBeGreaterThanOrEqual(3);
    report(where, measured, { ring: Number(rings.lowest.toFixed(2)) });
    await shoot(page, 'options', scheme);

    // A server's form with an error under a field, readable too.
    await page.locator('li.server').first().locator('.actions button').nth(1).click();
    await page.locator('#server-url').fill('file:///etc/passwd');
    await page.locator('.server-form button[type=submit]').click();
    await expect.poll(() => page.locator('#server-url').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field-error').count()).toBe(1);
    expectReadable(await measure(page), `${where} server form`);
    expect(await seriousViolations(page)).toEqual([]);
    await shoot(page, 'options-server-form', scheme);
    await page.locator('#server-url').fill(server.url);
    await expect.poll(() => page.locator('.field-error').count()).toBe(0);
    expect(await page.locator('#server-url').getAttribute('aria-invalid')).toBeNull();
    await page.close();
  });
});

describe('a sign-in in progress', () => {
  let extension: LoadedExtension;
  let slow: FakeRagflow;

  beforeAll(async () => {
    slow = await startFakeRagflow({ generation: 'restful', users: [USER], latencyMs: 400 });
    extension = await launchExtension();
    await extension.configureServers([{ url: slow.url, email: USER.email, publicKeyPem: slow.publicKeyPem }]);
  });

  afterAll(async () => {
    await extension?.close();
    await slow?.close();
  });

  it('shows a turning spinner and the step, keeps its height, and Cancel leaves the form as it was with nothing cached', async () => {
    const page = await extension.openPopup();
    await page.locator('#password').fill(USER.password);
    const formHeight = await heightOf(page);
    await page.getByRole('button', { name: 'Get API key' }).click();

    const spinner = page.getByTestId('spinner');
    await spinner.waitFor();
    expect(
      await spinner.evaluate((element) =>
        element.getAnimations().some((animation) => animation.playState === 'running'),
      ),
    ).toBe(true);
    // Named for screen readers: a status region with the step in words.
    await expect.poll(() => page.getByRole('status').filter({ hasText: /…/ }).count()).toBe(1);
    expect(await heightOf(page)).toBe(formHeight);
    // Cancel took the focus the button had.
    const cancel = page.getByRole('button', { name: 'Cancel' });
    expect(await cancel.evaluate((button) => button === document.activeElement)).toBe(true);
    // Once the login answered, so that its session would be cached if nothing undid it.
    await expect.poll(() => slow.count('login'), { timeout: 5000 }).toBe(1);
    await cancel.click();

    await page.getByRole('button', { name: 'Get API key' }).waitFor();
    expect(await page.locator('#password').inputValue()).toBe(USER.password);
    expect(await page.locator('#email').inputValue()).toBe(USER.email);
    expect(await page.getByRole('alert').allInnerTexts()).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/\S/)]),
    );
    // Whatever was on its way has arrived by now, and was undone.
    await page.waitForTimeout(2000);
    expect(await page.getByTestId('api-key').count()).toBe(0);
    expect(await cachedAccounts(extension)).toEqual([]);
    await page.close();
  });
});

describe("the toolbar's notice", () => {
  let extension: LoadedExtension;
  let server: FakeRagflow;

  beforeAll(async () => {
    server = await startFakeRagflow({ generation: 'restful', users: [USER] });
    extension = await launchExtension();
    await extension.configureServers([{ url: server.url, email: USER.email, publicKeyPem: server.publicKeyPem }]);
  });

  afterAll(async () => {
    await extension?.close();
    await server?.close();
  });

  it('the "!" a paste left goes once the popup has a key', async () => {
    type Chrome = {
      tabs: {
        create(details: object): Promise<{ id: number }>;
        get(tabId: number): Promise<{ status?: string }>;
      };
      action: {
        setBadgeText(details: object): Promise<void>;
        getBadgeText(details: { tabId: number }): Promise<string>;
      };
      storage: { session: { set(items: object): Promise<void> } };
    };
    const worker = await extension.worker();
    // What a paste with no key leaves: the badge on its tab, and the notice naming that tab.
    const tabId = await worker.evaluate(async () => {
      const { chrome } = globalThis as unknown as { chrome: Chrome };
      const tab = await chrome.tabs.create({ url: 'about:blank', active: true });
      // Tab-specific values go when the tab navigates: set once it has loaded.
      while ((await chrome.tabs.get(tab.id)).status !== 'complete') await new Promise((done) => setTimeout(done, 50));
      await chrome.action.setBadgeText({ tabId: tab.id, text: '!' });
      const notice = { messageKey: 'pasteNoKey', substitutions: [], tabId: tab.id, at: Date.now() };
      await chrome.storage.session.set({ 'paste.notice': notice });
      return tab.id;
    });
    const badge = () =>
      worker.evaluate(
        (id) => (globalThis as unknown as { chrome: Chrome }).chrome.action.getBadgeText({ tabId: id }),
        tabId,
      );
    expect(await badge()).toBe('!');

    const page = await extension.openPopup();
    await page.locator('#password').fill(USER.password);
    await page.getByRole('button', { name: 'Get API key' }).click();
    await page.getByTestId('api-key').waitFor();
    await expect.poll(badge).toBe('');
    await page.close();
  });
});

describe('type in Firefox', () => {
  let firefox: FirefoxExtension;

  beforeAll(async () => {
    firefox = await launchFirefoxExtension();
  });

  afterAll(async () => {
    await firefox?.close();
  });

  it.each(['popup.html', 'options.html'])('%s: body ≥ 13 px, nothing under 12 px', async (path) => {
    const page = await firefox.openPage(path);
    await page.waitForSelector('main[aria-busy="false"]');
    const measured = await page.evaluate(measureInPage);
    report(`firefox ${path}`, measured);
    expect(measured.bodyPx).toBeGreaterThanOrEqual(13);
    expect(measured.smallest.px, measured.smallest.what).toBeGreaterThanOrEqual(12);
    await page.close();
  });
});
