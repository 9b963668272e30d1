/**
 * The front door of a local AWS emulator: listens on 127.0.0.1, refuses browsers (origin-guard.ts),
 * checks each request's SigV4 signature against the runtime's own credentials (sigv4-verify.ts), and
 * only then passes it to the emulator, which listens on a Unix socket in the private data folder where
 * no web page and no other user can reach it.
 *
 * Refusals use the service's own error shape, so SDK clients raise the error AWS would
 * (`SignatureDoesNotMatch`, `InvalidAccessKeyId`, `UnrecognizedClientException`, ...). Toward s3rver the
 * request is signed again with the only key s3rver knows (S3RVER; it refuses response-header overrides,
 * which presigned downloads use, on unsigned requests), the presigned parameters leave the query, and
 * aws-chunked upload bodies are decoded (aws-chunked.ts). Answers lose any `Access-Control-*` header the
 * emulator adds (dynalite allows every origin).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { guardRequests } from './origin-guard.ts';
import { listen } from './listen.ts';
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked.ts';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { PRESIGN_PARAMS, UNSIGNED_PAYLOAD, parseQuery, sha256Hex, verifySigV4, type LocalCredentials, type SigV4Failure, type SignedService } from './sigv4-verify.ts';

export interface SigV4ProxyOptions {
  service: SignedService;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where the emulator listens. */
  upstreamSocket: string;
  credentials: LocalCredentials;
  /** The clock signatures are checked against; tests pass a fixed one. */
  now?: () => Date;
}

export interface SigV4Proxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** DynamoDB's largest request is 16 MB; bodies whose hash is signed are held in memory to check it. */
const MAX_BUFFERED = { dynamodb: 16 * 1024 * 1024 + 64 * 1024, s3: 256 * 1024 * 1024 };

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer']);

type Refusal = SigV4Failure | 'forbidden' | 'too-large' | 'bad-body' | 'unavailable';

const S3_ERRORS: Record<Refusal, [number, string]> = {
  missing: [403, 'AccessDenied'],
  malformed: [400, 'AuthorizationHeaderMalformed'],
  'unknown-key': [403, 'InvalidAccessKeyId'],
  mismatch: [403, 'SignatureDoesNotMatch'],
  expired: [403, 'AccessDenied'],
  skewed: [403, 'RequestTimeTooSkewed'],
  'payload-mismatch': [400, 'XAmzContentSHA256Mismatch'],
  forbidden: [403, 'AccessDenied'],
  'too-large': [400, 'EntityTooLarge'],
  'bad-body': [400, 'IncompleteBody'],
  unavailable: [503, 'ServiceUnavailable'],
};

