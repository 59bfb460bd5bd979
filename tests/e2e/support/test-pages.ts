import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

const PAGES_DIR = resolve('tests/e2e/pages');

/** Preact for the framework-controlled field, served from node_modules as ES modules. */
const VENDOR: Record<string, string> = {
  '/vendor/preact.module.js': resolve('node_modules/preact/dist/preact.module.js'),
  '/vendor/hooks.module.js': resolve('node_modules/preact/hooks/dist/hooks.module.js'),
};

/**
 * Two host names for the one local server, both mapped to 127.0.0.1 by Chromium's resolver rules
 * ({@link TEST_HOST_RESOLVER_RULES}). Neither is in the extension's host permissions, so a page
 * there is scriptable only through the `activeTab` grant of the click; and a frame from the second
 * is another site, which that grant does not cover.
 */
export const PAGES_HOST = 'pages.test';
export const OTHER_SITE_HOST = 'other.test';
export const TEST_HOST_RESOLVER_RULES = `--host-resolver-rules=MAP ${PAGES_HOST} 127.0.0.1, MAP ${OTHER_SITE_HOST} 127.0.0.1`;

export interface TestPages {
  /** `http://pages.test:PORT/<name>` */
  url(name: string): string;
  close(): Promise<void>;
}

export async function startTestPages(): Promise<TestPages> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = VENDOR[path] ?? (/^\/[\w-]+\.html$/.test(path) ? join(PAGES_DIR, path) : undefined);
    try {
      if (!file) throw new Error('not found');
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://${PAGES_HOST}:${port}/${name}`,
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}
