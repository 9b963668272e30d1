/**
 * Staff sign-in. On AWS: Cognito's hosted UI with the authorization code flow and PKCE (no client
 * secret can live in a browser). In the embedded runtime: the staff token `npm start` prints, pasted
 * into a password field. Either way the session lives in sessionStorage: it ends with the tab, and it is
 * not in localStorage where every later page load (and any injected script) would find it.
 */
import type { CognitoAuth } from '../shared/config.ts';
import type { Role } from './rules.ts';

export interface StaffSession {
  /** Sent as `Authorization: Bearer` to the API. */
  token: string;
  staff: { id: string; roles: Role[] };
  /** Epoch ms after which the token is no longer accepted; absent for local tokens. */
  expiresAt?: number;
}

const SESSION_KEY = 'dsar.staff.session';
const PKCE_KEY = 'dsar.staff.pkce';

export function readSession(storage: Storage, now = Date.now()): StaffSession | undefined {
  const raw = storage.getItem(SESSION_KEY);
  if (!raw) return undefined;
  try {
    const session = JSON.parse(raw) as StaffSession;
    if (session.expiresAt && session.expiresAt <= now) {
      storage.removeItem(SESSION_KEY);
      return undefined;
    }
    return session;
  } catch {
    storage.removeItem(SESSION_KEY);
    return undefined;
  }
}

export function saveSession(storage: Storage, session: StaffSession): void {
  storage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(storage: Storage): void {
  storage.removeItem(SESSION_KEY);
  storage.removeItem(PKCE_KEY);
}

export function rolesFrom(groups: unknown): Role[] {
  const list = Array.isArray(groups) ? groups.map(String) : typeof groups === 'string' ? groups.split(/[\s,]+/) : [];
  return list.filter((g): g is Role => g === 'approver' || g === 'viewer');
}

// ---- PKCE (RFC 7636) ----------------------------------------------------------------------------

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomString(crypto: Crypto, bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function codeChallenge(crypto: Crypto, verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/**
 * Step 1: remembers a fresh verifier and state in sessionStorage and returns the hosted UI's URL to
 * send the browser to.
 */
export async function beginCognitoSignIn(auth: CognitoAuth, storage: Storage, crypto: Crypto, returnTo: string): Promise<string> {
  const verifier = randomString(crypto, 48);
  const state = randomString(crypto, 16);
  storage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL('/oauth2/authorize', auth.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: auth.redirectUri,
    scope: (auth.scopes.length ? auth.scopes : ['openid', 'email', 'profile']).join(' '),
    state,
    code_challenge: await codeChallenge(crypto, verifier),
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/** Claims of a JWT, without verifying it: the API's JWT authorizer verifies; the console only reads the roles to shape the UI. */
export function jwtClaims(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1];
  if (!part) throw new Error('not a JWT');
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

/**
 * Step 2, on /console/callback?code=&state=: checks the state, exchanges the code and the verifier for
 * tokens, and returns the session and where to go next. The ID token is the bearer: it carries the
 * staff member's email (the audit trail's actor) and `cognito:groups`, and the API's authorizer accepts
 * it with the app client as audience.
 */
export async function completeCognitoSignIn(
  auth: CognitoAuth,
  search: string,
  storage: Storage,
  fetchImpl: typeof fetch,
  now = Date.now(),
): Promise<{ session: StaffSession; returnTo: string }> {
  const params = new URLSearchParams(search);
  const error = params.get('error');
  if (error) throw new Error(`Sign-in was refused: ${params.get('error_description') ?? error}`);
  const pending = storage.getItem(PKCE_KEY);
  storage.removeItem(PKCE_KEY);
  if (!pending) throw new Error('No sign-in was started in this tab. Start again.');
  const { verifier, state, returnTo } = JSON.parse(pending) as { verifier: string; state: string; returnTo: string };
  const code = params.get('code');
  if (!code || params.get('state') !== state) throw new Error('The sign-in answer does not match this tab. Start again.');
  const res = await fetchImpl(new URL('/oauth2/token', auth.domain).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.clientId,
      code,
      redirect_uri: auth.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  if (!res.ok) throw new Error(`The sign-in could not be completed (${res.status}). Start again.`);
  const tokens = (await res.json()) as { id_token?: string; expires_in?: number };
  if (!tokens.id_token) throw new Error('The sign-in answer has no ID token.');
  const claims = jwtClaims(tokens.id_token);
  const id = String(claims.email ?? claims['cognito:username'] ?? claims.sub ?? 'staff');
  const session: StaffSession = {
    token: tokens.id_token,
    staff: { id, roles: rolesFrom(claims['cognito:groups']) },
    expiresAt: now + (tokens.expires_in ?? 3600) * 1000,
  };
  return { session, returnTo: returnTo.startsWith('/console') ? returnTo : '/console/' };
}

export function cognitoLogoutUrl(auth: CognitoAuth): string {
  const url = new URL('/logout', auth.domain);
  url.search = new URLSearchParams({ client_id: auth.clientId, logout_uri: auth.logoutUri }).toString();
  return url.toString();
}
