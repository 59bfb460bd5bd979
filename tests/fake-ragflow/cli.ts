/**
 * Run a fake RAGFlow by hand:
 *   npx vite-node tests/fake-ragflow/cli.ts -- --generation restful --port 9380 --nginx \
 *     --user demo@example.com:demo-password [--prefix /ragflow] [--no-register] [--no-password-login]
 *     [--version v0.25.1] [--latency 200]
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeRagflow, type FakeRagflowOptions, type FakeUser, type Generation } from './server';

const args = process.argv.slice(2).filter((a) => a !== '--');
const options: FakeRagflowOptions = { generation: 'restful', users: [] };
const value = (i: number, flag: string): string => {
  const v = args[i + 1];
  if (v === undefined) throw new Error(`${flag} needs a value`);
  return v;
};
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  switch (flag) {
    case '--generation': {
      const g = value(i++, flag);
      if (g !== 'legacy' && g !== 'mixed' && g !== 'restful') throw new Error(`bad generation: ${g}`);
      options.generation = g as Generation;
      break;
    }
    case '--host':
      options.host = value(i++, flag);
      break;
    case '--port':
      options.port = Number(value(i++, flag));
      break;
    case '--prefix':
      options.pathPrefix = value(i++, flag);
      break;
    case '--version':
      options.version = value(i++, flag);
      break;
    case '--latency':
      options.latencyMs = Number(value(i++, flag));
      break;
    case '--nginx':
      options.nginx = true;
      break;
    case '--no-register':
      options.registerEnabled = false;
      break;
    case '--no-password-login':
      options.passwordLoginEnabled = false;
      break;
    case '--user': {
      const [email = '', password = '', nickname] = value(i++, flag).split(':');
      const user: FakeUser = { email, password, ...(nickname ? { nickname } : {}) };
      options.users?.push(user);
      break;
    }
    default:
      throw new Error(`unknown argument: ${flag}`);
  }
}

const server = await startFakeRagflow(options);
const keyPath = join(tmpdir(), `fake-ragflow-${server.port}-public.pem`);
writeFileSync(keyPath, server.publicKeyPem);
console.log(`fake RAGFlow (${options.generation}${options.nginx ? ', nginx' : ''}) listening on ${server.url}`);
console.log(`public key: ${keyPath}`);
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
