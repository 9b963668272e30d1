/**
 * Checks an incoming request's AWS Signature Version 4 the way S3 and DynamoDB do: the signature is
 * recomputed with the AWS SDK's own signer (`@smithy/signature-v4`) over the request as it arrived, with
 * the local runtime's secret, and compared in constant time. Both forms are understood: the
 * `Authorization` header, and presigned query parameters (`X-Amz-Signature`, with `X-Amz-Date` and
 * `X-Amz-Expires` bounding its life, at most seven days, as on AWS).
 *
 * The emulators themselves check nothing (dynalite accepts any well-formed header, s3rver answers
 * anonymous requests), so this is what makes a presigned URL mean what it means on AWS: one object, one
 * method, until its expiry, and nothing else.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export type SignedService = 's3' | 'dynamodb';

export type SigV4Failure =
  | 'missing' // no signature at all
  | 'malformed' // a signature that cannot be parsed
  | 'unknown-key' // signed with another access key
  | 'mismatch' // the signature is not the one the secret gives
  | 'expired' // a presigned URL past X-Amz-Date + X-Amz-Expires
  | 'skewed' // a header signature dated more than 15 minutes away from now
  | 'payload-mismatch'; // the body's SHA-256 is not the one the signature covers

export type SigV4Verdict =
  | { ok: true; presigned: boolean; payloadHash: string }
  | { ok: false; failure: SigV4Failure; message: string };

export interface SignedRequest {
  method: string;
  /** The request target exactly as it arrived: the raw path and query, still percent-encoded. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The whole body, when the signature covers it (DynamoDB; S3 with a hex `x-amz-content-sha256`). */
  body?: Uint8Array;
}

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** How far a header signature's date may be from now, as on AWS. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** Presigned URLs live at most a week, as on AWS. */
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;
/** The query parameters that carry a presigned signature (and nothing the object needs). */
export const PRESIGN_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
].map((p) => p.toLowerCase());

const fail = (failure: SigV4Failure, message: string): SigV4Verdict => ({ ok: false, failure, message });

export type Query = Record<string, string | string[]>;

