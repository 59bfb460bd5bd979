/**
 * "Use my RAGFlow session" in real Chromium: the fake RAGFlow serves its web app's page on the
 * API's own origin (nginx mode), a test signs in there as the web app would (its token in the
 * page's localStorage), and the popup gets a key with that session, without a login.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, type FakeRagflowOptions, startFakeRagflow } from '../fake-ragflow';
import { launchExtension, type LoadedExtension } from './support/extension';
import { expectNoPasswordStored } from './support/storage-audit';

const BOB = { email: 'bob@example.com', password: 'bob-pässword-9' };
/** Every password typed in this file: none may ever reach any storage area. */
const PASSWORDS_TYPED = new Set<string>([BOB.password]);
const USE_SESSION = 'Use my RAGFlow session';
const GITHUB = [{ channel: 'github', display_name: 'GitHub' }];

let extension: LoadedExtension;
const pages: Page[] = [];
const servers: FakeRagflow[] = [];

beforeAll(async () => {
  extension = await launchExtension();
});

afterAll(async () => {
  await extension?.close();
  await Promise.all(servers.map((server) => server.close()));
});

afterEach(async () => {
  await expectNoPasswordStored(extension, PASSWORDS_TYPED);
  await Promise.all(pages.splice(0).map((page) => page.close()));
});

/** A RAGFlow behind nginx: the web app's page and the API on one origin, as usually deployed. */
async function fake(
  options: Partial<FakeRagflowOptions> &
    (Pick<FakeRagflowOptions, 'generation'> | Required<Pick<FakeRagflowOptions, 'release'>>),
): Promise<FakeRagflow> {
  const server = await startFakeRagflow({ nginx: true, users: [BOB], ...options });
  servers.push(server);
  return server;
}

/** The servers set up (none: a first run), and nothing remembered from an earlier popup. */
async function setUpServers(...configured: FakeRagflow[]): Promise<void> {
  await extension.configureServers(
    configured.map((server) => ({ url: server.url, publicKeyPem: server.publicKeyPem })),
  );
  const worker = await extension.worker();
  await worker.evaluate(async () => {
    type Local = { remove(keys: string[]): Promise<void> };
    const { local } = (globalThis as unknown as { chrome: { storage: { local: Local } } }).chrome.storage;
    await local.remove(['popup.serverUrl', 'popup.email']);
  });
}

/** A tab of the server's web app whose localStorage holds `authorization` (null: signed out). */
async function openWebApp(server: FakeRagflow, authorization: string | null, path = '/'): Promise<Page> {
  const page = await extension.context.newPage();
  pages.push(page);
  await page.goto(`${server.url}${path}`);
  await storeSession(page, authorization);
  return page;
}

/** What the RAGFlow web app does on sign-in and sign-out. */
async function storeSession(webApp: Page, authorization: string | null): Promise<void> {
  await webApp.evaluate((value) => {
    if (value === null) localStorage.removeItem('Authorization');
    else localStorage.setItem('Authorization', value);
  }, authorization);
}

async function openPopup(): Promise<Page> {
  const page = await extension.openPopup();
  pages.push(page);
  return page;
}

/** Who-am-I with a session token, from outside the browser, as the web app would ask it. */
async function whoAmI(server: FakeRagflow, authorization: string): Promise<{ status: number; email?: string }> {
  const path = server.options.generation === 'restful' ? '/api/v1/users/me' : '/v1/user/info';
  const response = await fetch(`${server.url}${path}`, { headers: { Authorization: authorization } });
  const body = (await response.json()) as { data: { email?: string } | null };
  return { status: response.status, email: body.data?.email };
}

const apiKeyField = (page: Page) => page.getByLabel('API key', { exact: true });
const useSessionButton = (page: Page) => page.getByRole('button', { name: USE_SESSION });

describe.each(['restful', 'legacy'] as const)('the RAGFlow session open in the browser, %s', (generation) => {
  it('gets a key with no login, and the web app stays signed in', async () => {
    const server = await fake({ generation });
    await setUpServers(server);
    const webToken = server.signInWebApp(BOB.email);
    const webApp = await openWebApp(server, webToken, '/knowledge');

    const popup = await openPopup();
    await expect.poll(() => useSessionButton(popup).isVisible()).toBe(true);
    // The best way in leads: the primary button, with the focus; the password form's is secondary.
    expect(await useSessionButton(popup).getAttribute('class')).toContain('primary');
    await expect.poll(() => useSessionButton(popup).evaluate((button) => button === document.activeElement)).toBe(true);
    expect(await popup.getByRole('button', { name: 'Get API key' }).getAttribute('class')).not.toContain('primary');
    await useSessionButton(popup).click();

    await expect.poll(() => apiKeyField(popup).inputValue()).toMatch(/^ragflow-/);
    expect(await apiKeyField(popup).inputValue()).toBe(server.apiKeys(BOB.email)[0]);
    expect(await popup.getByText(BOB.email, { exact: true }).isVisible()).toBe(true);
    expect(server.count('login')).toBe(0);
    // Not rotated and still accepted: the web app is as signed in as before.
    expect(server.sessionToken(BOB.email)).toBe(webToken);
    expect(await whoAmI(server, webToken)).toEqual({ status: 200, email: BOB.email });
    expect(await webApp.evaluate(() => localStorage.getItem('Authorization'))).toBe(webToken);
    // Kept like a login's token: in storage.session, never in storage.local.
    const { local, session } = JSON.parse(await extension.storageDump()) as Record<string, unknown>;
    expect(JSON.stringify(session)).toContain(webToken);
    expect(JSON.stringify(local)).not.toContain(webToken);

    // Opened again, the popup shows that key from its cache, asking the server nothing.
    server.resetCounts();
    const again = await openPopup();
    await expect.poll(() => apiKeyField(again).inputValue()).toBe(server.apiKeys(BOB.email)[0]);
    expect(server.count()).toBe(0);
  });
});

