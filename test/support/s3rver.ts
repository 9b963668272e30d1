/**
 * A real S3 emulator (s3rver) for tests and benchmarks: an ephemeral port on loopback, a fresh temporary
 * directory, the given buckets created, and an S3 client already set up the way s3rver needs it.
 *
 * s3rver runs in a child Node process started with `--openssl-legacy-provider`: it encrypts
 * ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+) refuses without the legacy
 * provider, so every truncated listing (more keys than MaxKeys) answers 500 InternalError in-process. A
 * separate process also keeps the emulator's memory out of a benchmark's RSS figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { S3Client } from '@aws-sdk/client-s3';

export interface S3rverHandle {
  endpoint: string;
  s3: S3Client;
  /** The directory holding the buckets' contents. */
  directory: string;
  close(): Promise<void>;
}

export interface StartS3rverOptions {
  buckets?: string[];
  /** Defaults to a new temporary directory, removed on close. */
  directory?: string;
}

/** s3rver only accepts these credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function s3rverClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    // Without these, streamed bodies are sent aws-chunked and s3rver stores the chunk framing.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Runs in the child: starts s3rver, prints its port, and exits when the parent goes away (stdin ends). */
const CHILD_SCRIPT = `
const S3rver = require(process.env.S3RVER_MODULE);
const server = new S3rver({
  address: '127.0.0.1', port: 0, silent: true, directory: process.env.S3RVER_DIRECTORY,
  configureBuckets: JSON.parse(process.env.S3RVER_BUCKETS).map((name) => ({ name })),
});
server.run().then(({ port }) => process.stdout.write(JSON.stringify({ port }) + '\\n'), (err) => {
  process.stderr.write(String(err && err.stack || err)); process.exit(1);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export async function startS3rver(options: StartS3rverOptions = {}): Promise<S3rverHandle> {
  const ownDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 's3rver-')));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'),
      S3RVER_DIRECTORY: directory,
      S3RVER_BUCKETS: JSON.stringify(options.buckets ?? []),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const port = await readPort(child, () => stderr);
  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = s3rverClient(endpoint);
  return {
    endpoint,
    s3,
    directory,
    async close() {
      s3.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.stdin!.end();
        await exited;
      }
      if (ownDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}

async function readPort(child: ChildProcess, stderr: () => string): Promise<number> {
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`s3rver exited with ${String(code)} before listening: ${stderr()}`);
  });
  const first = (async () => {
    for await (const line of lines) return (JSON.parse(line) as { port: number }).port;
    throw new Error(`s3rver closed its output before listening: ${stderr()}`);
  })();
  try {
    return await Promise.race([first, exited]);
  } finally {
    exited.catch(() => undefined);
  }
}
