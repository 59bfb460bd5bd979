/**
 * Firefox's own context menu, opened and chosen from as a user does: a real right-click and real
 * keys through xdotool (X events, as from a mouse and a keyboard), in a headful Firefox under
 * Xvfb. The menu is part of the browser window, not of any page, so a page cannot see it; what it
 * shows is read from the browser window's document, which WebDriver BiDi reaches with
 * `moz:scope: "chrome"` when Firefox runs with -remote-allow-system-access.
 * https://firefox-source-docs.mozilla.org/remote/webdriver-bidi/Extensions.html
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import type { Page } from 'puppeteer-core';
import { expect, vi } from 'vitest';

import { bidiSession } from './firefox';

const run = promisify(execFile);

/** A visible entry of the menu, in the order shown. */
export interface ContextMenuEntry {
  /** `menuitem`, or `menu` for a submenu. */
  kind: string;
  label: string;
  /** Whether the entry is one of the add-on's (Firefox gives those an id made of the add-on's). */
  fromAddon: boolean;
  /** A submenu's visible items, by label; none for an item. */
  items: string[];
}

interface ContextMenuState {
  state: string;
  entries: ContextMenuEntry[];
}

/** Runs `expression` in the browser window's own document and answers its JSON result. */
async function evaluateInBrowserWindow<T>(page: Page, expression: string): Promise<T> {
  const session = bidiSession(page);
  const { result: tree } = await session.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const window = (tree as { contexts: { context: string; url: string }[] }).contexts.find(
    (context) => context.url === 'chrome://browser/content/browser.xhtml',
  );
  if (!window) throw new Error('No browser window among the chrome contexts');
  const { result } = await session.send('script.evaluate', {
    expression: `JSON.stringify((() => { ${expression} })())`,
    target: { context: window.context },
    awaitPromise: false,
  });
  const evaluation = result as { type: string; result?: { value?: string }; exceptionDetails?: { text?: string } };
  if (evaluation.type !== 'success') throw new Error(`Evaluation failed: ${evaluation.exceptionDetails?.text}`);
  return JSON.parse(evaluation.result?.value ?? 'null') as T;
}

/**
 * The page's context menu (`#contentAreaContextMenu`): whether it is open, and its visible
 * entries. Items Firefox hides for this context stay in the document with `hidden` set.
 */
function readContextMenu(page: Page, addonId: string): Promise<ContextMenuState> {
  // Firefox names an add-on's items after its widget id: the add-on id in lower case with every
  // other character than a letter, digit, - or _ turned into _ (makeWidgetId of ExtensionCommon).
  const widgetId = addonId.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  return evaluateInBrowserWindow(
    page,
    `const visible = (popup) => [...(popup?.children ?? [])].filter(
       (entry) => !entry.hidden && (entry.localName === 'menuitem' || entry.localName === 'menu'),
     );
     const menu = document.getElementById('contentAreaContextMenu');
     const entries = visible(menu).map((entry) => ({
       kind: entry.localName,
       label: entry.label,
       fromAddon: entry.id.startsWith(${JSON.stringify(`${widgetId}-`)}),
       items: visible(entry.menupopup).map((item) => item.label),
     }));
     return { state: menu.state, entries };`,
  );
}

async function pageToScreen(page: Page, selector: string): Promise<{ x: number; y: number }> {
  return page.$eval(selector, (element) => {
    const box = element.getBoundingClientRect();
    // Firefox-only: where the page's viewport sits on the screen, in CSS pixels.
    const { mozInnerScreenX, mozInnerScreenY } = window as unknown as Record<string, number>;
    const scale = window.devicePixelRatio;
    return {
      x: Math.round((mozInnerScreenX! + box.left + Math.min(10, box.width / 2)) * scale),
      y: Math.round((mozInnerScreenY! + box.top + box.height / 2) * scale),
    };
  });
}

/**
 * Right-clicks the element for real and waits for the context menu to open. Answers its visible
 * entries, in order; the menu stays open for {@link chooseWithKeys}.
 */
export async function openContextMenu(page: Page, selector: string, addonId: string): Promise<ContextMenuEntry[]> {
  await page.bringToFront();
  const { x, y } = await pageToScreen(page, selector);
  await run('xdotool', ['mousemove', String(x), String(y), 'click', '3']);
  // vi.waitFor rather than expect.poll: this also runs in hooks, where expect.poll may not.
  const menu = await vi.waitFor(
    async () => {
      const current = await readContextMenu(page, addonId);
      expect(current.state, 'the context menu did not open').toBe('open');
      return current;
    },
    { timeout: 5000, interval: 50 },
  );
  return menu.entries;
}

/** Presses keys in the open menu, e.g. `Up Return`, and waits for the menu to close. */
export async function chooseWithKeys(page: Page, addonId: string, keys: string[]): Promise<void> {
  await run('xdotool', ['key', '--delay', '40', ...keys]);
  await vi.waitFor(
    async () => expect((await readContextMenu(page, addonId)).state, 'the context menu did not close').toBe('closed'),
    { timeout: 5000, interval: 50 },
  );
}

/** Closes the open menu without choosing anything. */
export function closeContextMenu(page: Page, addonId: string): Promise<void> {
  return chooseWithKeys(page, addonId, ['Escape']);
}