describe('the RAGFlow session open in the browser', () => {
  it('shows late on a slow server, and leaves the focus where the user put it meanwhile', async () => {
    // The offer waits for the server's first answer: over a second here.
    const server = await fake({ generation: 'restful', latencyMs: 1500 });
    await setUpServers(server);
    await openWebApp(server, server.signInWebApp(BOB.email));

    const popup = await openPopup();
    const password = popup.getByLabel('Password', { exact: true });
    await password.click();
    expect(await useSessionButton(popup).count()).toBe(0);
    await expect.poll(() => useSessionButton(popup).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await password.evaluate((field) => field === document.activeElement)).toBe(true);
  });

  it('when expired or absent, says to sign in in that tab first, and never logs in', async () => {
    const server = await fake({ generation: 'restful' });
    await setUpServers(server);
    const stale = server.signInWebApp(BOB.email);
    // Signed in again somewhere else since: the token the tab holds was rotated away.
    server.signInWebApp(BOB.email);
    const webApp = await openWebApp(server, stale);

    const expectSignInFirst = async () => {
      const popup = await openPopup();
      await expect.poll(() => useSessionButton(popup).isVisible()).toBe(true);
      await useSessionButton(popup).click();
      await expect
        .poll(() => popup.getByRole('alert').textContent())
        .toBe('Sign in to RAGFlow in that tab first, then try again.');
      expect(await apiKeyField(popup).count()).toBe(0);
    };
    await expectSignInFirst();
    // Signed out there: nothing stored at all.
    await storeSession(webApp, null);
    await expectSignInFirst();
    expect(server.count('login')).toBe(0);
    expect(server.apiKeys(BOB.email)).toEqual([]);
  });

  it('on a first run, fills in the server of the RAGFlow page the user is on, path prefix and all', async () => {
    const server = await fake({ generation: 'legacy', pathPrefix: '/ragflow' });
    await setUpServers();
    await openWebApp(server, server.signInWebApp(BOB.email), '/knowledge/dataset?id=1');

    const popup = await openPopup();
    await expect.poll(() => popup.getByLabel('Server URL').inputValue()).toBe(server.url);
    // Recognised by its public answers only (the detection probe and the config), not a login.
    expect(server.requests.every((request) => [null, 'version', 'config'].includes(request.operation))).toBe(true);
    expect(server.count('config')).toBeGreaterThan(0);

    // The page it came from is that server's web app: its session is one click away.
    await expect.poll(() => useSessionButton(popup).isVisible()).toBe(true);
    await useSessionButton(popup).click();
    await expect.poll(() => apiKeyField(popup).inputValue()).toMatch(/^ragflow-/);
    expect(await apiKeyField(popup).inputValue()).toBe(server.apiKeys(BOB.email)[0]);
    expect(server.count('login')).toBe(0);
  });

  it('leads with the session where password sign-in is off, and says why there is no password field', async () => {
    // v0.25.0 says so in its detection answer: known before any sign-in.
    const server = await fake({ release: 'v0.25.0', passwordLoginEnabled: false, ssoChannels: GITHUB });
    await setUpServers(server);
    const host = new URL(server.url).host;

    const beforeSignIn = await openPopup();
    await expect.poll(() => beforeSignIn.getByText(`${host} has password sign-in switched off`).isVisible()).toBe(true);
    expect(await beforeSignIn.getByLabel('Password', { exact: true }).count()).toBe(0);
    expect(await beforeSignIn.getByText(`Open ${server.url} in a tab and sign in there`).isVisible()).toBe(true);
    expect(await beforeSignIn.getByTestId('sso-channels').textContent()).toBe(
      'People sign in to this server with GitHub.',
    );
    expect(await useSessionButton(beforeSignIn).count()).toBe(0);

    await openWebApp(server, server.signInWebApp(BOB.email));
    const popup = await openPopup();
    await expect.poll(() => useSessionButton(popup).isVisible()).toBe(true);
    expect(await popup.getByLabel('Password', { exact: true }).count()).toBe(0);
    // It comes first, right under the server it is about, above the account's fields.
    const buttonTop = (await useSessionButton(popup).boundingBox())?.y ?? Infinity;
    const emailFieldTop = (await popup.getByLabel('Email').boundingBox())?.y ?? -Infinity;
    expect(buttonTop).toBeLessThan(emailFieldTop);

    await useSessionButton(popup).click();
    await expect.poll(() => apiKeyField(popup).inputValue()).toMatch(/^ragflow-/);
    expect(await apiKeyField(popup).inputValue()).toBe(server.apiKeys(BOB.email)[0]);
    expect(server.count('login')).toBe(0);
  });

  it('learns that a RESTful server takes no passwords from the first refused one, and leads with the session', async () => {
    // Its config is a request of its own, not spent before a sign-in (docs/ragflow-releases.md).
    const server = await fake({ release: 'v0.26', passwordLoginEnabled: false, ssoChannels: GITHUB });
    await setUpServers(server);
    await openWebApp(server, server.signInWebApp(BOB.email));
    const host = new URL(server.url).host;

    const popup = await openPopup();
    await popup.getByLabel('Email').fill(BOB.email);
    await popup.getByLabel('Password', { exact: true }).fill('not the one RAGFlow made at the SSO sign-up');
    await popup.getByRole('button', { name: 'Get API key' }).click();
    await expect.poll(() => popup.getByText(`${host} has password sign-in switched off`).isVisible()).toBe(true);
    expect(await popup.getByRole('alert').textContent()).toContain('This server has password sign-in turned off.');
    expect(await popup.getByLabel('Password', { exact: true }).count()).toBe(0);
    await expect
      .poll(() => popup.getByTestId('sso-channels').textContent())
      .toBe('People sign in to this server with GitHub.');

    // Remembered: the next popup leads with the session at once, asking the server nothing.
    server.resetCounts();
    const again = await openPopup();
    await expect.poll(() => useSessionButton(again).isVisible()).toBe(true);
    expect(await again.getByLabel('Password', { exact: true }).count()).toBe(0);
    expect(server.count()).toBe(0);
  });

  it('takes over with the open web app’s session when the Go server ended the extension’s after 24 hours', async () => {
    const server = await fake({ release: 'go' });
    await setUpServers(server);
    const popup = await openPopup();
    await popup.getByLabel('Email').fill(BOB.email);
    await popup.getByLabel('Password', { exact: true }).fill(BOB.password);
    await popup.getByRole('button', { name: 'Get API key' }).click();
    await expect.poll(() => apiKeyField(popup).inputValue()).toMatch(/^ragflow-/);
    const [key] = server.apiKeys(BOB.email);

    // A day later: the Go server ended that session; the user has signed in to its web app since.
    server.expireSession(BOB.email);
    await openWebApp(server, server.signInWebApp(BOB.email));
    server.resetCounts();
    const later = await openPopup();
    await expect.poll(() => apiKeyField(later).inputValue()).toBe(key);
    await later.getByRole('button', { name: 'Manage keys' }).click();

    // No password asked, no login: the web app's session got the key list back.
    await expect.poll(() => later.getByRole('button', { name: 'Manage keys' }).isVisible()).toBe(true);
    await later.getByRole('button', { name: 'Manage keys' }).click();
    await expect.poll(() => later.getByRole('list', { name: 'API keys of this account' }).isVisible()).toBe(true);
    expect(await apiKeyField(later).inputValue()).toBe(key);
    expect(server.count('login')).toBe(0);
    expect(server.count('me')).toBe(1);
  });

  it('says once, before the first password sign-in on a server, that it signs the web app out', async () => {
    const server = await fake({ generation: 'restful' });
    await setUpServers(server);
    const signsOut = 'Signing in here with a password signs you out of the RAGFlow web app in this browser.';
    const recommended = 'To stay signed in there, use your RAGFlow session instead.';

    const noWebApp = await openPopup();
    const warning = (page: Page) => page.getByTestId('web-session-warning');
    await expect.poll(() => warning(noWebApp).textContent()).toBe(signsOut);

    const webToken = server.signInWebApp(BOB.email);
    await openWebApp(server, webToken);
    const popup = await openPopup();
    await expect.poll(() => warning(popup).textContent()).toBe(`${signsOut} ${recommended}`);

    // Signing in with the password anyway does what was said: the web app's token is dead.
    await popup.getByLabel('Email').fill(BOB.email);
    await popup.getByLabel('Password', { exact: true }).fill(BOB.password);
    await popup.getByRole('button', { name: 'Get API key' }).click();
    await expect.poll(() => apiKeyField(popup).inputValue()).toMatch(/^ragflow-/);
    expect(await apiKeyField(popup).inputValue()).toBe(server.apiKeys(BOB.email)[0]);
    expect(server.count('login')).toBe(1);
    expect((await whoAmI(server, webToken)).status).toBe(401);

    // Said once: not after signing out, nor in a popup opened later.
    await popup.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => useSessionButton(popup).isVisible()).toBe(true);
    expect(await warning(popup).count()).toBe(0);
    const later = await openPopup();
    await expect.poll(() => useSessionButton(later).isVisible()).toBe(true);
    expect(await warning(later).count()).toBe(0);
  });
});
