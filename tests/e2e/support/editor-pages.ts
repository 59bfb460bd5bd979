/**
 * The editor pages of tests/e2e/editors, built from npm during the test run and served on the
 * test pages' host name (see test-pages.ts), which the extension may script only on the grant of
 * a click or keypress.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';

import { BUILT_DIR, buildEditorPages, type EditorPage } from '../editors/build';
import { PAGES_HOST } from './test-pages';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
};

export interface EditorPages {
  /** `http://pages.test:PORT/editors/<page>.html?<query>` */
  url(page: EditorPage, query?: string): string;
  close(): Promise<void>;
}

export async function startEditorPages(): Promise<EditorPages> {
  await buildEditorPages();
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const name = /^\/editors\/([\w.-]+)$/.exec(path)?.[1];
    try {
      if (!name || name.startsWith('.')) throw new Error('not found');
      const body = await readFile(join(BUILT_DIR, name));
      response.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: (page, query) => `http://${PAGES_HOST}:${port}/editors/${page}.html${query ? `?${query}` : ''}`,
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}
