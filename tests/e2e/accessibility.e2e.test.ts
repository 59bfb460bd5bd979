import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type FakeRagflow, startFakeRagflow } from '../fake-ragflow';
import { seriousViolations } from './support/axe';
import { launchExtension, type LoadedExtension } from './support/extension';

const USER = { email: 'ada@example.com', password: 'ada-password-7' };
const LANGUAGES = [
  { uiLanguage: 'en-US', getKey: 'Get API key' },
  { uiLanguage: 'zh-CN', getKey: '获取 API 密钥' },
] as const;
const SCHEMES = ['light', 'dark'] as const;

/** Screenshots for the README are written to docs/ when asked, else next to the build. */
const SCREENSHOT_DIR = process.env.UPDATE_DOCS_SCREENSHOTS ? 'docs' : join('.output', 'screenshots');

describe.each(LANGUAGES)('accessibility in $uiLanguage', ({ uiLanguage, getKey }) => {
  let extension: LoadedExtension;
  let server: FakeRagflow;

  beforeAll(async () => {
    server = await startFakeRagflow({ generation: 'restful', users: [USER] });
    extension = await launchExtension({ uiLanguage });
    await extension.configureServers([
      { url: server.url, name: 'Local RAGFlow', email: USER.email, publicKeyPem: server.publicKeyPem },
    ]);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  afterAll(async () => {
    await extension?.close();
    await server?.close();
  });

  it.each(SCHEMES)('popup form and result, %s: no serious or critical violation', async (scheme) => {
    const page = await extension.openPopup();
    await page.emulateMedia({ colorScheme: scheme });
    // The language really is the one asked for: the button speaks it.
    await page.getByRole('button', { name: getKey }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.locator('input[type=password]').first().fill(USER.password);
    await page.getByRole('button', { name: getKey }).click();
    await page.getByTestId('api-key').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `popup-${uiLanguage}-${scheme}.png`) });

    // Back to the form for the next run.
    await extension.context.clearPermissions();
    const worker = await extension.worker();
    await worker.evaluate(async () => {
      type Session = { clear(): Promise<void> };
      await (globalThis as unknown as { chrome: { storage: { session: Session } } }).chrome.storage.session.clear();
    });
    await page.close();
  });

  it.each(SCHEMES)('options page, %s: no serious or critical violation', async (scheme) => {
    const page = await extension.openPage('options.html');
    await page.emulateMedia({ colorScheme: scheme });
    await page.getByText('Local RAGFlow').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});
