import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

import { createKeyService } from '@/lib/keys/key-service';
import { RAGFLOW_DEFAULT_PUBLIC_KEY } from '@/lib/ragflow/password';
import { ragflowDefaultKeyPair } from '../../demo/ragflow-default-key';
import { startFakeRagflow } from '../../fake-ragflow';

const DEMO = { email: 'demo@example.com', password: 'ragflow-demo' };
const base64Of = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

beforeEach(() => fakeBrowser.reset());

describe("the demo server's key pair", () => {
  it("is RAGFlow's default pair: its public key is the one built into the extension", () => {
    expect(base64Of(ragflowDefaultKeyPair().publicKeyPem)).toBe(base64Of(RAGFLOW_DEFAULT_PUBLIC_KEY));
  });

  it('takes a password from an extension with no public key set, as a hand-loaded one is', async () => {
    const server = await startFakeRagflow({ generation: 'restful', users: [DEMO], keyPair: ragflowDefaultKeyPair() });
    try {
      const keys = createKeyService({
        hasHostAccess: async () => true,
        onStep: () => {},
        keyPolicy: async () => 'reuse',
      });
      const result = await keys.getKey({ serverUrl: server.url, ...DEMO });
      expect(result.key).toBe(server.apiKeys(DEMO.email)[0]);
    } finally {
      await server.close();
    }
  });
});
