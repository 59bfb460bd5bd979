import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const english = JSON.parse(readFileSync(resolve('public/_locales/en/messages.json'), 'utf8')) as Record<
  string,
  { message: string }
>;

/** A message key's English text, with `$1`, `$2`… filled in, as the extension shows it. */
export function englishMessage(key: string, substitutions: string[] = []): string {
  const message = english[key]?.message;
  if (message === undefined) throw new Error(`No English message ${key}`);
  return message.replace(/\$(\d)/g, (_match, index: string) => substitutions[Number(index) - 1] ?? '');
}
