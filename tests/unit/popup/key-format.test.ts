import { afterEach, describe, expect, it, vi } from 'vitest';

import { dateFormatters, describeKey } from '@/lib/popup/key-format';
import { maskKey } from '@/lib/popup/key-mask';

const NOW = Date.UTC(2025, 4, 10, 12, 0, 0);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('maskKey', () => {
  it('keeps the ragflow- prefix, and the first and last 4 characters: keys told apart at a glance', () => {
    expect(maskKey('ragflow-Q2xhdWRlIHdhcyBoZXJlIGFuZCB0ZXN0ZWQgdGhpcyBrZXk')).toBe('ragflow-Q2xh…rZXk');
  });

  it('shows only the last 4 of a short key, whose first 4 would give away too much', () => {
    expect(maskKey('ragflow-abcdefgh')).toBe('ragflow-…efgh');
    expect(maskKey('sk-1234567')).toBe('…4567');
  });

  it('shows the first and last 4 of a long key of another shape', () => {
    expect(maskKey('sk-1234567890')).toBe('sk-1…7890');
  });
});

describe('dates', () => {
  const english = dateFormatters('en-US');
  const chinese = dateFormatters('zh-CN');

  it.each([
    [0, 'now', '现在'],
    [30_000, 'now', '现在'],
    [5 * MINUTE, '5 minutes ago', '5分钟前'],
    [3 * 60 * MINUTE, '3 hours ago', '3小时前'],
    [DAY, 'yesterday', '昨天'],
    [3 * DAY, '3 days ago', '3天前'],
    [14 * DAY, '2 weeks ago', '2周前'],
    [90 * DAY, '3 months ago', '3个月前'],
    [800 * DAY, '2 years ago', '2年前'],
  ])('says %i ms ago in the UI language', (ago, inEnglish, inChinese) => {
    expect(english.relative(NOW - ago, NOW)).toBe(inEnglish);
    expect(chinese.relative(NOW - ago, NOW)).toBe(inChinese);
  });

  it('says "now" for a key from a server whose clock runs ahead', () => {
    expect(english.relative(NOW + 2 * MINUTE, NOW)).toBe('now');
  });

  it('marks a key of the last minute as recent, said "just now" rather than Intl\'s Chinese "现在"', () => {
    const formatters = dateFormatters('zh-CN');
    expect(describeKey({ token: 'ragflow-abcdefgh', createdAt: NOW - 59_000 }, NOW, formatters).recent).toBe(true);
    expect(describeKey({ token: 'ragflow-abcdefgh', createdAt: NOW - MINUTE }, NOW, formatters).recent).toBe(false);
    // A server clock ahead of this one: still just made.
    expect(describeKey({ token: 'ragflow-abcdefgh', createdAt: NOW + MINUTE }, NOW, formatters).recent).toBe(true);
  });

  it('gives the absolute date and time for the tooltip', () => {
    const at = new Date(2025, 4, 10, 9, 5).getTime();
    // Some ICU releases put a narrow no-break space before AM: the words matter, not the space.
    expect(english.absolute(at).replace(/\s/g, ' ')).toBe('May 10, 2025, 9:05 AM');
    expect(chinese.absolute(at)).toBe('2025年5月10日 09:05');
  });
});

describe('the formatters of a list', () => {
  afterEach(() => vi.restoreAllMocks());

  it('make no Intl formatter until a date is shown, and each one once', () => {
    const { RelativeTimeFormat, DateTimeFormat } = Intl;
    const relative = vi.spyOn(Intl, 'RelativeTimeFormat').mockImplementation(function (this: unknown, ...args) {
      return new RelativeTimeFormat(...args);
    });
    const absolute = vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(function (this: unknown, ...args) {
      return new DateTimeFormat(...args);
    });
    const formatters = dateFormatters('en-US');
    expect(describeKey({ token: 'ragflow-abcdefgh', createdAt: 0 }, NOW, formatters).age).toBe('');
    expect(relative).not.toHaveBeenCalled();
    expect(absolute).not.toHaveBeenCalled();

    for (const days of [1, 2, 3])
      describeKey({ token: 'ragflow-abcdefgh', createdAt: NOW - days * DAY }, NOW, formatters);
    expect(relative).toHaveBeenCalledTimes(1);
    expect(absolute).toHaveBeenCalledTimes(1);
  });
});

describe('describeKey', () => {
  it('formats a row once: masked, relative, absolute, ISO', () => {
    const formatters = dateFormatters('en-US');
    const createdAt = NOW - 2 * DAY;
    expect(describeKey({ token: 'ragflow-abcdefgh', createdAt }, NOW, formatters)).toEqual({
      token: 'ragflow-abcdefgh',
      masked: 'ragflow-…efgh',
      age: '2 days ago',
      recent: false,
      date: formatters.absolute(createdAt),
      isoDate: '2025-05-08T12:00:00.000Z',
      places: [],
      embed: false,
    });
  });

  it('marks the embed token of a chat or agent', () => {
    const row = describeKey({ token: 'ragflow-abcdefgh', createdAt: NOW, embed: true }, NOW, dateFormatters('en'));
    expect(row.embed).toBe(true);
  });

  it('leaves the date out when the server gave none', () => {
    expect(describeKey({ token: 'ragflow-abcdefgh', createdAt: 0 }, NOW, dateFormatters('en'))).toMatchObject({
      age: '',
      date: '',
      isoDate: '',
      places: [],
    });
  });
});
