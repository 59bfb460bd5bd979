/**
 * The schema history of the settings item. Each migration turns the value of the version before
 * into its own version's shape. A migration is a frozen snapshot: it spells out its own types
 * and defaults, so that changing today's defaults never changes what an old migration does.
 */
import type { ServerUrl } from '../ragflow/server-url';
import type { Settings } from './schema';
import { isRecord } from '../shared/is-record';

export const SETTINGS_VERSION = 2;

/** Version 1: servers without a session-cache lifetime. */
export interface SettingsV1 {
  servers: {
    id: string;
    name: string;
    url: string;
    email?: string;
    keyPolicy: 'reuse' | 'new';
    publicKeyPem?: string;
  }[];
  defaultServerId?: string;
}

/**
 * 1 → 2: every server gets a session-cache lifetime, "until the browser closes". A value that is
 * not even version 1's shape (a hand-edited import) is left for the validators to report.
 */
export function settingsV1ToV2(old: SettingsV1): Settings {
  if (!isRecord(old) || !Array.isArray(old.servers)) return old as unknown as Settings;
  return {
    ...old,
    servers: old.servers.map((server) =>
      // Version 1 stored only what its validators had normalised, as version 2 does.
      isRecord(server)
        ? { ...server, url: server.url as ServerUrl, sessionLifetime: { kind: 'until-browser-closes' } }
        : server,
    ),
  };
}

/**
 * Migrations keyed by the version each one produces, as WXT's storage expects. Each step takes
 * the shape of the version before it; a caller that holds a value of unknown version can only
 * hand it over as such (`never` lets every step's own parameter type stand).
 */
export type Migrations = Record<number, (old: never) => unknown>;

export const SETTINGS_MIGRATIONS = {
  2: settingsV1ToV2,
} satisfies Migrations;

/**
 * Runs the migrations from `fromVersion` up to `toVersion`, as WXT's storage does for the stored
 * item. Imports need it too: a file exported by an older release carries an older shape.
 */
export function migrate(value: unknown, fromVersion: number, toVersion: number, migrations: Migrations): unknown {
  let migrated = value;
  for (let version = fromVersion + 1; version <= toVersion; version++) {
    const step = migrations[version];
    if (step) migrated = step(migrated as never);
  }
  return migrated;
}
