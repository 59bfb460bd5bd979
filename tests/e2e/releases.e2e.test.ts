/**
 * Every release line of RAGFlow the extension supports, through the real UI of the built
 * extension: Test connection on the options page, then the popup's sign-in and key manager.
 * One browser for the whole file, so that seven servers stay within the time of one suite.
 */

import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ERROR_MESSAGES } from '../../lib/errors';
import { type FakeRagflow, type FakeRagflowOptions, RELEASES, type Release, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { chineseMessage, englishMessage } from './support/messages';
import { fillSignInForm, toSignInForm } from './support/popup-form';

interface Expected {
  serverKind: string;
  generation: string;
  release: string;
  /** Whether the server lists its SSO channels (the Go server's list is a stub: always none). */
  listsChannels: boolean;
}

/**
 * The versions the two reporting lines are started with: not the fake's defaults, so that the
 * release shown can only have come from the server's answer.
 */
const REPORTED_VERSION: Partial<Record<Release, string>> = { 'v0.26': 'v0.26.1', go: 'v0.27.3' };

const PYTHON = englishMessage('optionsServerPython');
const LEGACY = englishMessage('optionsGenerationLegacy');
const MIXED = englishMessage('optionsGenerationMixed');
const RESTFUL = englishMessage('optionsGenerationRestful');

// Spelled out rather than derived from the product's tables: this is what the test checks.
const EXPECTED: Record<Release, Expected> = {
  'v0.22': { serverKind: PYTHON, generation: LEGACY, release: 'v0.20 to v0.22', listsChannels: true },
  'v0.23.0': { serverKind: PYTHON, generation: LEGACY, release: 'v0.23', listsChannels: true },
  'v0.24': { serverKind: PYTHON, generation: LEGACY, release: 'v0.24', listsChannels: true },
  'v0.25.0': { serverKind: PYTHON, generation: MIXED, release: 'v0.25.0', listsChannels: true },
  'v0.25.1': { serverKind: PYTHON, generation: RESTFUL, release: 'v0.25.1', listsChannels: true },
  'v0.26': { serverKind: PYTHON, generation: RESTFUL, release: 'v0.26.1', listsChannels: true },
  go: { serverKind: 'RAGFlow Go server', generation: RESTFUL, release: 'v0.27.3', listsChannels: false },
};

/**
 * The internal error codes (`kind`s) of the extension, from its table of error sentences, so that
 * a code added later is looked for too. None may reach the user: the UI shows sentences.
 */
const INTERNAL_CODES = Object.keys(ERROR_MESSAGES);

let extension: LoadedExtension;
const servers: FakeRagflow[] = [];

beforeAll(async () => {
  extension = await launchExtension();
});

afterAll(async () => {
  await extension?.close();
  await Promise.all(servers.map((server) => server.close()));
});

/** A fake of this release, set up in the extension as its only server (with the fake's own key pair). */
async function serverOf(release: Release, options: FakeRagflowOptions): Promise<FakeRagflow> {
  const server = await startFakeRagflow({
    release,
    ...(REPORTED_VERSION[release] && { version: REPORTED_VERSION[release] }),
    ...options,
  });
  servers.push(server);
  await extension.configureServers([
    { url: server.url, name: `RAGFlow ${release}`, publicKeyPem: server.publicKeyPem },
  ]);
  return server;
}

/** A user of one test: an address of its own, so that each sign-in is an account's first. */
function userOf(name: string, flags: { otherTeam?: boolean; superuser?: boolean } = {}) {
  const slug = name.replace(/[^a-z0-9]+/gi, '-');
  return { email: `${slug}@example.com`, password: `${slug}-releases-pässword`, ...flags };
}

const button = (scope: Page | Locator, name: string) => scope.getByRole('button', { name, exact: true });
/** As the key list shows a key: its first and last four characters. */
const masked = (token: string) => `ragflow-${token.slice(8, 12)}…${token.slice(-4)}`;
const keyRows = (page: Page) => page.getByRole('list', { name: 'API keys of this account' }).getByRole('listitem');
const rowOf = (page: Page, token: string) => keyRows(page).filter({ hasText: masked(token) });
const apiKeyField = (page: Page) => page.getByLabel('API key', { exact: true });

/** All the words a user can meet on the page: its text, and the tooltips and labels of its elements. */
async function wordsOnPage(page: Page): Promise<string> {
  return page.evaluate(() => {
    const attributes = [...document.querySelectorAll('[title], [aria-label], [placeholder]')].flatMap((element) =>
      ['title', 'aria-label', 'placeholder'].map((name) => element.getAttribute(name) ?? ''),
    );
    return [document.body.innerText, ...attributes].join('\n');
  });
}

async function expectNoInternalCode(page: Page): Promise<void> {
  const words = await wordsOnPage(page);
  const found = INTERNAL_CODES.filter((code) => new RegExp(`(?<![\\w-])${code}(?![\\w-])`).test(words));
  expect(found, `internal codes on ${page.url()}`).toEqual([]);
}

/**
 * Opens the popup on the sign-in form with the fields filled, and waits until it has looked at
 * the server (the sentence about the web app shows once it knows the server takes passwords).
 */
async function popupReadyToSignIn(server: FakeRagflow, user: { email: string; password: string }): Promise<Page> {
  const page = await extension.openPopup();
  // The popup opens on the key of the account signed in last (another profile's), if any.
  await toSignInForm(page);
  await fillSignInForm(page, { serverUrl: server.url, ...user });
  await page.getByTestId('web-session-warning').waitFor();
  return page;
}

describe.each(RELEASES)('RAGFlow %s', (release) => {
  const expected = EXPECTED[release];
  const user = userOf(`release-${release}`);
  let server: FakeRagflow;
  let popup: Page;

  beforeAll(async () => {
    server = await serverOf(release, {
      users: [user],
      ssoChannels: [{ channel: 'github', display_name: 'GitHub' }],
    });
  });

  afterAll(async () => {
    await popup?.close();
  });

  it('Test connection names the server, its routes and its release line in words', async () => {
    const page = await extension.openPage('options.html');
    await page.setViewportSize({ width: 900, height: 1000 });
    try {
      const card = page.getByRole('listitem', { name: `RAGFlow ${release}`, exact: true });
      await button(card, 'Test connection').click();
      const report = card.getByTestId('connection-report');
      await report.getByText('Reachable', { exact: true }).waitFor();

      expect(await report.getByTestId('server-kind').innerText()).toBe(expected.serverKind);
      expect(await report.getByTestId('generation').innerText()).toBe(expected.generation);
      expect(await report.getByTestId('release').innerText()).toBe(expected.release);
      expect(await report.getByTestId('channels').innerText()).toBe(
        expected.listsChannels ? 'GitHub' : englishMessage('optionsChannelsNone'),
      );
      expect(server.count('login')).toBe(0);
      await expectNoInternalCode(page);
    } finally {
      await page.close();
    }
  });

  it('gets a key with a password: login, list, create, and no detection again', async () => {
    server.resetCounts();
    popup = await popupReadyToSignIn(server, user);
    // What Test connection found is remembered: the popup asked the server nothing so far.
    expect(server.requests.map((request) => request.operation)).toEqual([]);

    await button(popup, 'Get API key').click();
    await expect.poll(() => apiKeyField(popup).inputValue()).toMatch(/^ragflow-/);
    expect(await apiKeyField(popup).inputValue()).toBe(server.apiKeys(user.email)[0]);
    expect(server.requests.map((request) => request.operation)).toEqual(['login', 'tokens.list', 'tokens.create']);
    expect(server.count()).toBe(3);
    await expectNoInternalCode(popup);
  });

  it('lists, creates, verifies and revokes keys', async () => {
    const [first] = server.apiKeys(user.email);
    server.resetCounts();
    await button(popup, 'Manage keys').click();
    await rowOf(popup, first!).waitFor();
    expect(await keyRows(popup).count()).toBe(1);
    expect(server.requests.map((request) => request.operation)).toEqual(['tokens.list']);

    await button(popup, 'Create new key').click();
    await expect.poll(() => keyRows(popup).count()).toBe(2);
    const keys = server.apiKeys(user.email);
    expect(keys).toHaveLength(2);
    const created = keys.find((key) => key !== first)!;
    await rowOf(popup, created).waitFor();

    // Verify is one of the row's less used actions, under More.
    await button(rowOf(popup, created), 'More').click();
    await button(rowOf(popup, created), 'Verify').click();
    await expect.poll(() => rowOf(popup, created).getByRole('status').innerText()).toBe(englishMessage('keysValid'));

    // Revoke asks first; the second click confirms.
    await button(rowOf(popup, created), 'Revoke').click();
    await button(rowOf(popup, created), 'Revoke').click();
    await expect.poll(() => rowOf(popup, created).count()).toBe(0);
    expect(server.apiKeys(user.email)).toEqual([first]);
    expect(await keyRows(popup).count()).toBe(1);
    expect(await popup.getByRole('alert').allInnerTexts()).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/\S/)]),
    );
    await expectNoInternalCode(popup);
  });
});

