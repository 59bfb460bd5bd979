/**
 * Checks settings and preferences from anywhere (the options form, an imported file) and says
 * what is wrong field by field, as message keys. A valid value is rebuilt from the fields the
 * schema knows, so nothing else (no stray secret in a hand-edited file) gets through.
 */
import { isAppError } from '../errors';
import { validatePublicKeyPem } from '../ragflow/password';
import { MAX_PUBLIC_KEY_PEM_LENGTH } from '../ragflow/public-key';
import { normalizeServerUrl, type ServerUrl, serverUrlOrUndefined } from '../ragflow/server-url';
import { CLIPBOARD_CLEAR_CHOICES, type ClipboardClearSeconds, type Preferences } from './preferences';
import {
  type KeyPolicy,
  SESSION_MINUTES_RANGE,
  type ServerSettings,
  type SessionLifetime,
  type Settings,
} from './schema';
import { isRecord } from '../shared/is-record';
import { cleanKeyName, type KeyNotes, MAX_PLACES_PER_KEY, type PastePlace, placeOrigin } from './key-notes';

/** One problem with one field: `field` is a path like `servers[1].url`. */
export interface FieldError {
  field: string;
  messageKey: string;
  substitutions: string[];
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const MAX_SERVER_NAME_LENGTH = 100;
/** RFC 5321's limit on a forward path. */
export const MAX_EMAIL_LENGTH = 254;
const MAX_ID_LENGTH = 100;
/** Something@something: the server has the final word on what an email is. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** Collects the errors of one value; `at` builds the path of a field inside it. */
class Problems {
  readonly errors: FieldError[] = [];
  constructor(private readonly prefix: string) {}

  at(field: string): string {
    if (field === '') return this.prefix;
    return this.prefix === '' ? field : `${this.prefix}.${field}`;
  }

  add(field: string, messageKey: string, substitutions: string[] = []): void {
    this.errors.push({ field: this.at(field), messageKey, substitutions });
  }

  /** The value when nothing was wrong, else every error found. */
  result<T>(value: T): Validated<T> {
    return this.errors.length === 0 ? { ok: true, value } : this.failure();
  }

