/**
 * The editor pages of tests/e2e/editors, built from npm during the test run and served on the
 * test pages' host name (see test-pages.ts), which the extension may script only on the grant of
 * a click or keypress.
 */
import { join } from 'node:path';

import { BUILT_DIR, buildEditorPages, type EditorPage } from '../editors/build';
import { serveFiles } from './test-pages';

export interface EditorPages {
  /** `http://pages.test:PORT/editors/<page>.html?<query>` */
  url(page: EditorPage, query?: string): string;
  close(): Promise<void>;
}

export async function startEditorPages(): Promise<EditorPages> {
  await buildEditorPages();
  const files = await serveFiles((path) => {
    const name = /^\/editors\/([\w.-]+)$/.exec(path)?.[1];
    return name && !name.startsWith('.') ? join(BUILT_DIR, name) : undefined;
  });
  return {
    url: (page, query) => `${files.origin}/editors/${page}.html${query ? `?${query}` : ''}`,
    close: files.close,
  };
}
