/**
 * The options page's server form as the user types it (all text), and the way between it and a
 * saved server. Checking is the validators' job (lib/settings/validate.ts).
 */
import { serverUrlOrUndefined } from '../ragflow/server-url';
import type { KeyPolicy, ServerSettings, SessionLifetime } from '../settings/schema';

export interface ServerDraft {
  name: string;
  url: string;
  email: string;
  keyPolicy: KeyPolicy;
  publicKeyPem: string;
  sessionLifetimeKind: SessionLifetime['kind'];
  /** Only read when the kind is `minutes`. */
  sessionMinutes: string;
}

export type DraftField = keyof ServerDraft;

export function emptyDraft(url = ''): ServerDraft {
  return {
    name: '',
    url,
    email: '',
    keyPolicy: 'reuse',
    publicKeyPem: '',
    sessionLifetimeKind: 'until-browser-closes',
    sessionMinutes: '60',
  };
}

export function draftOf(server: ServerSettings): ServerDraft {
  const lifetime = server.sessionLifetime;
  return {
    name: server.name,
    url: server.url,
    email: server.email ?? '',
    keyPolicy: server.keyPolicy,
    publicKeyPem: server.publicKeyPem ?? '',
    sessionLifetimeKind: lifetime.kind,
    sessionMinutes: lifetime.kind === 'minutes' ? String(lifetime.minutes) : emptyDraft().sessionMinutes,
  };
}

/**
 * The draft as a server to validate. A blank name becomes the server's host: naming is optional
 * for someone with one server. Minutes that are not a number stay so, for the validator to say.
 */
export function serverFromDraft(draft: ServerDraft, id: string): Record<keyof ServerSettings, unknown> {
  const minutesText = draft.sessionMinutes.trim();
  return {
    id,
    name: draft.name.trim() || hostOf(draft.url),
    url: draft.url,
    email: draft.email,
    keyPolicy: draft.keyPolicy,
    publicKeyPem: draft.publicKeyPem,
    sessionLifetime:
      draft.sessionLifetimeKind === 'minutes'
        ? { kind: 'minutes', minutes: minutesText === '' ? Number.NaN : Number(minutesText) }
        : { kind: 'until-browser-closes' },
  };
}

/** The host of what was typed (a form is an edge), or '' when it makes no address. */
function hostOf(typed: string): string {
  const serverUrl = serverUrlOrUndefined(typed);
  return serverUrl ? new URL(serverUrl).host : '';
}
