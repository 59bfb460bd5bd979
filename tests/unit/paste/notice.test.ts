import { readFileSync } from 'node:fs';

import { beforeEach, describe, expect, it } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { NOTICE_FRESH_MS, noticeForTab, pasteNoticeItem } from '@/lib/handoff/paste-notice';
import { createNoticeBoard, noticeMessage, PASTE_NOTICE_KINDS } from '@/lib/paste/notice';

const TAB = 7;
let now = 1_000_000;

const board = () =>
  createNoticeBoard({
    action: browser.action,
    translate: (key, substitutions = []) => `${key}(${substitutions.join(',')})`,
    defaultTitle: () => 'RAGFlow Keys',
    now: () => now,
  });

beforeEach(() => {
  fakeBrowser.reset();
  now = 1_000_000;
});

describe('noticeMessage', () => {
  it('names the server when no key is cached for it', () => {
    expect(noticeMessage('no-key', 'rag.example.com')).toEqual({
      messageKey: 'pasteNoticeNoKey',
      substitutions: ['rag.example.com'],
    });
    expect(noticeMessage('read-only')).toEqual({ messageKey: 'pasteNoticeReadOnly', substitutions: [] });
  });

  it('has a sentence in every locale for every kind, with the placeholders it fills', () => {
    for (const locale of ['en', 'zh_CN']) {
      const messages = JSON.parse(readFileSync(`public/_locales/${locale}/messages.json`, 'utf8')) as Record<
        string,
        { message: string }
      >;
      for (const kind of PASTE_NOTICE_KINDS) {
        const { messageKey, substitutions } = noticeMessage(kind, 'server');
        const text = messages[messageKey]?.message;
        expect(text, `${locale} ${messageKey}`).toBeTruthy();
        expect((text!.match(/\$\d/g) ?? []).length, `${locale} ${messageKey}`).toBe(substitutions.length);
      }
    }
  });
});

describe('the notice board', () => {
  it('puts a badge and the reason on the tab’s toolbar button, and keeps the notice for the popup', async () => {
    await board().show(TAB, noticeMessage('read-only'));
    expect(await browser.action.getBadgeText({ tabId: TAB })).toBe('!');
    expect(await browser.action.getTitle({ tabId: TAB })).toBe('pasteNoticeReadOnly()');
    expect(await browser.action.getBadgeText({ tabId: TAB + 1 })).toBe('');
    expect(await noticeForTab(TAB, now)).toEqual({ messageKey: 'pasteNoticeReadOnly', substitutions: [] });
  });

  it('shows the popup a notice of its own tab only, and only a fresh one', async () => {
    await board().show(TAB, noticeMessage('no-key', 'a.test'));
    expect(await noticeForTab(TAB + 1, now)).toBeNull();
    expect(await noticeForTab(undefined, now)).toBeNull();
    expect(await noticeForTab(TAB, now + NOTICE_FRESH_MS)).not.toBeNull();
    expect(await noticeForTab(TAB, now + NOTICE_FRESH_MS + 1)).toBeNull();
  });

  it('clears the tab’s notice after a paste that worked', async () => {
    await board().show(TAB, noticeMessage('no-field'));
    await board().clear(TAB);
    expect(await browser.action.getBadgeText({ tabId: TAB })).toBe('');
    expect(await browser.action.getTitle({ tabId: TAB })).toBe('RAGFlow Keys');
    expect(await pasteNoticeItem.getValue()).toBeNull();
  });

  it('leaves the notice of another tab in place', async () => {
    await board().show(TAB, noticeMessage('no-field'));
    await board().clear(TAB + 1);
    expect(await noticeForTab(TAB, now)).not.toBeNull();
  });
});