describe('RAGFlow v0.26, a user invited to another team', () => {
  const user = userOf('v0.26-other-team', { otherTeam: true });
  let server: FakeRagflow;

  beforeAll(async () => {
    server = await serverOf('v0.26', { users: [user] });
  });

  it('keeps a key that RAGFlow said it deleted but did not, and says why', async () => {
    const page = await popupReadyToSignIn(server, user);
    try {
      await button(page, 'Get API key').click();
      await expect.poll(() => apiKeyField(page).inputValue()).toMatch(/^ragflow-/);
      await button(page, 'Manage keys').click();
      await button(page, 'Create new key').click();
      await expect.poll(() => keyRows(page).count()).toBe(2);
      const [, created] = server.apiKeys(user.email);

      await button(rowOf(page, created!), 'Revoke').click();
      server.resetCounts();
      await button(rowOf(page, created!), 'Revoke').click();

      await expect.poll(() => page.getByText(englishMessage('keysErrorNotRevoked')).isVisible()).toBe(true);
      // RAGFlow was asked, answered success, and the list was read again to see.
      expect(server.requests.map((request) => request.operation)).toEqual(['tokens.delete', 'tokens.list']);
      expect(await rowOf(page, created!).count()).toBe(1);
      expect(await keyRows(page).count()).toBe(2);
      expect(server.apiKeys(user.email)).toContain(created);
      await expectNoInternalCode(page);
    } finally {
      await page.close();
    }
  });
});

