/**
 * The baseline the benchmark compares against: the usual script people run to get a RAGFlow
 * key, re-implemented here. Every run it tries to register, logs in (which rotates the session
 * and signs the web app out) and mints a new key; it speaks only the legacy routes that RAGFlow
 * removed in v0.25.1.
 */
import { encryptPassword } from '../../lib/ragflow/password';

interface Account {
  email: string;
  password: string;
  nickname: string;
}

async function post(url: string, body: unknown, authorization?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(authorization && { Authorization: authorization }) },
    body: JSON.stringify(body),
  });
}

/** Returns the new key, as the script prints it. */
export async function usualScript(serverUrl: string, account: Account, publicKeyPem: string): Promise<string> {
  const password = encryptPassword(account.password, publicKeyPem);
  // "Register in case the account does not exist yet": fails every time after the first.
  await (await post(`${serverUrl}/v1/user/register`, { ...account, password })).text();
  const login = await post(`${serverUrl}/v1/user/login`, { email: account.email, password });
  await login.text();
  const authorization = login.headers.get('Authorization');
  if (!authorization) throw new Error('usual script: login failed');
  const created = (await (await post(`${serverUrl}/v1/system/new_token`, {}, authorization)).json()) as {
    data: { token: string };
  };
  return created.data.token;
}
