import type { Handlers } from '../messaging/bus';
import type { KeyService } from './key-service';

/** The background's answers to the message bus protocol. */
export function createHandlers(service: KeyService): Handlers {
  return {
    'keys.get': (request) => service.getKey(request),
    'keys.cached': (request) => service.cachedKey(request),
    'session.signOut': (request) => service.signOut(request),
    'server.config': (request) => service.serverConfig(request.serverUrl),
  };
}