  failure(): Validated<never> {
    return { ok: false, errors: this.errors };
  }
}

function optionalText(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The server URL, else undefined with the reason among the problems. */
function checkUrl(raw: unknown, problems: Problems): ServerUrl | undefined {
  try {
    return normalizeServerUrl(typeof raw === 'string' ? raw : '');
  } catch (error) {
    if (isAppError(error)) problems.add('url', error.messageKey, [...error.substitutions]);
    else problems.add('url', 'errorUrlMalformed');
    return undefined;
  }
}

function checkPublicKey(raw: unknown, problems: Problems): string | undefined {
  // Before trimming: a file of megabytes is refused unread, whatever it is padded with.
  if (typeof raw === 'string' && raw.length > MAX_PUBLIC_KEY_PEM_LENGTH) {
    problems.add('publicKeyPem', 'errorPublicKeyTooLong', [String(MAX_PUBLIC_KEY_PEM_LENGTH)]);
    return undefined;
  }
  const text = optionalText(raw);
  if (text === null) {
    problems.add('publicKeyPem', 'errorInvalidPublicKey');
    return undefined;
  }
  if (text === undefined) return undefined;
  try {
    return validatePublicKeyPem(text);
  } catch (error) {
    if (isAppError(error)) problems.add('publicKeyPem', error.messageKey, [...error.substitutions]);
    else problems.add('publicKeyPem', 'errorInvalidPublicKey');
    return undefined;
  }
}

function checkSessionLifetime(raw: unknown, problems: Problems): SessionLifetime {
  if (isRecord(raw) && raw.kind === 'until-browser-closes') return { kind: 'until-browser-closes' };
  if (isRecord(raw) && raw.kind === 'minutes') {
    const { minutes } = raw;
    const { min, max } = SESSION_MINUTES_RANGE;
    if (typeof minutes === 'number' && Number.isInteger(minutes) && minutes >= min && minutes <= max) {
      return { kind: 'minutes', minutes };
    }
    problems.add('sessionLifetime.minutes', 'errorSessionMinutesRange', [String(min), String(max)]);
    return { kind: 'until-browser-closes' };
  }
  problems.add('sessionLifetime', 'errorSessionLifetimeInvalid');
  return { kind: 'until-browser-closes' };
}

/**
 * One server, from the options form or a file. `prefix` is where it sits (`servers[1]`) for
 * the paths of its errors; the form uses no prefix.
 */
export function validateServer(raw: unknown, prefix = ''): Validated<ServerSettings> {
  const problems = new Problems(prefix);
  if (!isRecord(raw)) {
    problems.add('', 'errorSettingsNotAnObject');
    return problems.failure();
  }

  const id = typeof raw.id === 'string' ? raw.id.trim() : '';
  if (id === '' || id.length > MAX_ID_LENGTH) problems.add('id', 'errorServerIdInvalid');

  const name = typeof raw.name === 'string' ? raw.name.trim() : '';
  if (name === '') problems.add('name', 'errorServerNameRequired');
  else if (name.length > MAX_SERVER_NAME_LENGTH)
    problems.add('name', 'errorServerNameTooLong', [String(MAX_SERVER_NAME_LENGTH)]);

  const url = checkUrl(raw.url, problems);

  const email = optionalText(raw.email);
  if (email === null || (email !== undefined && (email.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(email)))) {
    problems.add('email', 'errorServerEmailInvalid');
  }

  const keyPolicy = raw.keyPolicy;
  if (keyPolicy !== 'reuse' && keyPolicy !== 'new') problems.add('keyPolicy', 'errorKeyPolicyInvalid');

  const publicKeyPem = checkPublicKey(raw.publicKeyPem, problems);
  const sessionLifetime = checkSessionLifetime(raw.sessionLifetime, problems);

  return problems.result({
    id,
    name,
    // Undefined only with a problem found, and then result() keeps no value.
    url: url!,
    ...(typeof email === 'string' && { email }),
    keyPolicy: keyPolicy as KeyPolicy,
    ...(publicKeyPem !== undefined && { publicKeyPem }),
    sessionLifetime,
  });
}

/**
 * A server about to be saved next to `others` (the rest of the list): valid on its own, and
 * not a second entry for a server that is already there.
 */
export function validateServerAmong(raw: unknown, others: readonly ServerSettings[]): Validated<ServerSettings> {
  const checked = validateServer(raw);
  if (!checked.ok) return checked;
  const duplicate = others.find((other) => other.url === checked.value.url);
  if (duplicate) {
    return {
      ok: false,
      errors: [{ field: 'url', messageKey: 'errorServerUrlDuplicate', substitutions: [duplicate.name] }],
    };
  }
  return checked;
}

/** The whole settings value, for an import. Paths start at `prefix` (`settings`). */
export function validateSettings(raw: unknown, prefix = ''): Validated<Settings> {
  const problems = new Problems(prefix);
  if (!isRecord(raw)) {
    problems.add('', 'errorSettingsNotAnObject');
    return problems.failure();
  }
  if (!Array.isArray(raw.servers)) {
    problems.add('servers', 'errorSettingsServersNotAList');
    return problems.failure();
  }

  const servers: ServerSettings[] = [];
  raw.servers.forEach((item, index) => {
    const checked = validateServer(item, problems.at(`servers[${index}]`));
    if (!checked.ok) {
      problems.errors.push(...checked.errors);
      return;
    }
    const server = checked.value;
    const sameId = servers.find((other) => other.id === server.id);
    const sameUrl = servers.find((other) => other.url === server.url);
    if (sameId) problems.add(`servers[${index}].id`, 'errorServerIdDuplicate');
    if (sameUrl) problems.add(`servers[${index}].url`, 'errorServerUrlDuplicate', [sameUrl.name]);
    servers.push(server);
  });

  const { defaultServerId } = raw;
  // Against the ids as written: a server with another error still counts as the default's target.
  const ids = raw.servers.map((item) => (isRecord(item) && typeof item.id === 'string' ? item.id.trim() : undefined));
  if (defaultServerId !== undefined && !ids.includes(defaultServerId as string)) {
    problems.add('defaultServerId', 'errorDefaultServerUnknown');
  }
  return problems.result({
    servers,
    ...(typeof defaultServerId === 'string' && { defaultServerId }),
  });
}

/** The preferences, for an import. Paths start at `prefix` (`preferences`). */
export function validatePreferences(raw: unknown, prefix = ''): Validated<Preferences> {
  const problems = new Problems(prefix);
  if (!isRecord(raw)) {
    problems.add('', 'errorSettingsNotAnObject');
    return problems.failure();
  }
  const { clipboardClearSeconds, contextMenuEnabled, recordPastes } = raw;
  if (!CLIPBOARD_CLEAR_CHOICES.includes(clipboardClearSeconds as ClipboardClearSeconds)) {
    problems.add('clipboardClearSeconds', 'errorClipboardClearChoice', [CLIPBOARD_CLEAR_CHOICES.join(', ')]);
  }
  if (typeof contextMenuEnabled !== 'boolean') problems.add('contextMenuEnabled', 'errorNotTrueOrFalse');
  if (typeof recordPastes !== 'boolean') problems.add('recordPastes', 'errorNotTrueOrFalse');
  return problems.result({
    clipboardClearSeconds: clipboardClearSeconds as ClipboardClearSeconds,
    contextMenuEnabled: contextMenuEnabled as boolean,
    recordPastes: recordPastes as boolean,
  });
}

const FINGERPRINT_SHAPE = /^[0-9a-f]{64}$/;

/**
 * Key names and paste records, for an import that carries them (an export leaves them out unless
 * asked). Keyed by fingerprint, never by key: a file that holds anything else is refused. Paths
 * start at `prefix` (`keyNotes`).
 */
export function validateKeyNotes(raw: unknown, prefix = ''): Validated<KeyNotes> {
  const problems = new Problems(prefix);
  if (!isRecord(raw)) {
    problems.add('', 'errorSettingsNotAnObject');
    return problems.failure();
  }
  const notes: KeyNotes = {};
  for (const [print, value] of Object.entries(raw)) {
    const field = (name: string) => (name === '' ? print : `${print}.${name}`);
    if (!FINGERPRINT_SHAPE.test(print) || !isRecord(value)) {
      problems.add(print, 'errorImportKeyNote');
      continue;
    }
    // Undefined only with a problem found, and then result() keeps no value.
    const serverUrl = serverUrlOrUndefined(value.serverUrl);
    if (!serverUrl) problems.add(field('serverUrl'), 'errorUrlMalformed');
    const email = typeof value.email === 'string' ? value.email.trim().toLowerCase() : '';
    if (!EMAIL_SHAPE.test(email) || email.length > MAX_EMAIL_LENGTH)
      problems.add(field('email'), 'errorServerEmailInvalid');
    const name =
      value.name === undefined ? undefined : typeof value.name === 'string' ? cleanKeyName(value.name) : null;
    if (name === null) problems.add(field('name'), 'errorImportKeyNote');
    const places: PastePlace[] = [];
    const rawPlaces = Array.isArray(value.places) ? value.places : null;
    if (rawPlaces === null || rawPlaces.length > MAX_PLACES_PER_KEY)
      problems.add(field('places'), 'errorImportKeyNote');
    for (const place of rawPlaces ?? []) {
      const origin = isRecord(place) && typeof place.origin === 'string' ? placeOrigin(place.origin) : undefined;
      // Only an origin as the extension records it: a path or a query in a file is refused, not cut.
      const at = isRecord(place) ? place.at : undefined;
      if (!origin || origin !== place.origin || typeof at !== 'number' || !Number.isFinite(at) || at < 0) {
        problems.add(field('places'), 'errorImportKeyNote');
        break;
      }
      places.push({ origin, at });
    }
    notes[print] = { serverUrl: serverUrl!, email, ...(name ? { name } : {}), places };
  }
  return problems.result(notes);
}
