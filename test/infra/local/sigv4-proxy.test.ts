/**
 * The SigV4 proxy in front of the local S3 and DynamoDB emulators, with the real emulators behind it on
 * Unix sockets and the AWS SDK as the client: what the SDK signs with the runtime's key passes, anything
 * else is refused in the service's own error shape. Expiry is tested by setting the proxy's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { emulatorSocket } from '../../../infra/local/emulators.ts';
import { startS3Emulator } from '../../../infra/local/s3-emulator.ts';
import { startSigV4Proxy, type SigV4Proxy } from '../../../infra/local/sigv4-proxy.ts';
import { startSignedDynamoDb, type Emulator } from '../../../infra/local/emulators.ts';
import type { LocalCredentials } from '../../../infra/local/sigv4-verify.ts';

const KEY: LocalCredentials = { accessKeyId: 'LOCALTESTKEY0000001', secretAccessKey: 'c2VjcmV0LXRoYXQtb25seS10aGUtcnVudGltZS1rbm93cw' };
const OTHER_SECRET: LocalCredentials = { accessKeyId: KEY.accessKeyId, secretAccessKey: 'not-the-runtime-secret-not-the-runtime-secret' };
const OTHER_KEY: LocalCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const BUCKET = 'packages';

let dir: string;
/** The proxy's clock: the real one unless a test sets it. */
let clock: Date | undefined;
let s3Proxy: SigV4Proxy;
let s3Close: () => Promise<void>;
let dynamodb: Emulator;

function s3(credentials: LocalCredentials, checksums: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED' = 'WHEN_REQUIRED'): S3Client {
  return new S3Client({
    endpoint: s3Proxy.url,
    region: 'eu-north-1',
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: checksums,
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
}

function ddb(credentials: LocalCredentials): DynamoDBClient {
  return new DynamoDBClient({ endpoint: dynamodb.url, region: 'eu-north-1', credentials, maxAttempts: 1 });
}

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to be refused');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sigv4-proxy-'));
  const socketPath = emulatorSocket(dir, 's3');
  const s3rver = await startS3Emulator({ directory: join(dir, 's3'), socketPath, buckets: [BUCKET] });
  s3Proxy = await startSigV4Proxy({ service: 's3', host: '127.0.0.1', port: 0, upstreamSocket: socketPath, credentials: KEY, now: () => clock ?? new Date() });
  s3Close = async () => {
    await s3Proxy.close();
    await s3rver.close();
  };
  dynamodb = await startSignedDynamoDb({ host: '127.0.0.1', port: 0, dir: join(dir, 'dynamodb'), socketPath: emulatorSocket(dir, 'dynamodb'), credentials: KEY });
});

