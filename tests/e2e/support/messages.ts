import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

type Messages = Record<string, { message: string }>;

const load = (locale: string) =>
  JSON.parse(readFileSync(resolve(`public/_locales/${locale}/messages.json`), 'utf8')) as Messages;

const english = load('en');
const chinese = load('zh_CN');

function filled(messages: Messages, language: string, key: string, substitutions: string[]): string {
  const message = messages[key]?.message;
  if (message === undefined) throw new Error(`No ${language} message ${key}`);
  return message.replace(/\$(\d)/g, (_match, index: string) => substitutions[Number(index) - 1] ?? '');
}

/** A message key's English text, with `$1`, `$2`… filled in, as the extension shows it. */
export function englishMessage(key: string, substitutions: string[] = []): string {
  return filled(english, 'English', key, substitutions);
}

/** The same in Simplified Chinese. */
export function chineseMessage(key: string, substitutions: string[] = []): string {
  return filled(chinese, 'Simplified Chinese', key, substitutions);
}
