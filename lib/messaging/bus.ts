import { browser, type Browser } from 'wxt/browser';

import { BackgroundStoppedError, BusError, ForbiddenSenderError, toErrorData, UnknownMessageError } from './errors';
import type {
  Envelope,
  EventMap,
  EventMessage,
  EventName,
  MessageName,
  RequestMessage,
  RequestOf,
  ResponseOf,
} from './protocol';

type Sender = Browser.runtime.MessageSender;

/**
 * Sends a request to the background and resolves with its typed response. A failure arrives as
 * data and is thrown here as a {@link BusError} carrying the original kind and message key.
 */
export async function sendMessage<K extends MessageName>(name: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
  const message: RequestMessage<K> = { type: 'request', name, request };
  let envelope: Envelope<ResponseOf<K>> | undefined;
  try {
    envelope = (await browser.runtime.sendMessage(message)) as Envelope<ResponseOf<K>> | undefined;
  } catch (error) {
    // The service worker was stopped mid-request, or could not be reached (extension reloaded).
    throw new BackgroundStoppedError(error instanceof Error ? error.message : String(error));
  }
  // Our background always answers with an envelope: nothing at all means it went away first.
  if (envelope === undefined) throw new BackgroundStoppedError('No answer');
  if (!envelope || typeof envelope !== 'object' || !('ok' in envelope)) {
    throw new BusError({ kind: 'malformed-answer', messageKey: 'errorUnexpected', substitutions: [] });
  }
  if (!envelope.ok) throw new BusError(envelope.error);
  return envelope.value;
}

export type Handler<K extends MessageName> = (
  request: RequestOf<K>,
  sender: Sender,
) => Promise<ResponseOf<K>> | ResponseOf<K>;

export type Handlers = { [K in MessageName]: Handler<K> };

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
 * Answers the protocol's requests in the background. Every answer is an {@link Envelope}, so a
 * failure reaches the sender as data. Returns a function that stops serving.
 */
export function serveMessages(handlers: Handlers, options: { allowedPages: readonly string[] }): () => void {
  const handle = async (message: RequestMessage, sender: Sender): Promise<Envelope<unknown>> => {
    try {
      if (!isOwnPage(sender, options.allowedPages)) throw new ForbiddenSenderError();
      if (!Object.hasOwn(handlers, message.name)) throw new UnknownMessageError();
      const handler = handlers[message.name] as Handler<MessageName>;
      return { ok: true, value: await handler(message.request as never, sender) };
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  };
  const listener = (message: unknown, sender: Sender) => {
    // Not a request of ours (an event, say): leave it to other listeners.
    if (!isRequestMessage(message)) return undefined;
    return handle(message, sender);
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

/** Listens to one event from this extension's background. Returns a function that stops. */
export function onEvent<K extends EventName>(name: K, handler: (payload: EventMap[K]) => void): () => void {
  const listener = (message: unknown, sender: Sender) => {
    const event = message as EventMessage<K> | null;
    if (sender.id !== browser.runtime.id || event?.type !== 'event' || event.name !== name) return undefined;
    handler(event.payload);
    return undefined;
  };
  browser.runtime.onMessage.addListener(listener);
  return () => browser.runtime.onMessage.removeListener(listener);
}
