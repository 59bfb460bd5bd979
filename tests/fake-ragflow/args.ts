/**
 * The command line of cli.ts, apart so that tests can read it without starting a server.
 */
import { type FakeRagflowOptions, type FakeUser, type Generation, RELEASES, type Release } from './server';

/**
 * Reads `--release v0.24`, `--generation restful`, `--port 9380`, `--nginx`, `--prefix /ragflow`,
 * `--no-register`, `--no-password-login`, `--version v0.25.1`, `--latency 200`, `--disable-sdk`,
 * `--sso github[:GitHub[:icon]]`, `--hostile-keys` and `--user email:password[:nickname]` (repeatable).
 */
export function parseArgs(argv: readonly string[]): FakeRagflowOptions {
  const args = argv.filter((a) => a !== '--');
  const options: FakeRagflowOptions = { generation: 'restful', users: [] };
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    switch (flag) {
      case '--release': {
        const r = value(i++, flag);
        if (!RELEASES.includes(r as Release)) throw new Error(`bad release: ${r} (one of ${RELEASES.join(', ')})`);
        options.release = r as Release;
        break;
      }
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
      case '--disable-sdk':
        options.disableSdk = true;
        break;
      case '--hostile-keys':
        options.hostileKeys = true;
        break;
      case '--sso': {
        const [channel = '', display_name, icon] = value(i++, flag).split(':');
        options.ssoChannels = [
          ...(options.ssoChannels ?? []),
          { channel, ...(display_name ? { display_name } : {}), ...(icon ? { icon } : {}) },
        ];
        break;
      }
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
  return options;
}
