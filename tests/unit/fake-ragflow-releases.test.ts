/**
 * The release profiles of the fake RAGFlow: the route map, unknown-route and unauthorized answers,
 * the version and config routes, per release (docs/ragflow-releases.md).
 */
import { generateKeyPairSync } from 'node:crypto';
import { JSEncrypt } from 'jsencrypt';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeRagflow, type FakeRagflowOptions, RELEASES, type Release, startFakeRagflow } from '../fake-ragflow';
import { callFake as call, encryptFor as encrypt } from '../support/fake-http';
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

const DATASETS = '/api/v1/datasets?page=1&page_size=1';

async function signIn(s: FakeRagflow, email = USER.email, password = USER.password) {
  const r = await call(s, 'POST', ROUTES[s.release].login, { body: { email, password: encrypt(s, password) } });
  return r;
}

function otherKeyPair(): string {
  const { publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return publicKey;
}

describe('release quirks', () => {
  it('v0.21–v0.24 with DISABLE_SDK answer code 0 and data false to any key; later releases ignore it', async () => {
    for (const release of ['v0.22', 'v0.23.0', 'v0.24'] as const) {
      const s = await start({ release, disableSdk: true });
      const [key] = s.seedKeys(USER.email, 1);
      for (const auth of [`Bearer ${key}`, 'Bearer ragflow-nonsense']) {
        const r = await call(s, 'GET', DATASETS, { auth });
        expect([r.status, r.json]).toEqual([200, { code: 0, message: "`Authorization` can't be empty", data: false }]);
      }
    }
    const s = await start({ release: 'v0.26', disableSdk: true });
    const [key] = s.seedKeys(USER.email, 1);
    expect((await call(s, 'GET', DATASETS, { auth: `Bearer ${key}` })).json).toEqual({
      code: 0,
      data: [],
      total_datasets: 0,
    });
    expect((await call(s, 'GET', DATASETS, { auth: 'Bearer ragflow-nonsense' })).status).toBe(401);
  });

  it('checks an SDK key per release: token_required up to v0.24, login_required after, the Go middleware', async () => {
    const legacy = await start({ release: 'v0.24' });
    const [key] = legacy.seedKeys(USER.email, 1);
    expect((await call(legacy, 'GET', DATASETS, { auth: `Bearer ${key}` })).json).toEqual({
      code: 0,
      data: [],
      total_datasets: 0,
    });
    expect((await call(legacy, 'GET', DATASETS)).json).toEqual({
      code: 0,
      message: "`Authorization` can't be empty",
      data: false,
    });
    expect((await call(legacy, 'GET', DATASETS, { auth: key })).json).toEqual({
      code: 0,
      message: 'Please check your authorization format.',
      data: false,
    });
    const bad = await call(legacy, 'GET', DATASETS, { auth: 'Bearer ragflow-nonsense' });
    expect([bad.status, bad.json]).toEqual([
      200,
      { code: 109, message: 'Authentication error: API key is invalid!', data: false },
    ]);

    const mixed = await start({ release: 'v0.25.0' });
    const bad2 = await call(mixed, 'GET', DATASETS, { auth: 'Bearer ragflow-nonsense' });
    expect([bad2.status, bad2.json]).toEqual([
      401,
      { code: 401, message: "<Unauthorized '401: Unauthorized'>", data: null },
    ]);
    // login_required: a session passes the "key" check as well.
    const session = (await signIn(mixed)).auth!;
    expect((await call(mixed, 'GET', DATASETS, { auth: `Bearer ${session}` })).json.code).toBe(0);

    const go = await start({ release: 'go' });
    const bad3 = await call(go, 'GET', DATASETS, { auth: 'Bearer ragflow-nonsense' });
    expect([bad3.status, bad3.json]).toEqual([401, { code: 401, data: null, message: 'Invalid access token' }]);
  });

  it('deletes in tenants[0] from v0.23.1 on (Python): a user invited to another team keeps the key', async () => {
    const expectKept: Record<Release, boolean> = {
      'v0.22': false,
      'v0.23.0': false,
      'v0.24': true,
      'v0.25.0': true,
      'v0.25.1': true,
      'v0.26': true,
      go: false,
    };
    for (const release of RELEASES) {
      const s = await start({ release, users: [{ ...USER, otherTeam: true }] });
      const auth = (await signIn(s)).auth!;
      const [key] = s.seedKeys(USER.email, 1);
      const del = await call(s, 'DELETE', ROUTES[release].delete + key, { auth });
      expect([release, del.json.code, del.json.data]).toEqual([release, 0, true]);
      const listed = await call(s, 'GET', ROUTES[release].list, { auth });
      expect([release, listed.json.data.length]).toEqual([release, expectKept[release] ? 1 : 0]);
    }
  });

  it('lets an API key use the token routes from v0.24 on (as Bearer), and a Bearer session from v0.25.0 on', async () => {
    const accepts: Record<Release, [boolean, boolean]> = {
      'v0.22': [false, false],
      'v0.23.0': [false, false],
      'v0.24': [true, false],
      'v0.25.0': [true, true],
      'v0.25.1': [true, true],
      'v0.26': [true, true],
      go: [true, true],
    };
    for (const release of RELEASES) {
      const s = await start({ release });
      const session = (await signIn(s)).auth!;
      const [key] = s.seedKeys(USER.email, 1);
      const byKey = await call(s, 'GET', ROUTES[release].list, { auth: `Bearer ${key}` });
      const bySession = await call(s, 'GET', ROUTES[release].list, { auth: `Bearer ${session}` });
      expect([release, byKey.json.code === 0, bySession.json.code === 0]).toEqual([release, ...accepts[release]]);
    }
  });

  it('v0.26.1+ checks the nickname; Python registration with a foreign ciphertext fails with code 100', async () => {
    const s = await start({ release: 'v0.26' });
    const register = (nickname: string, password = encrypt(s, 'pw')) =>
      call(s, 'POST', ROUTES['v0.26'].register, {
        body: { nickname, email: `${nickname.length}@example.com`, password },
      });
    expect((await register('<b>x</b>')).json).toEqual({
      code: 101,
      message: 'Nickname contains invalid characters.',
      data: false,
    });
    expect((await register('n'.repeat(101))).json.message).toBe('Nickname must be at most 100 characters.');
    expect((await register('   ')).json.message).toBe('Nickname cannot be empty.');
    expect((await register("José O'Neil-Smith")).json.code).toBe(0);
    const foreign = new JSEncrypt();
    foreign.setPublicKey(otherKeyPair());
    const cipher = foreign.encrypt(Buffer.from('pw').toString('base64')) as string;
    expect((await register('Foreign', cipher)).json).toEqual({
      code: 100,
      message: "AttributeError(\"'str' object has no attribute 'decode'\")",
      data: null,
    });
    const login = await call(s, 'POST', ROUTES['v0.26'].login, { body: { email: USER.email, password: cipher } });
    expect(login.json).toEqual({ code: 500, message: 'Fail to crypt password', data: false });
    // The older releases take any nickname.
    const old = await start({ release: 'v0.25.1' });
    const ok = await call(old, 'POST', ROUTES['v0.25.1'].register, {
      body: { nickname: '<b>x</b>', email: 'x@example.com', password: encrypt(old, 'pw') },
    });
    expect(ok.json.code).toBe(0);
  });

  it('puts the new access token in login data on Python up to v0.25.5 and on Go, none on later Python', async () => {
    for (const release of ['v0.24', 'v0.26', 'go'] as const) {
      const s = await start({ release });
      const first = await signIn(s);
      const second = await signIn(s);
      const raw = (auth: string) => JSON.parse(Buffer.from(auth.split('.')[0]!, 'base64url').toString('utf8'));
      expect(first.auth).not.toBe(second.auth);
      if (release === 'v0.24') expect(second.json.data.access_token).toBe(raw(second.auth!));
      if (release === 'v0.26') expect(second.json.data).not.toHaveProperty('access_token');
      if (release === 'go') expect(second.json.data.access_token).toBe(raw(second.auth!));
    }
  });

  it('lists the configured login channels in the Python shape; the Go server lists none', async () => {
    const ssoChannels = [{ channel: 'github', display_name: 'GitHub', icon: 'github' }, { channel: 'oidc' }];
    for (const release of ['v0.22', 'v0.25.0', 'v0.26'] as const) {
      const s = await start({ release, ssoChannels });
      expect((await call(s, 'GET', ROUTES[release].channels)).json).toEqual({
        code: 0,
        message: 'success',
        data: [
          { channel: 'github', display_name: 'GitHub', icon: 'github' },
          { channel: 'oidc', display_name: 'Oidc', icon: 'sso' },
        ],
      });
    }
    const go = await start({ release: 'go', ssoChannels });
    expect((await call(go, 'GET', ROUTES.go.channels)).json).toEqual({ code: 0, data: [], message: 'success' });
  });

  it('keeps Python logins open when password login is switched off: only the config says so', async () => {
    const s = await start({ release: 'v0.26', passwordLoginEnabled: false });
    expect((await call(s, 'GET', ROUTES['v0.26'].config)).json.data.disablePasswordLogin).toBe(true);
    expect((await signIn(s)).json.code).toBe(0);
  });
});

describe('the Go server', () => {
  it('expires a session after 24 hours; Python never does', async () => {
    const go = await start({ release: 'go' });
    const auth = (await signIn(go)).auth!;
    expect((await call(go, 'GET', ROUTES.go.me, { auth })).json.code).toBe(0);
    go.expireSession(USER.email);
    const expired = await call(go, 'GET', ROUTES.go.me, { auth });
    expect([expired.status, expired.json]).toEqual([401, { code: 401, data: null, message: 'Invalid access token' }]);
    const py = await start({ release: 'v0.26' });
    const pyAuth = (await signIn(py)).auth!;
    py.expireSession(USER.email);
    expect((await call(py, 'GET', ROUTES['v0.26'].me, { auth: pyAuth })).json.code).toBe(0);
  });

  it('refuses a superuser on the session routes with HTTP 403', async () => {
    const s = await start({ release: 'go', users: [{ ...USER, superuser: true }] });
    const auth = (await signIn(s)).auth!;
    const [key] = s.seedKeys(USER.email, 1);
    const forbidden = { code: 403, data: null, message: "Super user shouldn't access the URL" };
    for (const [method, path, a] of [
      ['GET', ROUTES.go.me, auth],
      ['GET', ROUTES.go.list, auth],
      ['POST', ROUTES.go.create, auth],
      ['GET', DATASETS, `Bearer ${key}`],
    ] as const) {
      const r = await call(s, method, path, { auth: a });
      expect([path, r.status, r.json]).toEqual([path, 403, forbidden]);
    }
  });

  it('speaks in lower case, validates the body, and takes an undecryptable password as typed', async () => {
    const s = await start({ release: 'go' });
    const login = (body: unknown) => call(s, 'POST', ROUTES.go.login, { body });
    expect((await login({ email: 'not-an-email', password: 'x' })).json).toEqual({
      code: 400,
      data: false,
      message: "Key: 'EmailLoginRequest.Email' Error:Field validation for 'Email' failed on the 'email' tag",
    });
    expect((await login({ email: 'nobody@example.com', password: 'x' })).json).toEqual({
      code: 109,
      data: false,
      message: 'email: nobody@example.com is not registered',
    });
    expect((await login({ email: USER.email, password: 'bm90LWEtY2lwaGVy' })).json).toEqual({
      code: 109,
      data: false,
      message: 'email and password do not match',
    });
    const register = (body: unknown) => call(s, 'POST', ROUTES.go.register, { body });
    expect((await register({ email: 'a b@example.com', password: 'x', nickname: 'N' })).json).toMatchObject({
      code: 400,
      message: "Key: 'RegisterRequest.Email' Error:Field validation for 'Email' failed on the 'email' tag",
    });
    expect((await register({ ...USER, password: encrypt(s, 'pw') })).json).toEqual({
      code: 103,
      data: false,
      message: `email: ${USER.email} has already registered`,
    });
  });

  it('sends CORS headers with login only, not with the config; marks every answer as its own', async () => {
    const s = await start({ release: 'go' });
    const config = await call(s, 'GET', ROUTES.go.config, { origin: 'https://example.org' });
    expect(config.headers.get('access-control-allow-origin')).toBeNull();
    expect(config.headers.get('x-api-source')).toBe('go');
    const login = await signIn(s);
    expect(login.headers.get('access-control-allow-origin')).toBe('*');
    expect(login.headers.get('access-control-expose-headers')).toBe('Authorization');
    const preflight = await fetch(`${s.url}${ROUTES.go.config}`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(404);
    const py = await start({ release: 'v0.26' });
    const pyConfig = await call(py, 'GET', ROUTES['v0.26'].config, { origin: 'https://example.org' });
    expect(pyConfig.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('serves the key routes under /api/v1/system/keys too, with its own key objects', async () => {
    const s = await start({ release: 'go' });
    const auth = (await signIn(s)).auth!;
    const created = await call(s, 'POST', '/api/v1/system/keys', { auth });
    expect(created.json.data).toEqual({
      tenant_id: expect.any(String),
      token: expect.stringMatching(/^ragflow-/),
      beta: expect.stringMatching(/^[0-9a-f]{32}$/),
      create_time: expect.any(Number),
      create_date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      update_time: expect.any(Number),
      update_date: expect.any(String),
    });
    expect((await call(s, 'GET', '/api/v1/system/keys', { auth })).json.data).toHaveLength(1);
    expect((await call(s, 'DELETE', `/api/v1/system/keys/${created.json.data.token}`, { auth })).json).toEqual({
      code: 0,
      data: true,
      message: 'success',
    });
    expect(s.apiKeys(USER.email)).toEqual([]);
  });
});
