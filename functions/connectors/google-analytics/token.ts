/**
 * Google OAuth 2.0 JWT-bearer flow for a service account, kept small: an RS256 JWT signed with
 * node:crypto from the key in the credentials, exchanged at the token URL for an access token. The
 * token is cached until a minute before it expires, and dropped when the API answers 401.
 */
import { sign } from 'node:crypto';
import type { VendorHttp } from '#connectors/http';

export const ANALYTICS_EDIT_SCOPE = 'https://www.googleapis.com/auth/analytics.edit';

export interface ServiceAccount {
  clientEmail: string;
  privateKey: string;
  tokenUrl: string;
  scope: string;
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/** The signed assertion for `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`. */
export function signAssertion(account: ServiceAccount, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({ iss: account.clientEmail, scope: account.scope, aud: account.tokenUrl, iat: nowSeconds, exp: nowSeconds + 3600 }),
  );
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), account.privateKey);
  return `${header}.${claims}.${base64url(signature)}`;
}

export class ServiceAccountToken {
  private cached?: { token: string; expiresAt: number };

  constructor(
    private readonly account: ServiceAccount,
    private readonly http: () => VendorHttp,
  ) {}

  async get(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.cached.expiresAt > Date.now()) return this.cached.token;
    const body = await this.http().json<{ access_token: string; expires_in?: number }>({
      method: 'POST',
      url: this.account.tokenUrl,
      label: 'POST token',
      anonymous: true,
      form: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signAssertion(this.account) }),
      signal,
    });
    const lifetimeMs = Math.max(0, (body.expires_in ?? 3600) - 60) * 1000;
    this.cached = { token: body.access_token, expiresAt: Date.now() + lifetimeMs };
    return body.access_token;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
