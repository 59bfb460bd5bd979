import type { Handlers } from '../messaging/bus';
import type { ConnectionTestResult } from '../messaging/protocol';
import type { KeyService } from './key-service';

/** What the background serves besides the key flow. */
export interface OtherServices {
  testConnection(serverUrl: string): Promise<ConnectionTestResult>;
}

/** The background's answers to the message bus protocol. */
export function createHandlers(service: KeyService, other: OtherServices): Handlers {
  return {
    'keys.get': (request) => service.getKey(request),
    'keys.cached': (request) => service.cachedKey(request),
    'session.signOut': (request) => service.signOut(request),
    'server.config': (request) => service.serverConfig(request.serverUrl),
    'server.test': (request) => other.testConnection(request.serverUrl),
  };
}