describe('the RAGFlow Go server, a superuser', () => {
  const user = userOf('go-superuser', { superuser: true });
  let server: FakeRagflow;

  beforeAll(async () => {
    server = await serverOf('go', { users: [user] });
  });

  it('says that RAGFlow gives administrators no API keys', async () => {
    const page = await popupReadyToSignIn(server, user);
    try {
      await button(page, 'Get API key').click();
      const alert = page.getByTestId('alert');
      await expect.poll(() => alert.innerText()).toBe(englishMessage('errorSuperuserNotAllowed'));
      expect(await apiKeyField(page).count()).toBe(0);
      expect(server.apiKeys(user.email)).toEqual([]);
      await expectNoInternalCode(page);
    } finally {
      await page.close();
    }
  });
});

describe('in Simplified Chinese', () => {
  let chineseExtension: LoadedExtension;

  beforeAll(async () => {
    chineseExtension = await launchExtension({ uiLanguage: 'zh-CN' });
  });

  afterAll(async () => {
    await chineseExtension?.close();
  });

  it('Test connection says in words what each server is, or why it cannot be reached', async () => {
    const [oldest, go] = await Promise.all([
      startFakeRagflow({ release: 'v0.22' }),
      startFakeRagflow({ release: 'go', version: 'v0.27.3' }),
    ]);
    servers.push(oldest, go);
    // A closed port: nothing listens there.
    const down = await startFakeRagflow({ release: 'v0.26' });
    await down.close();
    await chineseExtension.configureServers([
      { url: oldest.url, name: 'oldest' },
      { url: go.url, name: 'go' },
      { url: down.url, name: 'down' },
    ]);
    const page = await chineseExtension.openPage('options.html');
    await page.setViewportSize({ width: 900, height: 1000 });
    try {
      const report = async (name: string) => {
        const card = page.getByRole('listitem', { name, exact: true });
        await card.getByRole('button', { name: chineseMessage('optionsTestConnection'), exact: true }).click();
        const element = card.getByTestId('connection-report');
        await expect
          .poll(() => element.innerText())
          .toMatch(new RegExp(`^(?:${chineseMessage('optionsReachable')}|${chineseMessage('optionsUnreachable')})`));
        return element;
      };
      const oldestReport = await report('oldest');
      expect(await oldestReport.getByTestId('server-kind').innerText()).toBe(chineseMessage('optionsServerPython'));
      expect(await oldestReport.getByTestId('generation').innerText()).toBe(chineseMessage('optionsGenerationLegacy'));
      expect(await oldestReport.getByTestId('release').innerText()).toBe(chineseMessage('optionsReleaseV022'));
      const goReport = await report('go');
      expect(await goReport.getByTestId('server-kind').innerText()).toBe(chineseMessage('optionsServerGo'));
      expect(await goReport.getByTestId('release').innerText()).toBe('v0.27.3');
      const downReport = await report('down');
      expect(await downReport.innerText()).toBe(
        `${chineseMessage('optionsUnreachable')} ${chineseMessage('errorCannotConnect', [down.url])}`,
      );
      await expectNoInternalCode(page);
    } finally {
      await page.close();
    }
  });
});
