/** A server as a test sets it up; what it leaves out, the options page's defaults fill in. */
export interface TestServer {
  url: string;
  name?: string;
  email?: string;
  /** A custom public key: the fake server's own pair. */
  publicKeyPem?: string;
}

/**
 * The `storage.local` items the options page would save for these servers: the settings, and
 * beside them the metadata WXT's storage keeps for a versioned item (this is version 2).
 */
export function settingsItems(servers: TestServer[], defaultServerIndex?: number): Record<string, unknown> {
  return {
    settings: {
      ...(defaultServerIndex !== undefined && { defaultServerId: `server-${defaultServerIndex}` }),
      servers: servers.map((server, index) => ({
        id: `server-${index}`,
        name: new URL(server.url).host,
        keyPolicy: 'reuse',
        sessionLifetime: { kind: 'until-browser-closes' },
        ...server,
      })),
    },
    settings$: { v: 2 },
  };
}