const DYNAMODB_ERRORS: Record<Refusal, [number, string]> = {
  missing: [400, 'MissingAuthenticationTokenException'],
  malformed: [400, 'IncompleteSignatureException'],
  'unknown-key': [400, 'UnrecognizedClientException'],
  mismatch: [400, 'InvalidSignatureException'],
  expired: [400, 'InvalidSignatureException'],
  skewed: [400, 'InvalidSignatureException'],
  'payload-mismatch': [400, 'InvalidSignatureException'],
  forbidden: [403, 'AccessDeniedException'],
  'too-large': [413, 'RequestEntityTooLarge'],
  'bad-body': [400, 'SerializationException'],
  unavailable: [503, 'ServiceUnavailable'],
};

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function refuse(service: SignedService, res: ServerResponse, req: IncomingMessage, refusal: Refusal, message: string): void {
  if (res.headersSent) return void res.destroy();
  const requestId = randomUUID();
  if (service === 's3') {
    const [status, code] = S3_ERRORS[refusal];
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
      `<RequestId>${requestId}</RequestId></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } else {
    const [status, code] = DYNAMODB_ERRORS[refusal];
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId, 'cache-control': 'no-store' });
    res.end(JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message }));
  }
  // An unread body must not keep the connection, nor be taken for the next request.
  if (!req.complete) req.resume();
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The query without the presigned signature's parameters: what s3rver gets, so it serves the object plainly. */
function withoutPresignParams(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((part) => {
      const key = part.split('=', 1)[0]!;
      let name: string;
      try {
        name = decodeURIComponent(key).toLowerCase();
      } catch {
        return true;
      }
      return !PRESIGN_PARAMS.includes(name);
    });
  return kept.length ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}

/** s3rver's one account; it checks that a V4 signature names it, nothing more. */
const S3RVER_SIGNER = new SignatureV4({
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  region: 'us-east-1',
  service: 's3',
  sha256: Sha256,
  uriEscapePath: false,
  applyChecksum: false,
});

/** The request's headers toward s3rver: ours replaced by a signature with s3rver's key. */
async function signForS3rver(method: string, path: string, headers: OutgoingHttpHeaders, payloadHash: string): Promise<OutgoingHttpHeaders> {
  const q = path.indexOf('?');
  const signed = await S3RVER_SIGNER.sign(
    new HttpRequest({
      method,
      protocol: 'http:',
      hostname: 'localhost',
      path: q < 0 ? path : path.slice(0, q),
      query: parseQuery(q < 0 ? '' : path.slice(q + 1)),
      headers: { host: String(headers.host), 'x-amz-content-sha256': payloadHash },
    }),
  );
  const out = { ...headers };
  delete out['x-amz-security-token'];
  return { ...out, ...signed.headers };
}

function forwardHeaders(headers: IncomingHttpHeaders, service: SignedService, chunked: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  if (service === 's3') {
    delete out.authorization;
    if (chunked) {
      const encodings = String(headers['content-encoding'] ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e && e !== 'aws-chunked');
      if (encodings.length) out['content-encoding'] = encodings.join(', ');
      else delete out['content-encoding'];
      const decoded = headers['x-amz-decoded-content-length'];
      if (typeof decoded === 'string' && /^\d+$/.test(decoded)) out['content-length'] = decoded;
      else delete out['content-length'];
      delete out['x-amz-decoded-content-length'];
      delete out['x-amz-trailer'];
      delete out['x-amz-content-sha256'];
    }
  }
  return out;
}

function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('access-control-')) continue;
    out[name] = value;
  }
  return out;
}

export async function startSigV4Proxy(options: SigV4ProxyOptions): Promise<SigV4Proxy> {
  const { service } = options;
  const now = options.now ?? (() => new Date());

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const contentSha256 = req.headers['x-amz-content-sha256'];
    const chunked = service === 's3' && isAwsChunked(typeof contentSha256 === 'string' ? contentSha256 : undefined, req.headers['content-encoding']);
    // DynamoDB's signature covers the body's hash, so its body is read first (16 MB at most). S3 declares
    // the hash in a signed header: the signature is checked first, then a hex-hashed body is read and compared.
    const hashedS3Body = service === 's3' && typeof contentSha256 === 'string' && /^[0-9a-f]{64}$/i.test(contentSha256);
    let body: Buffer | undefined;
    if (service === 'dynamodb') {
      body = await readBody(req, MAX_BUFFERED.dynamodb);
      if (!body) return refuse(service, res, req, 'too-large', 'The request body is too large.');
    }
    const verdict = await verifySigV4(
      { method: req.method ?? 'GET', url, headers: req.headers, body },
      { service, credentials: options.credentials, now: now(), checkPayload: service === 'dynamodb' },
    );
    if (!verdict.ok) return refuse(service, res, req, verdict.failure, verdict.message);
    if (hashedS3Body) {
      body = await readBody(req, MAX_BUFFERED.s3);
      if (!body) return refuse(service, res, req, 'too-large', 'The request body is too large.');
      if (sha256Hex(body) !== contentSha256.toLowerCase()) {
        return refuse(service, res, req, 'payload-mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
    }

    const path = service === 's3' ? withoutPresignParams(url) : url;
    let headers = forwardHeaders(req.headers, service, chunked);
    if (service === 's3') {
      const payloadHash = /^[0-9a-f]{64}$/i.test(verdict.payloadHash) ? verdict.payloadHash : UNSIGNED_PAYLOAD;
      headers = await signForS3rver(req.method ?? 'GET', path, headers, payloadHash);
    }
    const upstream = httpRequest({ socketPath: options.upstreamSocket, method: req.method, path, headers });
    const answered = new Promise<void>((resolve, reject) => {
      upstream.once('response', (answer) => {
        res.writeHead(answer.statusCode ?? 502, responseHeaders(answer.headers));
        pipeline(answer, res).then(resolve, reject);
      });
      upstream.once('error', reject);
    });
    try {
      if (body) upstream.end(body);
      else if (chunked) await pipeline(req, new AwsChunkedDecoder(), upstream);
      else await pipeline(req, upstream);
    } catch (err) {
      upstream.destroy();
      answered.catch(() => undefined);
      return refuse(service, res, req, 'bad-body', `The request body could not be read: ${(err as Error).message}`);
    }
    try {
      await answered;
    } catch {
      refuse(service, res, req, 'unavailable', 'The local emulator did not answer.');
    }
  }

  const server: Server = createServer(
    guardRequests(
      (req, res) => {
        handle(req, res).catch(() => refuse(service, res, req, 'unavailable', 'The local proxy failed.'));
      },
      { origins: 'none' },
      (res, reason, req) => refuse(service, res, req, 'forbidden', reason),
    ),
  );
  return listen(server, options.port, options.host);
}
