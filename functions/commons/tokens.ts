/**
 * Secrets handed to subjects (status-link tokens, download tokens, verification codes) are stored only
 * as hashes, and compared in constant time.
 */
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** A URL-safe random token with 256 bits of entropy. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A 6-digit verification code, uniformly drawn (leading zeros kept). */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * Hash of a verification code: HMAC-SHA256 under the installation's code key (./code-key.ts), bound to
 * its request so a code for one request never matches another's. Keyed, because a 6-digit code has only
 * 10^6 values: with a plain (even salted) hash, anyone who reads the table recovers a live code by trying
 * them all; without the key they cannot.
 */
export function hashCode(requestId: string, code: string, key: Uint8Array): string {
  return createHmac('sha256', key).update(`${requestId}:${code}`, 'utf8').digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Request ids: unguessable, sortable by creation time, safe in URLs and S3 keys. */
export function newRequestId(now = new Date()): string {
  return `dsar_${now.getTime().toString(36)}${randomBytes(10).toString('hex')}`;
}

/** The subject index key: a hash, so the index never holds an email in clear. */
export function subjectHash(normalizedEmail: string): string {
  return createHash('sha256').update(`subject:${normalizedEmail}`, 'utf8').digest('hex');
}