afterAll(async () => {
  await s3Close?.();
  await dynamodb?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the S3 proxy', () => {
  it('passes what the SDK signs with the runtime key: put, get and list', async () => {
    const client = s3(KEY);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a/hello world.txt', Body: 'hello' }));
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a/hello world.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'a/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['a/hello world.txt']);
  });

  it('passes a multipart upload made by lib-storage, and stores exactly the bytes sent', async () => {
    const body = Buffer.alloc(11 * 1024 * 1024, 7);
    body.write('start', 0);
    body.write('end', body.length - 3);
    await new Upload({ client: s3(KEY), params: { Bucket: BUCKET, Key: 'big.bin', Body: body }, partSize: 5 * 1024 * 1024 }).done();
    const got = await s3(KEY).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }));
    const stored = Buffer.from(await got.Body!.transformToByteArray());
    expect(stored.length).toBe(body.length);
    expect(stored.equals(body)).toBe(true);
  });

  it('decodes a streamed aws-chunked upload with a checksum trailer, so the object holds no chunk framing', async () => {
    const client = s3(KEY, 'WHEN_SUPPORTED');
    const sent: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        sent.push(`${headers['x-amz-content-sha256']} ${headers['content-encoding']}`);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordPayloadMode', priority: 'low' },
    );
    const text = 'streamed '.repeat(10_000);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'streamed.txt', Body: Readable.from([Buffer.from(text)]), ContentLength: text.length }));
    expect(sent).toEqual(['STREAMING-UNSIGNED-PAYLOAD-TRAILER aws-chunked']);
    const got = await s3(KEY).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'streamed.txt' }));
    expect(await got.Body!.transformToString()).toBe(text);
  });

  it('refuses an unsigned GET and an unsigned listing with AccessDenied', async () => {
    await s3(KEY).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'secret.zip', Body: 'package' }));
    for (const path of [`/${BUCKET}/secret.zip`, `/${BUCKET}?list-type=2`, '/']) {
      const res = await fetch(`${s3Proxy.url}${path}`);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('<Code>AccessDenied</Code>');
    }
  });

  it('refuses a request signed with another key, or with the right key id and another secret', async () => {
    expect(await errorOf(s3(OTHER_KEY).send(new ListObjectsV2Command({ Bucket: BUCKET })))).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
    expect(await errorOf(s3(OTHER_SECRET).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'secret.zip' })))).toEqual({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
  });

  it('serves a presigned GET, with its response-header overrides, until its expiry, and refuses it after', async () => {
    const url = await getSignedUrl(
      s3(KEY),
      new GetObjectCommand({ Bucket: BUCKET, Key: 'secret.zip', ResponseContentDisposition: 'attachment; filename="data export.zip"', ResponseContentType: 'application/zip' }),
      { expiresIn: 600 },
    );
    const signedAt = /X-Amz-Date=(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(url)!.slice(1).map(Number);
    const at = (seconds: number) => new Date(Date.UTC(signedAt[0]!, signedAt[1]! - 1, signedAt[2]!, signedAt[3]!, signedAt[4]!, signedAt[5]! + seconds));
    clock = at(0);
    const download = await fetch(url);
    expect(await download.text()).toBe('package');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="data export.zip"');
    clock = at(599);
    expect((await fetch(url)).status).toBe(200);
    clock = at(601);
    const late = await fetch(url);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('Request has expired');
    clock = undefined;
  });

  it('refuses a header signature dated more than 15 minutes from its clock, so a captured request does not replay later', async () => {
    clock = new Date(Date.now() + 20 * 60 * 1000);
    try {
      expect(await errorOf(s3(KEY).send(new ListObjectsV2Command({ Bucket: BUCKET })))).toEqual({ name: 'RequestTimeTooSkewed', status: 403 });
    } finally {
      clock = undefined;
    }
  });

  it('refuses a presigned URL whose key, expiry or signature was changed', async () => {
    await s3(KEY).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other.zip', Body: 'someone else' }));
    const url = await getSignedUrl(s3(KEY), new GetObjectCommand({ Bucket: BUCKET, Key: 'secret.zip' }), { expiresIn: 600 });
    const signature = new URL(url).searchParams.get('X-Amz-Signature')!;
    const tampered = [
      url.replace('/secret.zip', '/other.zip'),
      url.replace('X-Amz-Expires=600', 'X-Amz-Expires=604800'),
      url.replace(signature, signature.replace(/^./, (c) => (c === '0' ? '1' : '0'))),
      url.replace(`&X-Amz-Signature=${signature}`, ''),
    ];
    for (const changed of tampered) {
      const res = await fetch(changed);
      expect([400, 403], changed).toContain(res.status);
      expect(await res.text()).not.toContain('someone else');
    }
  });

  it('refuses a body whose SHA-256 is not the signed one', async () => {
    const client = s3(KEY);
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { body: unknown }).body = 'tampered body';
        return next(args);
      },
      { step: 'deserialize', name: 'swapBodyAfterSigning' },
    );
    expect(await errorOf(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'x.txt', Body: 'original body' })))).toEqual({
      name: 'XAmzContentSHA256Mismatch',
      status: 400,
    });
  });

  it('refuses a browser on another origin and a rebinding Host, and grants no CORS', async () => {
    const url = await getSignedUrl(s3(KEY), new GetObjectCommand({ Bucket: BUCKET, Key: 'secret.zip' }), { expiresIn: 600 });
    const crossOrigin = await fetch(url, { headers: { origin: 'http://evil.example' } });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the DynamoDB proxy', () => {
  it('passes what the SDK signs with the runtime key', async () => {
    const client = ddb(KEY);
    await client.send(
      new CreateTableCommand({
        TableName: 'requests',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    expect((await client.send(new ListTablesCommand({}))).TableNames).toContain('requests');
  });

  it('refuses another key with UnrecognizedClientException and another secret with InvalidSignatureException', async () => {
    expect(await errorOf(ddb({ accessKeyId: 'AKIDEXAMPLE0000000', secretAccessKey: 'whatever' }).send(new ListTablesCommand({})))).toEqual({
      name: 'UnrecognizedClientException',
      status: 400,
    });
    expect(await errorOf(ddb(OTHER_SECRET).send(new ListTablesCommand({})))).toEqual({ name: 'InvalidSignatureException', status: 400 });
  });

  it('refuses a well-formed header with a made-up signature, which dynalite alone accepts', async () => {
    const res = await fetch(dynamodb.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'x-amz-date': '20260302T100000Z',
        authorization: `AWS4-HMAC-SHA256 Credential=${KEY.accessKeyId}/20260302/eu-north-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`,
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toMatch(/InvalidSignatureException$/);
  });

  it('answers without the emulator’s Access-Control-Allow-Origin: *', async () => {
    const res = await fetch(dynamodb.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const cross = await fetch(dynamodb.url, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: '{}' });
    expect(cross.status).toBe(403);
    expect(cross.headers.get('access-control-allow-origin')).toBeNull();
  });
});
