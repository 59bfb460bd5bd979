import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Files (relative to the build folder) an HTML entrypoint loads: its scripts, styles and
 * the chunks they import. */
export function filesOfPage(buildDir: string, html: string): string[] {
  const text = readFileSync(join(buildDir, html), 'utf8');
  const files = new Set([...text.matchAll(/(?:src|href)="\/?([^"]+\.(?:js|css))"/g)].map((match) => match[1]!));
  for (const file of [...files].filter((name) => name.endsWith('.js'))) {
    const code = readFileSync(join(buildDir, file), 'utf8');
    for (const match of code.matchAll(/from\s*["']\.\/([^"']+\.js)["']/g)) {
      const imported = join('chunks', match[1]!);
      if (existsSync(join(buildDir, imported))) files.add(imported);
    }
  }
  return [...files];
}

export function gzippedBytes(buildDir: string, files: string[]): number {
  return files.reduce((sum, file) => sum + gzipSync(readFileSync(join(buildDir, file)), { level: 9 }).length, 0);
}
