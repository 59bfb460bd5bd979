import type { Handlers } from '../messaging/serve';
import type { ClipboardClearPlan, ConnectionTestResult } from '../messaging/protocol';
import type { Settings } from '../settings/schema';
import type { WebSessionService } from '../web-session/web-session-service';
import type { KeyService } from './key-service';

/** What the background serves besides the key flow. */
export interface OtherServices {
  testConnection(serverUrl: string): Promise<ConnectionTestResult>;
  settings(): Promise<Settings>;
  scheduleClipboardClear(fingerprint: string): Promise<ClipboardClearPlan>;
  webSession: WebSessionService;
}

/** The background's answers to the message bus protocol. */
export function createHandlers(service: KeyService, other: OtherServices): Handlers {
  return {
    'keys.get': (request) => service.getKey(request),
    'keys.cached': (request) => service.cachedKey(request),
    'session.signOut': (request) => service.signOut(request),
    'server.config': (request) => service.serverConfig(request.serverUrl),
    'server.facts': (request) => service.serverFacts(request.serverUrl),
    'server.test': (request) => other.testConnection(request.serverUrl),
    'settings.get': () => other.settings(),
    'clipboard.scheduleClear': (request) => other.scheduleClipboardClear(request.fingerprint),
    'webSession.tab': (request) => other.webSession.findTab(request.serverUrl),
    'keys.fromWebSession': (request) => other.webSession.getKey(request),
    'webSession.serverOfPage': (request) => other.webSession.serverOfPage(request.pageUrl, request.userAsked),
    'keys.list': (request) => service.listKeys(request),
    'keys.create': (request) => service.createKey(request),
    'keys.revoke': (request) => service.revokeKey(request),
    'keys.setCurrent': (request) => service.setCurrentKey(request),
    'keys.verify': (request) => service.verifyKey(request),
    'keys.copyText': (request) => service.copyText(request),
  };
}
