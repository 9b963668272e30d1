/**
 * The Cognito sign-in path (authorization code with PKCE), exercised without Cognito: the hosted UI's
 * token endpoint is a fake fetch, storage is an in-memory Storage.
 */
import { createHash, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  beginCognitoSignIn,
  clearSession,
  codeChallenge,
  completeCognitoSignIn,
  readSession,
  saveSession,
} from '../../console/src/console/auth.ts';
import { parseClientConfig, type CognitoAuth } from '../../console/src/shared/config.ts';

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const auth: CognitoAuth = {
  mode: 'cognito',
  domain: 'https://dsar-test.auth.eu-north-1.amazoncognito.com',
  clientId: 'client123',
  redirectUri: 'https://privacy.example.test/console/callback',
  logoutUri: 'https://privacy.example.test/console/',
  scopes: ['openid', 'email'],
};
const crypto = webcrypto as unknown as Crypto;

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.sig`;
}

describe('Cognito sign-in with PKCE', () => {
  it('It should compute the S256 challenge: base64url of the SHA-256 of the verifier, unpadded', async () => {
    const verifier = 'a-verifier_with.allowed~characters0123456789abcdefghijklmnop';
    const challenge = await codeChallenge(crypto, verifier);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('It should send the browser to the hosted UI with a challenge, and exchange the code with the verifier', async () => {
    // Prepare
    const storage = new MemoryStorage();
    const url = new URL(await beginCognitoSignIn(auth, storage, crypto, '/console/requests/dsar_abc12345'));
    const q = url.searchParams;
    expect(url.origin + url.pathname).toBe(`${auth.domain}/oauth2/authorize`);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('client123');
    expect(q.get('redirect_uri')).toBe(auth.redirectUri);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('scope')).toBe('openid email');
    let sent: URLSearchParams | undefined;
    const fakeFetch = (async (input: string, init: RequestInit) => {
      expect(input).toBe(`${auth.domain}/oauth2/token`);
      sent = new URLSearchParams(String(init.body));
      const idToken = jwt({ sub: 'u1', email: 'dpo@example.test', 'cognito:groups': ['approver'] });
      return new Response(JSON.stringify({ id_token: idToken, access_token: 'a', expires_in: 3600 }), { status: 200 });
    }) as unknown as typeof fetch;

    // Act
    const { session, returnTo } = await completeCognitoSignIn(auth, `?code=the-code&state=${q.get('state')}`, storage, fakeFetch, 1_000);

    // Assess
    const verifier = sent!.get('code_verifier')!;
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(q.get('code_challenge'));
    expect(sent!.get('grant_type')).toBe('authorization_code');
    expect(sent!.get('code')).toBe('the-code');
    expect(session.staff).toEqual({ id: 'dpo@example.test', roles: ['approver'] });
    expect(session.expiresAt).toBe(1_000 + 3_600_000);
    expect(returnTo).toBe('/console/requests/dsar_abc12345');
  });

  it('It should refuse an answer whose state does not match, and never reuse a started sign-in', async () => {
    const storage = new MemoryStorage();
    await beginCognitoSignIn(auth, storage, crypto, '/console/');
    const neverCalled = (async () => {
      throw new Error('must not call the token endpoint');
    }) as unknown as typeof fetch;
    await expect(completeCognitoSignIn(auth, '?code=c&state=forged', storage, neverCalled)).rejects.toThrow(/does not match/);
    await expect(completeCognitoSignIn(auth, '?code=c&state=forged', storage, neverCalled)).rejects.toThrow(/No sign-in was started/);
  });

  it('It should keep the session in the storage given (sessionStorage), and drop it when expired', () => {
    const storage = new MemoryStorage();
    saveSession(storage, { token: 't', staff: { id: 'a', roles: ['viewer'] }, expiresAt: 2_000 });
    expect(readSession(storage, 1_000)?.token).toBe('t');
    expect(readSession(storage, 2_000)).toBeUndefined();
    expect(storage.length).toBe(0);
    saveSession(storage, { token: 't', staff: { id: 'a', roles: ['viewer'] } });
    clearSession(storage);
    expect(readSession(storage)).toBeUndefined();
  });

  it('It should read config.json and refuse a Cognito configuration without its client id', () => {
    const publicForm = { organisation: 'X', types: ['access'], askJurisdiction: false, jurisdictions: ['GDPR'], defaultJurisdiction: 'GDPR' };
    expect(parseClientConfig({ apiBaseUrl: 'https://api.example.test/', auth, publicForm }).apiBaseUrl).toBe('https://api.example.test');
    expect(() => parseClientConfig({ auth: { ...auth, clientId: '' }, publicForm })).toThrow(/clientId/);
    expect(() => parseClientConfig({ auth: { mode: 'basic' }, publicForm })).toThrow(/auth.mode/);
  });
});
