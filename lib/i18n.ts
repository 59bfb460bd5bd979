import { extensionApi as browser } from './extension-api';

/** Translates a message key of `public/_locales`; `$1`, `$2`… take the substitutions in order. */
export type Translate = (key: string, substitutions?: string[]) => string;

/**
 * The one way the UI gets its text. A key missing from the locale files would otherwise render
 * as an empty string, so it falls back to the generic "something went wrong" sentence.
 */
export const t: Translate = (key, substitutions) =>
  browser.i18n.getMessage(key as MessageKey, substitutions) || browser.i18n.getMessage('errorUnexpected');

/**
 * The keys WXT generated from `messages.json`. Error keys arrive as plain strings over the
 * message bus, so `t` takes any string and relies on the fallback above for an unknown one.
 */
type MessageKey = Parameters<typeof browser.i18n.getMessage>[0];

/** Sets `<html lang>` and the page title in the browser's UI language (screen readers use both). */
export function localizeDocument(title: string): void {
  document.documentElement.lang = browser.i18n.getUILanguage();
  document.title = title;
}

/** A clipboard delay as the options page and popup say it: "10 s", "1 min". */
export function durationText(seconds: number): string {
  return seconds < 60 ? t('durationSeconds', [String(seconds)]) : t('durationMinutes', [String(seconds / 60)]);
}

/** The browser's UI language, named in that language, with its tag: "American English (en-US)". */
export function uiLanguageName(): string {
  const tag = browser.i18n.getUILanguage();
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag);
  } catch {
    // An engine without Intl.DisplayNames, or a tag it does not know: the tag says it.
  }
  return name && name !== tag ? `${name} (${tag})` : tag;
}
