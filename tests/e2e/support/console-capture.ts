/**
 * Everything a Chromium prints while a test runs, for the leak audit: console calls and uncaught
 * errors of web pages, extension pages and service workers.
 *
 * Playwright reports console calls of pages and service workers, and uncaught errors of pages
 * only: a service worker's uncaught error or unhandled rejection reaches no Playwright event. Nor
 * does anything of a page Playwright did not open, like the popup the extension opens itself
 * (`action.openPopup`). So every target of an extension (`chrome-extension://`) is also watched
 * through the DevTools protocol: `Runtime.consoleAPICalled`, `Runtime.exceptionThrown` and
 * `Log.entryAdded`. Playwright opens DevTools sessions on pages only, so the targets are attached
 * from a page's session in the protocol's non-flat mode (`Target.sendMessageToTarget`). V8 keeps a
 * context's console messages and replays them on `Runtime.enable`, so attaching late, or again
 * from another page after the first one closed, loses nothing of a target still alive.
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

import type { ConsoleEntry } from './leak-audit';

export interface ConsoleCapture {
  entries(): ConsoleEntry[];
  stop(): Promise<void>;
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

const EXTENSION_SCHEME = 'chrome-extension://';

export async function captureConsole(context: BrowserContext): Promise<ConsoleCapture> {
  const entries: ConsoleEntry[] = [];
  let stopped = false;

  context.on('console', (message) => {
    const worker = message.worker();
    const source = worker ? `service worker ${worker.url()}` : `page ${message.page()?.url() ?? '(closed)'}`;
    entries.push({ kind: 'console call', source, text: message.text() });
  });
  context.on('weberror', (webError) => {
    const error = webError.error();
    const source = `page ${webError.page()?.url() ?? '(closed)'}`;
    entries.push({ kind: 'uncaught error', source, text: `${error.message}\n${error.stack}` });
  });

  let session: CDPSession | undefined;
  let sessionPage: Page | undefined;
  /** Target session id → what the entries say about its source. */
  const sources = new Map<string, string>();
  let attachedTargets = new Set<string>();
  let nextCommandId = 1;

  async function attach(cdp: CDPSession, target: TargetInfo): Promise<void> {
    if (!target.url.startsWith(EXTENSION_SCHEME) || attachedTargets.has(target.targetId)) return;
    attachedTargets.add(target.targetId);
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    sources.set(sessionId, `${target.type.replace('_', ' ')} ${target.url}`);
    for (const method of ['Runtime.enable', 'Log.enable']) {
      const message = JSON.stringify({ id: nextCommandId++, method });
      await cdp.send('Target.sendMessageToTarget', { sessionId, message });
    }
  }

  function record(sessionId: string, raw: string): void {
    const message = JSON.parse(raw) as { method?: string; params?: Record<string, unknown> };
    const source = sources.get(sessionId) ?? 'an extension target';
    switch (message.method) {
      case 'Runtime.consoleAPICalled':
        entries.push({ kind: 'console call', source, text: JSON.stringify(message.params?.args) });
        break;
      case 'Runtime.exceptionThrown':
        entries.push({ kind: 'uncaught error', source, text: JSON.stringify(message.params?.exceptionDetails) });
        break;
      case 'Log.entryAdded':
        entries.push({ kind: 'browser log entry', source, text: JSON.stringify(message.params?.entry) });
        break;
    }
  }

  /** Watches the extension targets from a session of `page`; again from another page if it closes. */
  async function watchFrom(page: Page): Promise<void> {
    const cdp = await context.newCDPSession(page);
    session = cdp;
    sessionPage = page;
    attachedTargets = new Set();
    const attachQuietly = (target: TargetInfo) =>
      attach(cdp, target).catch(() => {
        // The target went away before it could be attached: nothing of it is left to read.
      });
    cdp.on('Target.receivedMessageFromTarget', (event) => record(event.sessionId, event.message));
    cdp.on('Target.targetCreated', (event) => void attachQuietly(event.targetInfo));
    // A tab opened blank and then sent to an extension page.
    cdp.on('Target.targetInfoChanged', (event) => void attachQuietly(event.targetInfo));
    // Reports every target already there as created, then each new one.
    await cdp.send('Target.setDiscoverTargets', { discover: true });
    page.once('close', () => {
      if (stopped || session !== cdp) return;
      session = undefined;
      const next = context.pages().find((candidate) => !candidate.isClosed());
      if (next) void watchFrom(next).catch(() => undefined);
      else context.once('page', (opened) => void watchFrom(opened).catch(() => undefined));
    });
  }

  await watchFrom(context.pages()[0] ?? (await context.newPage()));

  return {
    entries: () => [...entries],
    async stop() {
      stopped = true;
      if (session && sessionPage && !sessionPage.isClosed()) await session.detach().catch(() => undefined);
    },
  };
}
