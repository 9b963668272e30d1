/**
 * The OAuth 2.0 JWT bearer grant (RFC 7523) as Google and Salesforce both take it: an RS256 JWT signed
 * with node:crypto from the PEM key in the credentials, so neither vendor's SDK (nor a JWT library) is
 * needed for one signature.
 */
import { sign } from 'node:crypto';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/** `header.claims.signature`, signed RS256 with the PEM private key. */
export function signJwt(claims: Record<string, unknown>, privateKeyPem: string): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(claims));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${body}`), privateKeyPem);
  return `${header}.${body}.${base64url(signature)}`;
}

/** The token request's form for an assertion. */
export function jwtBearerForm(assertion: string): URLSearchParams {
  return new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion });
}
