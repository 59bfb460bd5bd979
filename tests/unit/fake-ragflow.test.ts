import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decryptPassword,
  type FakeRagflow,
  type FakeRagflowOptions,
  secretsSeenByFakeServers,
  startFakeRagflow,
} from '../fake-ragflow';
import { callFake as call, encryptFor as encrypt } from '../support/fake-http';

const USER = { email: 'demo@example.com', password: 'demo-password', nickname: 'Demo' };
const PATHS = {
  legacy: {
    config: '/v1/system/config',
    login: '/v1/user/login',
    me: '/v1/user/info',
    keys: '/v1/system/token_list',
    newKey: '/v1/system/new_token',
    version: '/v1/system/version',
  },
  mixed: {
    config: '/v1/system/config',
    login: '/v1/user/login',
    me: '/v1/user/info',
    keys: '/api/v1/system/tokens',
    newKey: '/api/v1/system/tokens',
    version: '/api/v1/system/version',
  },
  restful: {
    config: '/api/v1/system/config',
    login: '/api/v1/auth/login',
    me: '/api/v1/users/me',
    keys: '/api/v1/system/tokens',
    newKey: '/api/v1/system/tokens',
    version: '/api/v1/system/version',
  },
} as const;

let server: FakeRagflow | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: FakeRagflowOptions): Promise<FakeRagflow> {
  server = await startFakeRagflow({ users: [USER], ...options });
  return server;
}

describe.each(['legacy', 'mixed', 'restful'] as const)('fake RAGFlow, %s', (generation) => {
  const p = PATHS[generation];
  const login = (s: FakeRagflow, password = USER.password) =>
    call(s, 'POST', p.login, { body: { email: USER.email, password: encrypt(s, password) } });

  it('serves its own routes and 404s the others', async () => {
    const s = await start({ generation });
    const config = await call(s, 'GET', p.config);
    expect(config.status).toBe(200);
    expect(config.type).toContain('application/json');
    expect(config.json).toMatchObject({ code: 0, data: { registerEnabled: 1 } });
    expect('disablePasswordLogin' in config.json.data).toBe(generation !== 'legacy');
    const other = generation === 'restful' ? PATHS.legacy.login : PATHS.restful.login;
    const nf = await call(s, 'POST', other, { body: {} });
    expect(nf.status).toBe(404);
    expect(nf.json).toEqual({ code: 404, message: `Not Found: ${other}`, data: null, error: 'Not Found' });
    const version = await call(s, 'GET', p.version);
    expect(version.status).toBe(generation === 'legacy' ? 401 : 200);
    expect(s.count('config')).toBe(1);
    expect(s.count()).toBe(3);
  });

  it('logs in, rotates the token, manages keys', async () => {
    const s = await start({ generation });
    expect((await call(s, 'GET', p.me)).status).toBe(401);
    const bad = await login(s, 'wrong');
    expect(bad.json).toMatchObject({ code: 109, message: 'Email and password do not match!' });
    const first = await login(s);
    expect(first.json).toMatchObject({ code: 0, message: 'Welcome back!', data: { email: USER.email } });
    expect(first.auth).toBe(s.sessionToken(USER.email));
    const second = await login(s);
    expect(second.auth).not.toBe(first.auth);
    expect((await call(s, 'GET', p.me, { auth: first.auth! })).status).toBe(401);
    expect((await call(s, 'GET', p.me, { auth: second.auth! })).json.data.nickname).toBe('Demo');
    const bearer = await call(s, 'GET', p.me, { auth: `Bearer ${second.auth}` });
    // v0.25.0 and later strip a `Bearer ` prefix (docs/ragflow-releases.md, "The Authorization header").
    expect(bearer.status).toBe(generation === 'legacy' ? 401 : 200);

    const created = await call(s, 'POST', p.newKey, { auth: second.auth!, body: {} });
    const token: string = created.json.data.token;
    expect(token).toMatch(/^ragflow-[A-Za-z0-9_-]{43}$/);
    expect(s.apiKeys(USER.email)).toEqual([token]);
    const list = await call(s, 'GET', p.keys, { auth: second.auth! });
    expect(list.json.data).toMatchObject([{ token, dialog_id: null }]);
    const ds = await call(s, 'GET', '/api/v1/datasets?page=1&page_size=1', { auth: `Bearer ${token}` });
    expect(ds.json.code).toBe(0);
    const delPath = generation === 'legacy' ? `/v1/system/token/${token}` : `/api/v1/system/tokens/${token}`;
    expect((await call(s, 'DELETE', delPath, { auth: second.auth! })).json).toMatchObject({ code: 0, data: true });
    const dead = await call(s, 'GET', '/api/v1/datasets?page=1&page_size=1', { auth: `Bearer ${token}` });
    expect([dead.status, dead.json.code]).toEqual(generation === 'legacy' ? [200, 109] : [401, 401]);
  });
});

