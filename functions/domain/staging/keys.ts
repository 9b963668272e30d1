/**
 * Where staged records live: `staging/<requestId>/<connectorId>/<objectSlug>.jsonl`.
 *
 * Object names come from vendors (`Contact`, `charges`, a configured table name) and may hold characters
 * that are awkward in S3 keys or unsafe in paths, so the key uses a slug; the real name stays inside every
 * staged record, which is what the export reads.
 */
import { createHash } from 'node:crypto';

export const STAGING_ROOT = 'staging';

/** Path segments we accept from callers verbatim: request ids and connector ids are ours, never a subject's. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function assertSegment(kind: string, value: string): void {
  if (!SEGMENT.test(value) || value.includes('..')) throw new TypeError(`${kind} is not safe in a staging key`);
}

/** The prefix of everything staged for one request. */
export function stagingPrefix(requestId: string): string {
  assertSegment('requestId', requestId);
  return `${STAGING_ROOT}/${requestId}/`;
}

/**
 * A short, S3-safe slug for an object name. Names that are already safe stay readable as they are; any
 * other name gets a hash suffix so that `a/b` and `a_b` never share a key.
 */
export function objectSlug(object: string): string {
  const cleaned = object
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 80);
  if (cleaned === object && cleaned.length > 0) return cleaned;
  const hash = createHash('sha256').update(object, 'utf8').digest('hex').slice(0, 10);
  return cleaned ? `${cleaned}-${hash}` : `object-${hash}`;
}

export function stagingKey(requestId: string, connectorId: string, object: string): string {
  assertSegment('connectorId', connectorId);
  return `${stagingPrefix(requestId)}${connectorId}/${objectSlug(object)}.jsonl`;
}
