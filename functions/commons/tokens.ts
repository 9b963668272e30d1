/**
 * Secrets handed to subjects (status-link tokens, download tokens, verification codes) are stored only
 * as hashes, and compared in constant time.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

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
 * Hash of a verification code, bound to its request so a code for one request never matches another's.
 * A random salt per code keeps equal codes from having equal hashes.
 */
export function hashCode(requestId: string, code: string, salt: string): string {
  return createHash('sha256').update(`${salt}:${requestId}:${code}`, 'utf8').digest('hex');
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
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
