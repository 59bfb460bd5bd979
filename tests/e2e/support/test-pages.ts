import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';

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

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
};

/**
 * A local server of files, on the test pages' host name: `fileOf` maps a request's path to the
 * file it serves (undefined: 404). Answers are never cached, so that a rebuilt page is served.
 */
export async function serveFiles(
  fileOf: (path: string) => string | undefined,
): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer(async (request, response) => {
    const file = fileOf(new URL(request.url ?? '/', 'http://localhost').pathname);
    try {
      if (!file) throw new Error('not found');
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
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
    origin: `http://${PAGES_HOST}:${port}`,
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}

export async function startTestPages(): Promise<TestPages> {
  const files = await serveFiles(
    (path) => VENDOR[path] ?? (/^\/[\w-]+\.html$/.test(path) ? join(PAGES_DIR, path) : undefined),
  );
  return { url: (name) => `${files.origin}/${name}`, close: files.close };
}
