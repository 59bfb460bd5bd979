/** Plain HTTP against a fake RAGFlow, for the tests of the fake itself: no client in between. */
import { JSEncrypt } from 'jsencrypt';

import type { FakeRagflow } from '../fake-ragflow';

/** The password as RAGFlow's web app sends it: base64, then RSA with the server's public key. */
export function encryptFor(server: FakeRagflow, password: string): string {
  const enc = new JSEncrypt();
  enc.setPublicKey(server.publicKeyPem);
  const out = enc.encrypt(Buffer.from(password, 'utf8').toString('base64'));
  if (!out) throw new Error('encrypt failed');
  return out;
}

/** One request to the fake, its answer read as text and, where it is JSON, parsed. */
export async function callFake(
  server: FakeRagflow,
  method: string,
  path: string,
  opts: { auth?: string; body?: unknown; origin?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.auth) headers.Authorization = opts.auth;
  if (opts.origin) headers.Origin = opts.origin;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(server.url + path, {
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
  return {
    status: res.status,
    json,
    text,
    headers: res.headers,
    auth: res.headers.get('authorization'),
    type: res.headers.get('content-type'),
  };
}
