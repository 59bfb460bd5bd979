import { storage } from 'wxt/utils/storage';

import { normalizeServerUrl } from '../ragflow/server-url';

/** Reuse the account's newest key (the default), or always create a new one. */
export type KeyPolicy = 'reuse' | 'new';

/** One RAGFlow server the user set up. Holds no secret: no password, session or API key. */
export interface ServerSettings {
  id: string;
  name: string;
  /** Normalised base URL (lib/ragflow/server-url). */
  url: string;
  email?: string;
  keyPolicy: KeyPolicy;
  /** The server's own RSA public key (PEM), when it does not use RAGFlow's default pair. */
  publicKeyPem?: string;
}

export interface Settings {
  servers: ServerSettings[];
  defaultServerId?: string;
}

export const DEFAULT_SETTINGS: Settings = { servers: [] };

/**
 * The settings, a typed and versioned item in storage.local. A later schema bumps `version`
 * and adds a migration from this one (WXT's storage runs them in order on first read).
 */
export const settingsItem = storage.defineItem<Settings>('local:settings', {
  fallback: DEFAULT_SETTINGS,
  version: 1,
});

/** The settings of the server at this base URL, if the user set it up. */
export async function serverSettingsFor(serverUrl: string): Promise<ServerSettings | undefined> {
  const { servers } = await settingsItem.getValue();
  return servers.find((server) => sameServer(server.url, serverUrl));
}

function sameServer(a: string, b: string): boolean {
  try {
    return normalizeServerUrl(a) === normalizeServerUrl(b);
  } catch {
    return false;
  }
}
