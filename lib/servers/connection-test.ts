import { noHostAccess } from '../keys/errors';
import { toErrorData } from '../messaging/errors';
import type { ConnectionTestResult } from '../messaging/protocol';
import { type DetectedServer, type LoginChannel, RagflowClient, type RagflowClientOptions } from '../ragflow/client';
import type { ServerUrl } from '../ragflow/server-url';

export interface ConnectionTestDeps {
  /** Whether the browser lets the extension reach this server (host permission). */
  hasHostAccess(serverUrl: ServerUrl): Promise<boolean>;
  /** A monotonic clock in milliseconds (performance.now). */
  clock?(): number;
  /** Extra client options of the server (its own public key, another fetch in tests). */
  clientOptions?: Partial<RagflowClientOptions>;
  /**
   * Keeps what the detection, the config read and the channels found, for the key flow and the
   * popup (one detection per server; a RESTful server's config is read nowhere before a sign-in).
   */
  remember?(serverUrl: ServerUrl, detected: DetectedServer, channels: LoginChannel[]): Promise<unknown>;
}

/**
 * "Test connection" on the options page: which route generation and release line the server is,
 * whether it is the Go server, its version where it tells it without a session, whether it takes
 * new accounts and password sign-in, its SSO channels, and how long one request takes there and
 * back. Detects afresh (the remembered detection could be stale: the point is to see the server
 * as it is now) and remembers the result. Never throws: a failure is data.
 */
export async function testConnection(serverUrl: ServerUrl, deps: ConnectionTestDeps): Promise<ConnectionTestResult> {
  const clock = deps.clock ?? (() => performance.now());
  try {
    if (!(await deps.hasHostAccess(serverUrl))) throw noHostAccess(new URL(serverUrl).host);
    const client = new RagflowClient({ ...deps.clientOptions, serverUrl });
    const detected = await client.detect();
    const config = await client.getPublicConfig();
    // One plain GET, timed alone: the detection before it may have needed a retry.
    const started = clock();
    const release = await client.releaseInfo();
    const roundTripMs = Math.max(0, Math.round(clock() - started));
    const channels = await client.loginChannels().catch(() => []);
    await deps.remember?.(serverUrl, client.detected ?? detected, channels);
    return {
      ok: true,
      serverUrl,
      generation: detected.generation,
      go: detected.go,
      release: release.line,
      ...(release.version !== undefined && { version: release.version }),
      ...config,
      channels,
      roundTripMs,
    };
  } catch (error) {
    return { ok: false, error: toErrorData(error) };
  }
}
