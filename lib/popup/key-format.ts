/**
 * How the key list shows a key: masked, and its age in words with the date on hover. Plain
 * functions, and formatters made once per list: a list of hundreds of keys formats each once.
 */

import { maskKey } from './key-mask';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

export interface DateFormatters {
  /** "3 days ago", "yesterday", "now", in the UI language. */
  relative(createdAt: number, now: number): string;
  /** The date and time, for the tooltip. */
  absolute(createdAt: number): string;
}

/**
 * The formatters of one list. Each `Intl` formatter is made on its first use, when the key list
 * first shows a date: the first one in a fresh page costs tens of milliseconds, which a popup
 * that only shows the key must not pay.
 */
export function dateFormatters(language: string): DateFormatters {
  let relativeFormat: Intl.RelativeTimeFormat | undefined;
  let absoluteFormat: Intl.DateTimeFormat | undefined;
  const relative = (value: number, unit: Intl.RelativeTimeFormatUnit) => {
    relativeFormat ??= new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
    return relativeFormat.format(value, unit);
  };
  return {
    relative(createdAt, now) {
      // A server clock ahead of this one would make a new key "in 2 minutes": it is "now".
      const seconds = Math.min(0, Math.round((createdAt - now) / 1000));
      for (const [unit, size] of UNITS) {
        if (Math.abs(seconds) >= size) return relative(Math.trunc(seconds / size), unit);
      }
      return relative(0, 'second');
    },
    absolute(createdAt) {
      absoluteFormat ??= new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
      return absoluteFormat.format(createdAt);
    },
  };
}

/** One row of the key list, formatted once. */
export interface KeyRowData {
  token: string;
  masked: string;
  /** Empty when the server gave no creation time. */
  age: string;
  /** Made less than a minute ago: said as "just now" (Intl's Chinese "现在" reads as "now, at present"). */
  recent: boolean;
  date: string;
  /** ISO 8601, for `<time datetime>`; empty like `age`. */
  isoDate: string;
  /** The user's own name for the key. */
  name?: string;
  /** Where it was pasted, newest first: the host, and when in words and as a date. */
  places: PlaceRowData[];
  /** RAGFlow made it for an embedded chat or agent (see ApiKey.embed). */
  embed: boolean;
}

export interface PlaceRowData {
  /** The origin's host (and port): `n8n.example.com`. */
  host: string;
  age: string;
  date: string;
}

export function describeKey(
  key: {
    token: string;
    createdAt: number;
    name?: string;
    places?: readonly { origin: string; at: number }[];
    embed?: boolean;
  },
  now: number,
  formatters: DateFormatters,
): KeyRowData {
  const known = key.createdAt > 0;
  return {
    token: key.token,
    masked: maskKey(key.token),
    age: known ? formatters.relative(key.createdAt, now) : '',
    recent: known && now - key.createdAt < 60_000,
    date: known ? formatters.absolute(key.createdAt) : '',
    isoDate: known ? new Date(key.createdAt).toISOString() : '',
    ...(key.name && { name: key.name }),
    places: (key.places ?? []).map((place) => ({
      host: new URL(place.origin).host,
      age: formatters.relative(place.at, now),
      date: formatters.absolute(place.at),
    })),
    embed: key.embed === true,
  };
}

/** The hosts of a key's places, for the sentences that list where to update it. */
export function placeHosts(row: Pick<KeyRowData, 'places'>): string {
  return row.places.map((place) => place.host).join(', ');
}
