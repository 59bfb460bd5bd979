import { noHostAccess } from '../keys/errors';
import { toErrorData } from '../messaging/errors';
import type { ConnectionTestResult } from '../messaging/protocol';
import { RagflowClient, type RagflowClientOptions } from '../ragflow/client';
import { normalizeServerUrl } from '../ragflow/server-url';

export interface ConnectionTestDeps {
  /** Whether the browser lets the extension reach this server (host permission). */
  hasHostAccess(serverUrl: string): Promise<boolean>;
  /** A monotonic clock in milliseconds (performance.now). */
  clock?(): number;
  /** For tests that need another fetch; the client's default otherwise. */
  clientOptions?: Partial<RagflowClientOptions>;
}

/**
 * "Test connection" on the options page: which route generation the server speaks, its version
 * where it tells it without a session, whether it takes new accounts and password sign-in, and
 * how long one request takes there and back. Detects afresh (the cached generation could be
 * stale: the point is to see the server as it is now). Never throws: a failure is data.
 */
export async function testConnection(serverUrlInput: string, deps: ConnectionTestDeps): Promise<ConnectionTestResult> {
  const clock = deps.clock ?? (() => performance.now());
  try {
    const serverUrl = normalizeServerUrl(serverUrlInput);
    if (!(await deps.hasHostAccess(serverUrl))) throw noHostAccess(new URL(serverUrl).host);
    const client = new RagflowClient({ ...deps.clientOptions, serverUrl });
    const generation = await client.detectGeneration();
    // One plain GET, timed alone: the detection before it may have needed a retry.
    const started = clock();
    const config = await client.getPublicConfig();
    const roundTripMs = Math.max(0, Math.round(clock() - started));
    return {
      ok: true,
      serverUrl,
      generation,
      ...(client.version !== undefined && { version: client.version }),
      ...config,
      roundTripMs,
    };
  } catch (error) {
    return { ok: false, error: toErrorData(error) };
  }
}