describe('fake RAGFlow extras', () => {
  it('records every secret it saw or made, for the leak audits, even when it then fails', async () => {
    const s = await start({ generation: 'restful' });
    const wrong = encrypt(s, 'a-wrong-password');
    const right = encrypt(s, USER.password);
    s.injectFault('login', 'server-error', 1);
    await call(s, 'POST', PATHS.restful.login, { body: { email: USER.email, password: wrong } });
    const login = await call(s, 'POST', PATHS.restful.login, { body: { email: USER.email, password: right } });
    const key = await call(s, 'POST', PATHS.restful.newKey, { auth: login.auth! });

    const seen = secretsSeenByFakeServers();
    expect(seen.passwords).toEqual(expect.arrayContaining([USER.password, 'a-wrong-password']));
    expect(seen.passwordCiphertexts).toEqual(expect.arrayContaining([wrong, right]));
    // v0.26 leaves the raw token out of the user data; it is the payload of the signed header.
    expect(login.json.data.access_token).toBeUndefined();
    const raw = JSON.parse(Buffer.from(login.auth!.split('.')[0]!, 'base64url').toString('utf8'));
    expect(seen.sessionTokens).toEqual(expect.arrayContaining([login.auth, raw]));
    expect(seen.apiKeys).toEqual(expect.arrayContaining([key.json.data.token, key.json.data.beta]));
  });

  it('injects faults a given number of times', async () => {
    const s = await start({ generation: 'restful' });
    s.injectFault('config', 'html502', 1);
    const r1 = await call(s, 'GET', PATHS.restful.config);
    expect([r1.status, r1.type]).toEqual([502, 'text/html; charset=utf-8']);
    expect((await call(s, 'GET', PATHS.restful.config)).json.code).toBe(0);
    s.injectFault('*', 'reset');
    await expect(fetch(`${s.url}/api/v1/system/version`)).rejects.toThrow();
    s.clearFaults();
    s.injectFault('login', 'no-auth-header', 1);
    const noHeader = await call(s, 'POST', PATHS.restful.login, {
      body: { email: USER.email, password: encrypt(s, USER.password) },
    });
    expect([noHeader.json.code, noHeader.auth]).toEqual([0, null]);
    s.injectFault('version', 'hang');
    const hanging = fetch(`${s.url}/api/v1/system/version`).catch(() => 'closed');
    await new Promise((r) => setTimeout(r, 50));
    await s.close();
    expect(await hanging).toBe('closed');
  });

  it('acts like nginx under a path prefix', async () => {
    const s = await start({ generation: 'mixed', nginx: true, pathPrefix: '/ragflow/' });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ragflow$/);
    const html = await call(s, 'GET', '/login');
    expect([html.status, html.text]).toEqual([200, expect.stringContaining('<div id="root">')]);
    expect((await call(s, 'GET', '/api/v1/system/version')).json).toEqual({
      code: 0,
      data: 'v0.25.0',
      message: 'success',
    });
    s.options.generation = 'restful';
    s.options.version = 'v0.26.0';
    expect((await call(s, 'GET', '/api/v1/system/config')).json.code).toBe(0);
    expect((await call(s, 'GET', '/v1/system/config')).status).toBe(404);
  });

  it('signs in the web app without a request, rotating the token like a login', async () => {
    const s = await start({ generation: 'legacy', nginx: true });
    const first = s.signInWebApp(USER.email);
    const second = s.signInWebApp(USER.email.toUpperCase());
    expect(second).toBe(s.sessionToken(USER.email));
    expect((await call(s, 'GET', PATHS.legacy.me, { auth: first })).status).toBe(401);
    expect((await call(s, 'GET', PATHS.legacy.me, { auth: second })).json.data.email).toBe(USER.email);
    expect((await call(s, 'GET', '/')).text).toContain('<div id="root">');
    expect(s.count('login')).toBe(0);
    expect(() => s.signInWebApp('nobody@example.com')).toThrow();
  });

  it('decrypts like RAGFlow and rejects garbage', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const s = await start({ generation: 'legacy', keyPair: { publicKeyPem: publicKey, privateKeyPem: privateKey } });
    expect(decryptPassword(encrypt(s, 'pässwörd ✓'), privateKey)).toBe('pässwörd ✓');
    expect(decryptPassword('bm90LWEtY2lwaGVy', privateKey)).toBeNull();
    const r = await call(s, 'POST', PATHS.legacy.login, { body: { email: USER.email, password: 'bm90LWEtY2lwaGVy' } });
    expect(r.json).toMatchObject({ code: 500, message: 'Fail to crypt password' });
  });

  it("checks a new account's email with RAGFlow's pattern, Unicode letters included as in Python", async () => {
    const s = await start({ generation: 'legacy' });
    const register = (email: string) =>
      call(s, 'POST', '/v1/user/register', { body: { nickname: 'N', email, password: encrypt(s, 'pw') } });
    expect((await register('josé@exämple.com')).json).toMatchObject({ code: 0 });
    expect(s.nickname('josé@exämple.com')).toBe('N');
    for (const email of ['no-at-sign', 'a b@example.com', 'a@example.c', 'a+tag@example.com']) {
      expect((await register(email)).json).toMatchObject({ code: 103, message: `Invalid email address: ${email}!` });
    }
  });
});
