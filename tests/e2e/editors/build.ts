/**
 * Builds the editor pages from the libraries pinned in package.json, during the test run, into
 * a folder git ignores: one esbuild call for every page, so the suite builds once.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { build, type Plugin } from 'esbuild';

export const EDITORS_DIR = resolve('tests/e2e/editors');
export const BUILT_DIR = join(EDITORS_DIR, '.built');

/** The pages: each is `<name>.html`, running `<name>.ts` of this folder. */
export const EDITOR_PAGES = [
  'react',
  'react-hook-form',
  'vue',
  'svelte',
  'codemirror',
  'tiptap',
  'lexical',
  'quill',
  'monaco',
  'edit-context',
] as const;
export type EditorPage = (typeof EDITOR_PAGES)[number];

/** Svelte components, compiled by Svelte's own compiler as its bundler plugins do. */
const svelte: Plugin = {
  name: 'svelte',
  setup(builder) {
    builder.onLoad({ filter: /\.svelte$/ }, async ({ path }) => {
      const { compile } = await import('svelte/compiler');
      const { js } = compile(await readFile(path, 'utf8'), { filename: path, generate: 'client' });
      return { contents: js.code, loader: 'js', resolveDir: EDITORS_DIR };
    });
  },
};

function html(name: string): string {
  // Monaco sizes itself to its container, which therefore has a size of its own.
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${name}</title><link rel="stylesheet" href="/editors/${name}.css"></head>
<body>
<div id="editor" style="width: 600px; height: 200px; border: 1px solid #888"></div>
<script type="module" src="/editors/${name}.js"></script>
</body>
</html>
`;
}

export async function buildEditorPages(): Promise<void> {
  await rm(BUILT_DIR, { recursive: true, force: true });
  await mkdir(BUILT_DIR, { recursive: true });
  await build({
    entryPoints: [...EDITOR_PAGES, 'monaco.worker'].map((name) => ({ in: join(EDITORS_DIR, `${name}.ts`), out: name })),
    outdir: BUILT_DIR,
    bundle: true,
    format: 'esm',
    splitting: false,
    target: 'chrome120',
    // Production builds of React and Vue: what sites ship, and without their development warnings.
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'false',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    conditions: ['svelte', 'browser'],
    loader: { '.ttf': 'file' },
    plugins: [svelte],
    logLevel: 'error',
  });
  // Pages without CSS of their own still link one: an empty file spares the 404.
  await Promise.all(
    EDITOR_PAGES.map(async (name) => {
      await writeFile(join(BUILT_DIR, `${name}.html`), html(name));
      await writeFile(join(BUILT_DIR, `${name}.css`), '', { flag: 'a' });
    }),
  );
}
