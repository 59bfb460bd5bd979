import { browser } from 'wxt/browser';

import type { DetectedServer, LoginChannel } from '../ragflow/client';

/**
 * What the extension found out about a server: its route generation, whether it is the Go
 * server, its public config and its SSO channels, where known. One detection serves page
 * recognition, Test connection and the key flow alike. Kept in `storage.local`: none of it is a
 * secret, and a browser restart then needs no new detection.
 */
export interface KnownServer extends DetectedServer {
  /** Normalised server URL. */
  serverUrl: string;
  /** The sign-in channels besides the password; undefined until asked. */
  channels?: LoginChannel[];
  detectedAt: number;
}

const PREFIX = 'knownServer:';

const itemKey = (serverUrl: string) => `${PREFIX}${serverUrl}`;

export const knownServers = {
  async get(serverUrl: string): Promise<KnownServer | undefined> {
    const key = itemKey(serverUrl);
    const stored = (await browser.storage.local.get(key))[key];
    return isKnownServer(stored) ? stored : undefined;
  },

  /**
   * Remembers a detection. The channels stay while the generation does; a config the new
   * detection did not carry (RESTful servers) stays too, until one is read.
   */
  async remember(serverUrl: string, detected: DetectedServer, now: number): Promise<KnownServer> {
    const known = await this.get(serverUrl);
    const sameServer = known?.generation === detected.generation && known.go === detected.go;
    const entry: KnownServer = {
      serverUrl,
      generation: detected.generation,
      go: detected.go,
      ...((detected.config ?? (sameServer ? known.config : undefined)) && {
        config: detected.config ?? known?.config,
      }),
      ...(sameServer && known.channels && { channels: known.channels }),
      detectedAt: now,
    };
    await browser.storage.local.set({ [itemKey(serverUrl)]: entry });
    return entry;
  },

  async saveChannels(serverUrl: string, channels: LoginChannel[]): Promise<void> {
    const known = await this.get(serverUrl);
    if (!known) return;
    await browser.storage.local.set({ [itemKey(serverUrl)]: { ...known, channels } });
  },

  /** The server learned to refuse passwords (a sign-in said so): lead with the web app from now on. */
  async notePasswordLoginOff(serverUrl: string): Promise<void> {
    const known = await this.get(serverUrl);
    if (!known) return;
    const config = { registrationAllowed: known.config?.registrationAllowed ?? true, passwordLoginAllowed: false };
    await browser.storage.local.set({ [itemKey(serverUrl)]: { ...known, config } });
  },

  async forget(serverUrl: string): Promise<void> {
    await browser.storage.local.remove(itemKey(serverUrl));
  },
};

function isKnownServer(value: unknown): value is KnownServer {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<KnownServer>;
  return (
    typeof entry.serverUrl === 'string' &&
    (entry.generation === 'legacy' || entry.generation === 'mixed' || entry.generation === 'restful') &&
    typeof entry.go === 'boolean'
  );
}
