/**
 * Issue 11, item 7: the local emulators are no side door. Against the real embedded runtime: S3 and
 * DynamoDB answer only requests signed with the runtime's own generated key (a presigned URL works until
 * it expires, and a changed one does not); no server answers a page on another origin or a DNS-rebinding
 * host name, nor grants CORS; everything listens on 127.0.0.1 only; and the data folder is the user's
 * alone, also when an earlier version left it readable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { runCli } from '../../infra/cli/main.ts';
import { resetClients } from '../../functions/commons/clients.ts';

let base: string;
let rt: TestRuntime;
let servers: Record<string, string>;

/** A request with exactly these headers (fetch will not send a foreign Host). */
function raw(url: string, method: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function errorName(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'no error',
    (err: Error) => err.name,
  );
}

function modes(root: string): Array<{ path: string; mode: number; dir: boolean }> {
  const out: Array<{ path: string; mode: number; dir: boolean }> = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    // The emulators' Unix sockets are reached through the folder, which is what keeps them private.
    if (stat.isSymbolicLink() || stat.isSocket()) return;
    out.push({ path, mode: stat.mode & 0o777, dir: stat.isDirectory() });
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(root);
  return out;
}

beforeAll(async () => {
  // The folder an earlier version left behind: world-readable, with a readable file in it.
  base = mkdtempSync(join(tmpdir(), 'dsar-localsec-'));
  const dsarDir = join(base, '.dsar');
  mkdirSync(join(dsarDir, 'data', 'old'), { recursive: true });
  writeFileSync(join(dsarDir, 'data', 'old', 'request.json'), '{"subject":"someone"}', { mode: 0o644 });
  for (const dir of [dsarDir, join(dsarDir, 'data'), join(dsarDir, 'data', 'old')]) chmodSync(dir, 0o755);
  rt = await startTestRuntime({ keepDir: dsarDir, crowd: 3 });
  servers = {
    api: rt.apiUrl,
    mail: rt.mailUrl,
    // The SES endpoint the functions send through: the mailbox simulator in front of the emulator.
    sesSimulator: rt.endpoints.ses,
    dynamodb: rt.endpoints.dynamodb,
    s3: rt.endpoints.s3,
    stepfunctions: rt.endpoints.stepfunctions,
    ...rt.sandboxes,
  };
});

afterAll(async () => {
  await rt?.cleanup();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('the local S3', () => {
  it('refuses an unsigned GET and an unsigned listing', async () => {
    const key = (await new S3Client({ forcePathStyle: true }).send(new ListObjectsV2Command({ Bucket: 'demo-call-history', MaxKeys: 1 }))).Contents![0]!.Key!;
    for (const path of [`/demo-call-history/${key}`, '/demo-call-history?list-type=2', '/dsar-exports?list-type=2', '/']) {
      const res = await fetch(`${rt.endpoints.s3}${path}`);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('<Code>AccessDenied</Code>');
    }
  });

  it('serves a valid presigned URL and refuses one whose key, expiry or signature was changed', async () => {
    const s3 = new S3Client({ forcePathStyle: true });
    const [first, second] = (await s3.send(new ListObjectsV2Command({ Bucket: 'demo-call-history', MaxKeys: 2 }))).Contents!.map((o) => o.Key!);
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'demo-call-history', Key: first }), { expiresIn: 300 });
    expect((await fetch(url)).status).toBe(200);
    const signature = new URL(url).searchParams.get('X-Amz-Signature')!;
    for (const changed of [
      url.replace(first!, second!),
      url.replace('X-Amz-Expires=300', 'X-Amz-Expires=604800'),
      url.replace(signature, [...signature].reverse().join('')),
    ]) {
      const res = await fetch(changed);
      expect(res.status, changed).toBe(403);
      expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    }
  });

  it('refuses the credentials s3rver alone would take', async () => {
    const s3rverKey = new S3Client({ forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 1 });
    expect(await errorName(s3rverKey.send(new ListObjectsV2Command({ Bucket: 'dsar-exports' })))).toBe('InvalidAccessKeyId');
  });
});

