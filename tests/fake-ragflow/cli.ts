/**
 * Run a fake RAGFlow by hand:
 *   npx vite-node tests/fake-ragflow/cli.ts -- --release v0.26 --port 9380 --nginx \
 *     --user demo@example.com:demo-password [--prefix /ragflow] [--no-register] [--no-password-login]
 *     [--version v0.25.1] [--latency 200] [--disable-sdk] [--sso github:GitHub]
 * `--generation legacy|mixed|restful` still works; `--release` (see args.ts) is the precise choice.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from './args';
import { startFakeRagflow } from './server';

const options = parseArgs(process.argv.slice(2));
const server = await startFakeRagflow(options);
const keyPath = join(tmpdir(), `fake-ragflow-${server.port}-public.pem`);
writeFileSync(keyPath, server.publicKeyPem);
console.log(`fake RAGFlow (${server.release}${options.nginx ? ', nginx' : ''}) listening on ${server.url}`);
console.log(`public key: ${keyPath}`);
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
