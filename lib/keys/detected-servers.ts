import { browser } from 'wxt/browser';

import type { ServerFacts } from '../messaging/protocol';
import type { DetectedServer, LoginChannel } from '../ragflow/client';
import type { ServerUrl } from '../ragflow/server-url';

const PREFIX = 'detectedServer:';

const itemKey = (serverUrl: ServerUrl) => `${PREFIX}${serverUrl}`;

/**
 * What the extension found out about each server (see {@link ServerFacts}). One detection serves
 * page recognition, Test connection and the key flow alike. Kept in `storage.local`: none of it
 * is a secret, and a browser restart then needs no new detection.
 */
export const detectedServers = {
  async get(serverUrl: ServerUrl): Promise<ServerFacts | undefined> {
    const key = itemKey(serverUrl);
    const stored = (await browser.storage.local.get(key))[key];
    return isServerFacts(stored) ? stored : undefined;
  },

  /**
   * Remembers a detection, with the sign-in channels where they were read with it. Channels read
   * earlier stay while the server stays what it was; a config the new detection did not carry
   * (RESTful servers) stays too, until one is read.
   */
  async remember(
    serverUrl: ServerUrl,
    detected: DetectedServer,
    now: number,
    channelsRead?: LoginChannel[],
  ): Promise<void> {
    const known = await this.get(serverUrl);
    const sameServer = known?.generation === detected.generation && known.go === detected.go;
    const config = detected.config ?? (sameServer ? known.config : undefined);
    const channels = channelsRead ?? (sameServer ? known.channels : undefined);
    const entry: ServerFacts = {
      serverUrl,
      generation: detected.generation,
      go: detected.go,
      ...(config && { config }),
      ...(channels && { channels }),
      detectedAt: now,
    };
    await browser.storage.local.set({ [itemKey(serverUrl)]: entry });
  },

  saveChannels(serverUrl: ServerUrl, channels: LoginChannel[]): Promise<void> {
    return update(serverUrl, (known) => ({ ...known, channels }));
  },

  /** The server refused a password sign-in: lead with the web app from now on. */
  notePasswordLoginOff(serverUrl: ServerUrl): Promise<void> {
    return update(serverUrl, (known) => ({
      ...known,
      config: { registrationAllowed: known.config?.registrationAllowed ?? true, passwordLoginAllowed: false },
    }));
  },
};

/** Changes what is known of a server; nothing for a server never detected. */
async function update(serverUrl: ServerUrl, change: (known: ServerFacts) => ServerFacts): Promise<void> {
  const known = await detectedServers.get(serverUrl);
  if (known) await browser.storage.local.set({ [itemKey(serverUrl)]: change(known) });
}

function isServerFacts(value: unknown): value is ServerFacts {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<ServerFacts>;
  return (
    typeof entry.serverUrl === 'string' &&
    (entry.generation === 'legacy' || entry.generation === 'mixed' || entry.generation === 'restful') &&
    typeof entry.go === 'boolean'
  );
}