describe('the local DynamoDB', () => {
  it('answers the runtime key, and refuses other keys and a wrong secret', async () => {
    const own = new DynamoDBClient({ credentials: { ...rt.awsCredentials } });
    expect((await own.send(new ListTablesCommand({}))).TableNames).toContain(rt.tables.requests);
    const someKey = new DynamoDBClient({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    expect(await errorName(someKey.send(new ListTablesCommand({})))).toBe('UnrecognizedClientException');
    const wrongSecret = new DynamoDBClient({ credentials: { accessKeyId: rt.awsCredentials.accessKeyId, secretAccessKey: 'guessed' }, maxAttempts: 1 });
    expect(await errorName(wrongSecret.send(new GetItemCommand({ TableName: rt.tables.requests, Key: { pk: { S: 'x' }, sk: { S: 'x' } } })))).toBe(
      'InvalidSignatureException',
    );
  });

  it('does not let a page on another origin read records, even with a valid signature', async () => {
    const preflight = await raw(rt.endpoints.dynamodb, 'OPTIONS', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target',
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    // Even the runtime's own signature does not help a request that carries a foreign Origin.
    const client = new DynamoDBClient({ credentials: { ...rt.awsCredentials }, maxAttempts: 1 });
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers.origin = 'http://evil.example';
        return next(args);
      },
      { step: 'build', name: 'addForeignOrigin' },
    );
    expect(await errorName(client.send(new ListTablesCommand({})))).toBe('AccessDeniedException');
  });
});

describe('every emulator and sandbox', () => {
  it('listens on 127.0.0.1 only', async () => {
    for (const [name, url] of Object.entries(servers)) {
      const { hostname, port } = new URL(url);
      expect(hostname, name).toBe('127.0.0.1');
      // Bound to 127.0.0.1, a server is not reachable on another address, even another loopback one.
      const reached = await new Promise<string>((resolve) => {
        const socket = connect({ host: '127.0.0.2', port: Number(port) });
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
      expect(reached, name).toBe('ECONNREFUSED');
    }
  });

  it('refuses a cross-origin browser request and its preflight, and grants no CORS', async () => {
    for (const [name, url] of Object.entries(servers)) {
      if (name === 'api') continue; // the product's API keeps its own browser policy; its Host is checked below
      for (const [method, headers] of [
        ['GET', { origin: 'http://evil.example' }],
        ['POST', { origin: 'http://evil.example', 'content-type': 'text/plain' }],
        ['OPTIONS', { origin: 'http://evil.example', 'access-control-request-method': 'POST' }],
        // An <img> or <script> from another site sends no Origin, but says where it comes from.
        ['GET', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }],
      ] as const) {
        const res = await raw(url, method, { ...headers });
        expect(res.status, `${name} ${method} ${JSON.stringify(headers)}`).toBe(403);
        expect(res.headers['access-control-allow-origin'], name).toBeUndefined();
      }
    }
  });

  it('refuses a DNS-rebinding Host, the API and console included', async () => {
    for (const [name, url] of Object.entries(servers)) {
      const { port } = new URL(url);
      const res = await raw(`${url}/`, 'GET', { host: `evil.example:${port}` });
      expect(res.status, name).toBe(403);
      expect(res.headers['access-control-allow-origin'], name).toBeUndefined();
    }
  });

  it('still serves the mail viewer to its own page, and the console by localhost', async () => {
    expect((await raw(`${rt.mailUrl}/store`, 'GET', { host: new URL(rt.mailUrl).host, origin: rt.mailUrl })).status).toBe(200);
    const port = new URL(rt.apiUrl).port;
    expect((await raw(`${rt.apiUrl}/console`, 'GET', { host: `localhost:${port}` })).status).not.toBe(403);
  });
});

describe('the data folder', () => {
  it('is 0700 with files 0600, including what an earlier version left readable', () => {
    const entries = modes(rt.dataDir);
    expect(entries.some((e) => e.path.endsWith('request.json'))).toBe(true);
    expect(entries.some((e) => e.path.includes(`${'/'}dynamodb${'/'}`))).toBe(true);
    for (const entry of entries) expect(entry.mode, entry.path).toBe(entry.dir ? 0o700 : 0o600);
    expect(statSync(dirname(rt.dataDir)).mode & 0o777).toBe(0o700);
    expect(statSync(join(dirname(rt.dataDir), 'runtime.json')).mode & 0o777).toBe(0o600);
  });

  it('holds the generated credentials, 0600, which are nobody else’s', () => {
    const file = join(rt.dataDir, 'aws-credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const own = { accessKeyId: rt.awsCredentials.accessKeyId, secretAccessKey: rt.awsCredentials.secretAccessKey };
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(own);
    expect(rt.awsCredentials.accessKeyId).not.toMatch(/^(S3RVER|test|x)$/);
    expect(rt.awsCredentials.secretAccessKey.length).toBeGreaterThanOrEqual(32);
    const published = JSON.parse(readFileSync(join(dirname(rt.dataDir), 'runtime.json'), 'utf8')) as { awsCredentials: unknown };
    expect(published.awsCredentials).toEqual(own);
  });
});

describe('tools that talk to a running runtime', () => {
  it('the escalate CLI reaches its DynamoDB with the key from runtime.json, whatever the shell holds', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
      delete process.env.DSAR_TABLE;
      resetClients();
      const out = await runCli(['escalate', '--runtime', join(dirname(rt.dataDir), 'runtime.json'), '--now', '2026-03-02T10:00:00Z']);
      expect(out.stderr).toBe('');
      expect(out.exitCode).toBe(0);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
      resetClients();
    }
  });
});
