/**
 * Real input for what only the browser's own UI does: its context menu, the extension's keyboard
 * shortcut and its permission prompt. Playwright's right-click opens Chromium's native menu in a
 * headful browser, but Playwright cannot see or drive that menu or prompt (they are not part of
 * any page), and a key pressed through Playwright reaches the page, not the browser's shortcut
 * handling. xdotool sends X key events, as a keyboard would.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import type { Locator, Page } from 'playwright-core';
import { expect, vi } from 'vitest';

const run = promisify(execFile);

/** Presses keys with xdotool, e.g. `alt+shift+k`, `Up`, `Return`. */
export async function pressKeys(...keys: string[]): Promise<void> {
  await run('xdotool', ['key', '--delay', '40', ...keys]);
}

/** The X windows on screen: Chromium's context menu is a window of its own. */
async function visibleWindows(): Promise<Set<string>> {
  try {
    const { stdout } = await run('xdotool', ['search', '--onlyvisible', '--name', '']);
    return new Set(stdout.split('\n').filter(Boolean));
  } catch (error) {
    // xdotool exits with 1 when no window matches.
    if ((error as { code?: unknown }).code === 1) return new Set();
    throw error;
  }
}

/**
 * Does `open` (which makes the browser show a window of its own: a menu, a prompt), waits for
 * that window to show, presses `keys` after `settleMs`, and waits for it to close.
 */
async function answerNativeWindow(
  open: () => Promise<unknown>,
  keys: string[],
  what: string,
  settleMs = 0,
): Promise<void> {
  const before = await visibleWindows();
  await open();
  const newWindows = async () => [...(await visibleWindows())].filter((id) => !before.has(id));
  // vi.waitFor rather than expect.poll: this also runs in hooks, where expect.poll may not.
  const opened = await vi.waitFor(
    async () => {
      const windows = await newWindows();
      expect(windows, `the ${what} did not open`).not.toEqual([]);
      return windows;
    },
    { timeout: 5000, interval: 50 },
  );
  if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
  await pressKeys(...keys);
  // Only the windows that opened: the extension may open its popup right after.
  const stillOpen = async () => [...(await visibleWindows())].filter((id) => opened.includes(id));
  await vi.waitFor(async () => expect(await stillOpen(), `the ${what} did not close`).toEqual([]), {
    timeout: 5000,
    interval: 50,
  });
}

/**
 * Right-clicks `target` and picks a context-menu item with the keyboard, e.g. `Up Up Return`:
 * Chromium lists the extension's items just above "Inspect". Waits for the menu to show before
 * pressing keys, and for it to close after.
 */
export function chooseFromContextMenu(
  target: Locator,
  keys: string[],
  options: { position?: { x: number; y: number } } = {},
): Promise<void> {
  return answerNativeWindow(() => target.click({ button: 'right', position: options.position }), keys, 'context menu');
}

/** The keys that choose the one "Paste RAGFlow key" item (one server known). */
export const PASTE_ITEM = ['Up', 'Up', 'Return'];

/** The keys that choose the n-th server (from 0) under "Paste RAGFlow key" (several known). */
export function pasteSubmenuItem(index: number): string[] {
  return ['Up', 'Up', 'Right', ...Array<string>(index).fill('Down'), 'Return'];
}

/** Whether the page holds the keyboard focus for real (see {@link answerChromiumPermissionPrompt}). */
const pageHasFocus = (page: Page) => page.evaluate(() => document.hasFocus());

/**
 * How long a permission prompt ignores the keyboard after it opens, against clickjacking.
 * Chromium keeps Allow disabled (so Tab cannot reach it) for 500 ms, `g_install_delay_in_ms` in
 * chrome/browser/ui/views/extensions/extension_install_dialog_view.cc, and its buttons disregard
 * a key press within the double-click interval (ui/views/input_event_activation_protector.cc).
 * Firefox ignores its prompt's buttons for `security.notification_enable_delay`, 500 ms by
 * default (Puppeteer's profile sets 0). Neither shows outside the browser, so this waits them out
 * twice over, as a person reading the prompt would.
 */
const PROMPT_INPUT_DELAY_MS = 1000;

/**
 * Does `gesture` (a click that calls `permissions.request`), then answers the browser's own
 * "has requested additional permissions" prompt from the keyboard, as a user would: the prompt
 * opens with Deny focused, so Return denies, and Tab (to Allow), Return allows.
 *
 * The prompt is drawn inside the browser window, which holds the X keyboard focus already: it is
 * no window of its own (`xdotool search` cannot find it), and no window manager is needed to
 * reach it. Keys pressed before it opens would land in the page, so this waits for it to take
 * the focus: the page's `document.hasFocus()` turns false. Playwright fakes focus for every page
 * (Emulation.setFocusEmulationEnabled), so that is switched off for this page, for as long as
 * the CDP session that switched it off lives (it ends with the page).
 */
export async function answerChromiumPermissionPrompt(
  page: Page,
  gesture: () => Promise<void>,
  answer: 'allow' | 'deny',
): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  // The prompt belongs to the page's tab and shows only while that tab is the active one.
  await page.bringToFront();
  const focusIs = (expected: boolean, message: string) =>
    vi.waitFor(async () => expect(await pageHasFocus(page), message).toBe(expected), { timeout: 5000, interval: 50 });
  await focusIs(true, 'the browser window has no keyboard focus');
  await gesture();
  await focusIs(false, 'no permission prompt took the keyboard focus');
  await new Promise((resolve) => setTimeout(resolve, PROMPT_INPUT_DELAY_MS));
  await pressKeys(...(answer === 'allow' ? ['Tab', 'Return'] : ['Return']));
  await focusIs(true, 'the permission prompt did not close');
}

/**
 * Does `gesture` (a click that calls `permissions.request`), then answers Firefox's own
 * "requests additional settings" prompt with its access keys, as a user would: Alt+A allows,
 * Alt+D denies (the underlined letters of Allow and Deny, in English). Unlike Chromium's, the
 * prompt is a window of its own (a doorhanger panel), so this waits for it to show and to close.
 */
export function answerFirefoxPermissionPrompt(
  gesture: () => Promise<unknown>,
  answer: 'allow' | 'deny',
): Promise<void> {
  return answerNativeWindow(
    gesture,
    [answer === 'allow' ? 'alt+a' : 'alt+d'],
    'permission prompt',
    PROMPT_INPUT_DELAY_MS,
  );
}
