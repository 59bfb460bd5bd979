/**
 * The pages' side of the message bus: requests to the background, and its events. Without the
 * polyfill (see ../extension-api.ts); the background's side is ./serve.ts.
 */
import type { Browser } from 'wxt/browser';

import { extensionApi as browser } from '../extension-api';
import { AppError } from '../errors';
import { backgroundStopped, errorFromData } from './errors';
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
 * data and is thrown here as the same {@link AppError}: the original kind and sentence.
 */
export async function sendMessage<K extends MessageName>(name: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
  const message: RequestMessage<K> = { type: 'request', name, request };
  let envelope: Envelope<ResponseOf<K>> | undefined;
  try {
    envelope = (await browser.runtime.sendMessage(message)) as Envelope<ResponseOf<K>> | undefined;
  } catch (error) {
    // The service worker was stopped mid-request, or could not be reached (extension reloaded).
    throw backgroundStopped(error instanceof Error ? error.message : String(error));
  }
  // Our background always answers with an envelope: nothing at all means it went away first.
  if (envelope === undefined) throw backgroundStopped('No answer');
  if (!envelope || typeof envelope !== 'object' || !('ok' in envelope)) {
    throw new AppError('malformed-answer');
  }
  if (!envelope.ok) throw errorFromData(envelope.error);
  return envelope.value;
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
