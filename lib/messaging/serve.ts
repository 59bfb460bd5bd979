/**
 * The background's side of the message bus: it answers the pages' requests and tells them about
 * progress. The background's `wxt/browser` is the browser's own API (wxt.config.ts): an answer
 * goes through `sendResponse`, the one way both browsers take it natively.
 */
import { browser, type Browser } from 'wxt/browser';

import { AppError } from '../errors';
import { normalizeServerUrl } from '../ragflow/server-url';
import { isRecord } from '../shared/is-record';
import { toErrorData } from './errors';
import type { Envelope, EventMap, EventMessage, EventName, RequestMessage } from './protocol';

type Sender = Browser.runtime.MessageSender;

/**
 * Answers to requests by message name: the background's map (lib/background/handlers.ts), whose
 * type is the protocol. Here only names matter; the map's own type checks each handler.
 */
export type Handlers = Readonly<Record<string, (request: never, sender: Sender) => unknown>>;

/**
 * True only for this extension's own pages among `allowedPages` (paths such as `/popup.html`).
 * Content scripts, other extensions and web pages are refused, whatever they send.
 */
export function isOwnPage(sender: Sender, allowedPages: readonly string[]): boolean {
  if (sender.id !== browser.runtime.id || !sender.url) return false;
  const ownOrigin = new URL(browser.runtime.getURL('/')).origin;
  let url: URL;
  try {
    url = new URL(sender.url);
  } catch {
    return false;
  }
  return url.origin === ownOrigin && allowedPages.includes(url.pathname);
}

function isRequestMessage(message: unknown): message is RequestMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as RequestMessage).type === 'request' &&
    typeof (message as RequestMessage).name === 'string'
  );
}

/**
 * A message is an edge: a request's `serverUrl` is a ServerUrl in the protocol, and the services
 * trust it, so one that comes from a page is parsed here before any handler sees it. An address
 * that is none fails the request with the reason (`invalid-server-url`).
 */
function parsedRequest(request: unknown): unknown {
  if (!isRecord(request) || !Object.hasOwn(request, 'serverUrl')) return request;
  return { ...request, serverUrl: normalizeServerUrl(request.serverUrl) };
}

/**
 * Answers the protocol's requests in the background. Every answer is an {@link Envelope}, so a
 * failure reaches the sender as data. Returns a function that stops serving.
 */
export function serveMessages(handlers: Handlers, options: { allowedPages: readonly string[] }): () => void {
  const handle = async (message: RequestMessage, sender: Sender): Promise<Envelope<unknown>> => {
    try {
      if (!isOwnPage(sender, options.allowedPages)) throw new AppError('forbidden-sender');
      if (!Object.hasOwn(handlers, message.name)) throw new AppError('unknown-message');
      const handler = handlers[message.name]!;
      return { ok: true, value: await handler(parsedRequest(message.request) as never, sender) };
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  };
  const listener = (message: unknown, sender: Sender, sendResponse: (answer: Envelope<unknown>) => void) => {
    // Not a request of ours (an event, say): leave it to other listeners.
    if (!isRequestMessage(message)) return undefined;
    void handle(message, sender).then(sendResponse);
    // Keeps the channel open for the answer: Chrome's onMessage does not take a returned promise.
    return true;
  };
  browser.runtime.onMessage.addListener(listener);
  return () => browser.runtime.onMessage.removeListener(listener);
}

/** Tells open extension pages about something; nobody listening is fine. */
export function broadcast<K extends EventName>(name: K, payload: EventMap[K]): void {
  const message: EventMessage<K> = { type: 'event', name, payload };
  browser.runtime.sendMessage(message).catch(() => {
    // "Receiving end does not exist": no page is open. Events are best effort.
  });
}