/** A raw query string as the signer wants it: decoded keys and values, repeated keys as arrays. */
export function parseQuery(raw: string): Query {
  const query: Query = {};
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    const prev = query[key];
    query[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return query;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

/** `20260105T101500Z` as a Date, or undefined. */
function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

function parseCredential(value: string): Scope | undefined {
  const parts = value.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!)) return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function sha256Hex(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export interface VerifyOptions {
  service: SignedService;
  credentials: LocalCredentials;
  now: Date;
  /**
   * Whether to compare the body with a signed hex `x-amz-content-sha256` (default true). The S3 proxy
   * checks the signature before it reads a body, then the body itself, so nobody unsigned makes it buffer.
   */
  checkPayload?: boolean;
}

/** Verifies a request's SigV4 signature; see the module comment. */
export async function verifySigV4(request: SignedRequest, options: VerifyOptions): Promise<SigV4Verdict> {
  const q = request.url.indexOf('?');
  const path = q < 0 ? request.url : request.url.slice(0, q);
  let query: Query;
  try {
    query = parseQuery(q < 0 ? '' : request.url.slice(q + 1));
  } catch {
    return fail('malformed', 'The query string is not valid percent-encoding.');
  }
  const authorization = headerValue(request.headers, 'authorization');
  const presigned = query['X-Amz-Algorithm'] !== undefined || query['X-Amz-Signature'] !== undefined;
  if (authorization === undefined && !presigned) return fail('missing', 'The request carries no signature.');
  if (authorization !== undefined && presigned) return fail('malformed', 'Only one auth mechanism allowed.');
  if (presigned && options.service !== 's3') return fail('malformed', 'Presigned requests are an S3 feature.');

  let scope: Scope | undefined;
  let signedHeaderList: string;
  let presentedSignature: string;
  let amzDate: string | undefined;
  let expiresIn = 0;
  if (authorization !== undefined) {
    const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(authorization.trim());
    if (!m) return fail('malformed', 'The Authorization header is not an AWS4-HMAC-SHA256 signature.');
    scope = parseCredential(m[1]!);
    signedHeaderList = m[2]!;
    presentedSignature = m[3]!;
    amzDate = headerValue(request.headers, 'x-amz-date');
  } else {
    const algorithm = single(query['X-Amz-Algorithm']);
    const credential = single(query['X-Amz-Credential']);
    const signature = single(query['X-Amz-Signature']);
    const expires = single(query['X-Amz-Expires']);
    signedHeaderList = single(query['X-Amz-SignedHeaders']) ?? '';
    amzDate = single(query['X-Amz-Date']);
    if (algorithm !== 'AWS4-HMAC-SHA256' || !credential || !signature || !/^[0-9a-f]{64}$/.test(signature) || !expires || !signedHeaderList) {
      return fail('malformed', 'Query-string authentication requires X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.');
    }
    if (!/^\d{1,7}$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_EXPIRES_SECONDS) {
      return fail('malformed', 'X-Amz-Expires must be between 1 and 604800 seconds.');
    }
    expiresIn = Number(expires);
    scope = parseCredential(credential);
    presentedSignature = signature;
  }
  if (!scope) return fail('malformed', 'The credential scope is not <key>/<date>/<region>/<service>/aws4_request.');
  if (!sameText(scope.accessKeyId, options.credentials.accessKeyId)) {
    return fail('unknown-key', 'The AWS access key id you provided does not exist in our records.');
  }
  if (scope.service !== options.service) return fail('mismatch', `The credential scope names ${scope.service}, not ${options.service}.`);
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate || !amzDate!.startsWith(scope.date)) return fail('malformed', 'X-Amz-Date is missing, malformed, or not the scope date.');

  const signedNames = signedHeaderList.split(';');
  if (!signedNames.includes('host')) return fail('malformed', 'The signature must cover the host header.');
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    const value = headerValue(request.headers, name);
    if (value === undefined) return fail('mismatch', `The signed header ${name} is missing.`);
    headers[name] = value;
  }

  // What the signature says the body is; S3 sends it in a header, DynamoDB leaves it to the body.
  const declaredHash = headerValue(request.headers, 'x-amz-content-sha256');
  let payloadHash: string;
  if (presigned) payloadHash = single(query['X-Amz-Content-Sha256']) ?? UNSIGNED_PAYLOAD;
  else if (declaredHash !== undefined) payloadHash = declaredHash;
  else if (options.service === 's3') return fail('malformed', 'Missing required header for this request: x-amz-content-sha256.');
  else payloadHash = sha256Hex(request.body ?? new Uint8Array());

  const signer = new SignatureV4({
    credentials: options.credentials,
    region: scope.region,
    service: options.service,
    sha256: Sha256,
    // S3 signs the path as sent; other services normalise and encode it again.
    uriEscapePath: options.service !== 's3',
    applyChecksum: false,
  });
  // The signer reads the payload hash from this header; it is signed only when the client signed it.
  const unsigned = new Set<string>();
  if (headers['x-amz-content-sha256'] === undefined) {
    headers['x-amz-content-sha256'] = payloadHash;
    unsigned.add('x-amz-content-sha256');
  }
  const toSign = new HttpRequest({ method: request.method, protocol: 'http:', hostname: 'localhost', path, query, headers });
  const signableHeaders = new Set(signedNames);
  let expected: string | undefined;
  let expectedHeaderList: string | undefined;
  if (presigned) {
    const withoutSignature = { ...query };
    delete withoutSignature['X-Amz-Signature'];
    toSign.query = withoutSignature;
    const signed = await signer.presign(toSign, {
      signingDate,
      expiresIn,
      signingRegion: scope.region,
      signingService: options.service,
      signableHeaders,
      unsignableHeaders: unsigned,
      // Headers stay where the client put them: signed ones in the headers, hoisted ones already in the query.
      unhoistableHeaders: new Set(Object.keys(headers)),
    });
    expected = single(signed.query?.['X-Amz-Signature'] ?? undefined);
    expectedHeaderList = single(signed.query?.['X-Amz-SignedHeaders'] ?? undefined);
  } else {
    const signed = await signer.sign(toSign, {
      signingDate,
      signingRegion: scope.region,
      signingService: options.service,
      signableHeaders,
      unsignableHeaders: unsigned,
    });
    const m = /SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization));
    expectedHeaderList = m?.[1];
    expected = m?.[2];
  }
  if (!expected || expectedHeaderList !== signedHeaderList || !sameText(expected, presentedSignature)) {
    return fail('mismatch', 'The request signature we calculated does not match the signature you provided.');
  }

  // Time is checked after the signature, so a forged date cannot tell anything about the key.
  const now = options.now.getTime();
  if (presigned) {
    if (signingDate.getTime() - MAX_SKEW_MS > now) return fail('expired', 'Request is not yet valid.');
    if (signingDate.getTime() + expiresIn * 1000 < now) return fail('expired', 'Request has expired.');
  } else if (Math.abs(signingDate.getTime() - now) > MAX_SKEW_MS) {
    return fail('skewed', 'The difference between the request time and the current time is too large.');
  }
  if (options.checkPayload !== false && /^[0-9a-f]{64}$/i.test(payloadHash)) {
    if (!request.body || !sameText(sha256Hex(request.body), payloadHash.toLowerCase())) {
      return fail('payload-mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }
  return { ok: true, presigned, payloadHash };
}
