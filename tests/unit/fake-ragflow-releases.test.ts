/**
 * The release profiles of the fake RAGFlow: the route map, unknown-route and unauthorized answers,
 * the version and config routes, per release (docs/ragflow-releases.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JSEncrypt } from 'jsencrypt';
import { type FakeRagflow, type FakeRagflowOptions, RELEASES, type Release, startFakeRagflow } from '../fake-ragflow';
import { parseArgs } from '../fake-ragflow/args';

const USER = { email: 'demo@example.com', password: 'demo-password', nickname: 'Demo' };

let servers: FakeRagflow[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(options: FakeRagflowOptions): Promise<FakeRagflow> {
  const s = await startFakeRagflow({ users: [USER], ...options });
  servers.push(s);
  return s;
}

function encrypt(s: FakeRagflow, password: string): string {
  const enc = new JSEncrypt();
  enc.setPublicKey(s.publicKeyPem);
  const out = enc.encrypt(Buffer.from(password, 'utf8').toString('base64'));
  if (!out) throw new Error('encrypt failed');
  return out;
}

async function call(
  s: FakeRagflow,
  method: string,
  path: string,
  opts: { auth?: string; body?: unknown; origin?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.auth) headers.Authorization = opts.auth;
  if (opts.origin) headers.Origin = opts.origin;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(s.url + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: the tests read whatever JSON shape each route answers
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text, headers: res.headers, auth: res.headers.get('authorization') };
}

interface RouteMap {
  config: string;
  register: string;
  login: string;
  logout: [string, string];
  me: string;
  list: string;
  create: string;
  delete: string;
  version: string;
  channels: string;
}

const LEGACY: RouteMap = {
  config: '/v1/system/config',
  register: '/v1/user/register',
  login: '/v1/user/login',
  logout: ['GET', '/v1/user/logout'],
  me: '/v1/user/info',
  list: '/v1/system/token_list',
  create: '/v1/system/new_token',
  delete: '/v1/system/token/',
  version: '/v1/system/version',
  channels: '/v1/user/login/channels',
};
const RESTFUL: RouteMap = {
  config: '/api/v1/system/config',
  register: '/api/v1/users',
  login: '/api/v1/auth/login',
  logout: ['POST', '/api/v1/auth/logout'],
  me: '/api/v1/users/me',
  list: '/api/v1/system/tokens',
  create: '/api/v1/system/tokens',
  delete: '/api/v1/system/tokens/',
  version: '/api/v1/system/version',
  channels: '/api/v1/auth/login/channels',
};
const MIXED: RouteMap = {
  ...LEGACY,
  list: RESTFUL.list,
  create: RESTFUL.create,
  delete: RESTFUL.delete,
  version: RESTFUL.version,
};
const ROUTES: Record<Release, RouteMap> = {
  'v0.22': LEGACY,
  'v0.23.0': LEGACY,
  'v0.24': LEGACY,
  'v0.25.0': MIXED,
  'v0.25.1': RESTFUL,
  'v0.26': RESTFUL,
  go: RESTFUL,
};

interface Expected {
  notFound: (path: string) => [number, unknown];
  unauthorized: [number, unknown];
  versionPublic: boolean;
  version: string;
  config: Record<string, unknown>;
}
const JSON_404 = (path: string): [number, unknown] => [
  404,
  { code: 404, message: `Not Found: ${path}`, data: null, error: 'Not Found' },
];
const PY_401 = { code: 401, message: "<Unauthorized '401: Unauthorized'>", data: null };
const EXPECTED: Record<Release, Expected> = {
  'v0.22': {
    notFound: () => [200, { code: 100, message: "<NotFound '404: Not Found'>", data: null }],
    unauthorized: [200, PY_401],
    versionPublic: false,
    version: 'v0.22.1',
    config: { registerEnabled: 1 },
  },
  'v0.23.0': {
    notFound: (path) => [404, { error: 'Not Found', message: `The requested URL ${path} was not found` }],
    unauthorized: [200, PY_401],
    versionPublic: false,
    version: 'v0.23.0',
    config: { registerEnabled: 1 },
  },
  'v0.24': {
    notFound: JSON_404,
    unauthorized: [401, PY_401],
    versionPublic: false,
    version: 'v0.24.0',
    config: { registerEnabled: 1 },
  },
  'v0.25.0': {
    notFound: JSON_404,
    unauthorized: [401, PY_401],
    versionPublic: false,
    version: 'v0.25.0',
    config: { registerEnabled: 1, disablePasswordLogin: false },
  },
  'v0.25.1': {
    notFound: JSON_404,
    unauthorized: [401, PY_401],
    versionPublic: false,
    version: 'v0.25.1',
    config: { registerEnabled: 1, disablePasswordLogin: false },
  },
  'v0.26': {
    notFound: JSON_404,
    unauthorized: [401, PY_401],
    versionPublic: true,
    version: 'v0.27.0',
    config: { registerEnabled: 1, disablePasswordLogin: false },
  },
  go: {
    notFound: JSON_404,
    unauthorized: [401, { code: 401, data: null, message: 'Missing Authorization header' }],
    versionPublic: true,
    version: 'v0.27.0',
    config: { registerEnabled: true, disablePasswordLogin: false },
  },
};

describe.each(RELEASES)('release %s', (release) => {
  const p = ROUTES[release];
  const x = EXPECTED[release];

  it('serves its route map, and only it', async () => {
    const s = await start({ release });
    expect(s.release).toBe(release);
    const login = await call(s, 'POST', p.login, { body: { email: USER.email, password: encrypt(s, USER.password) } });
    expect([login.status, login.json.code, login.json.message]).toEqual([200, 0, 'Welcome back!']);
    const auth = login.auth!;
    expect(s.sessionToken(USER.email)).toBe(auth);
    const config = await call(s, 'GET', p.config);
    expect(config.json).toEqual({ code: 0, message: 'success', data: x.config });
    expect((await call(s, 'GET', p.me, { auth })).json.data.email).toBe(USER.email);
    const created = await call(s, 'POST', p.create, { auth, body: {} });
    expect(created.json.data.token).toMatch(/^ragflow-[A-Za-z0-9_-]{43}$/);
    const listed = await call(s, 'GET', p.list, { auth });
    expect(listed.json.data.map((k: { token: string }) => k.token)).toEqual([created.json.data.token]);
    expect((await call(s, 'DELETE', p.delete + created.json.data.token, { auth })).json).toMatchObject({
      code: 0,
      data: true,
    });
    expect(s.apiKeys(USER.email)).toEqual([]);
    expect((await call(s, 'GET', p.channels)).json).toMatchObject({ code: 0, data: [] });
    const version = await call(s, 'GET', p.version, { auth });
    expect(version.json).toMatchObject({ code: 0, data: x.version });
    const register = await call(s, 'POST', p.register, {
      body: { nickname: 'New', email: 'new@example.com', password: encrypt(s, 'pw') },
    });
    expect([register.json.code, register.json.message]).toEqual([0, 'New, welcome aboard!']);
    const logout = await call(s, p.logout[0], p.logout[1], { auth });
    expect(logout.json).toMatchObject({ code: 0, data: true });
    expect((await call(s, 'GET', p.me, { auth })).status).toBe(x.unauthorized[0]);
    // Every other generation's paths are unknown here.
    const others = new Set(RELEASES.flatMap((r) => Object.values(ROUTES[r]).flat()).filter((x) => x.startsWith('/')));
    for (const path of others) {
      if (Object.values(p).flat().includes(path) || path.endsWith('/')) continue;
      if (release === 'go' && path === '/v1/user/info') continue; // the Go server serves it too
      const [status, body] = x.notFound(path);
      const r = await call(s, 'GET', path);
      expect([path, r.status, r.json]).toEqual([path, status, body]);
    }
  });

  it('answers an unknown route and a missing session in its own shape', async () => {
    const s = await start({ release });
    const [status, body] = x.notFound('/api/v1/no/such/route');
    const nf = await call(s, 'GET', '/api/v1/no/such/route');
    expect([nf.status, nf.json]).toEqual([status, body]);
    expect(nf.headers.get('x-api-source')).toBe(release === 'go' ? 'go' : null);
    const me = await call(s, 'GET', p.me);
    expect([me.status, me.json]).toEqual(x.unauthorized);
    const version = await call(s, 'GET', p.version);
    if (x.versionPublic) expect(version.json).toMatchObject({ code: 0, data: x.version });
    else expect([version.status, version.json]).toEqual(x.unauthorized);
  });

  it('reports the version it is given, as a plain string', async () => {
    const s = await start({ release, version: 'v0.26.3-12-gabc123' });
    const login = await call(s, 'POST', p.login, { body: { email: USER.email, password: encrypt(s, USER.password) } });
    const version = await call(s, 'GET', p.version, { auth: login.auth! });
    expect(version.json.data).toBe('v0.26.3-12-gabc123');
  });
});

describe('choosing a release', () => {
  it('derives the generation from the release, and the release from a generation alone', async () => {
    expect((await start({ release: 'v0.25.0' })).options.generation).toBe('mixed');
    expect((await start({ release: 'go' })).options.generation).toBe('restful');
    expect((await start({ generation: 'legacy' })).release).toBe('v0.24');
    expect((await start({ generation: 'mixed' })).release).toBe('v0.25.0');
    expect((await start({ generation: 'restful' })).release).toBe('v0.26');
    await expect(startFakeRagflow({ release: 'v9' as Release })).rejects.toThrow(/unknown release/);
  });

  it('reads --release and the other flags from the command line', () => {
    expect(parseArgs(['--', '--release', 'go', '--port', '9380', '--nginx'])).toMatchObject({
      release: 'go',
      port: 9380,
      nginx: true,
    });
    expect(
      parseArgs(['--release', 'v0.24', '--disable-sdk', '--sso', 'github:GitHub:github', '--user', 'a@b.io:pw:A']),
    ).toMatchObject({
      release: 'v0.24',
      disableSdk: true,
      ssoChannels: [{ channel: 'github', display_name: 'GitHub', icon: 'github' }],
      users: [{ email: 'a@b.io', password: 'pw', nickname: 'A' }],
    });
    expect(parseArgs(['--generation', 'mixed'])).toMatchObject({ generation: 'mixed' });
    expect(() => parseArgs(['--release', 'v0.19'])).toThrow(/bad release/);
    expect(() => parseArgs(['--release'])).toThrow(/needs a value/);
  });
});
