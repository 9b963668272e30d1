/**
 * Google OAuth 2.0 JWT-bearer flow for a service account, kept small: an RS256 JWT (`#connectors/jwt`)
 * exchanged at the token URL for an access token. The token is cached until a minute before it
 * expires, and dropped when the API answers 401.
 */
import type { VendorHttp } from '#connectors/http';
import { jwtBearerForm, signJwt } from '#connectors/jwt';

export const ANALYTICS_EDIT_SCOPE = 'https://www.googleapis.com/auth/analytics.edit';

export interface ServiceAccount {
  clientEmail: string;
  privateKey: string;
  tokenUrl: string;
  scope: string;
}

/** The signed assertion for `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`. */
export function signAssertion(account: ServiceAccount, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return signJwt({ iss: account.clientEmail, scope: account.scope, aud: account.tokenUrl, iat: nowSeconds, exp: nowSeconds + 3600 }, account.privateKey);
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
      form: jwtBearerForm(signAssertion(this.account)),
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
