/**
 * Reading an RS256 JWT bearer assertion the way the vendors' token endpoints do: the signature checked
 * against the public key the sandbox was configured with, then the claims handed to the vendor's own
 * checks (issuer, subject, audience, lifetime).
 */
import { verify, type KeyObject } from 'node:crypto';

export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string;
  exp?: number;
  iat?: number;
  scope?: string;
}

/** The claims of a validly signed assertion, or why it is not one. */
export function readAssertion(assertion: string, publicKey: KeyObject): { claims: JwtClaims } | { error: string } {
  const parts = assertion.split('.');
  if (parts.length !== 3) return { error: 'Invalid JWT' };
  const [header, claims, signature] = parts as [string, string, string];
  try {
    const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string }).alg;
    if (alg !== 'RS256') return { error: 'Invalid JWT: alg must be RS256' };
  } catch {
    return { error: 'Invalid JWT' };
  }
  if (!verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'))) {
    return { error: 'Invalid JWT Signature.' };
  }
  try {
    return { claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as JwtClaims };
  } catch {
    return { error: 'Invalid JWT' };
  }
}
