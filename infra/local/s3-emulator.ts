/**
 * s3rver (the S3 emulator) in a child Node process started with `--openssl-legacy-provider`.
 *
 * s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+) refuses without
 * the legacy provider, so in-process every truncated listing (more keys than MaxKeys) answers 500. A
 * child process gets the flag without imposing it on the product's own process, and keeps the
 * emulator's memory out of benchmark figures. The child exits when the parent closes its stdin or dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

export interface S3EmulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Listen on this Unix socket instead of a port (the runtime's S3 proxy is the only way in). */
  socketPath?: string;
  directory: string;
  buckets?: string[];
}

export interface S3Emulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

const CHILD_SCRIPT = `
const S3rver = require(process.env.S3RVER_MODULE);
const server = new S3rver({
  address: process.env.S3RVER_SOCKET ? undefined : process.env.S3RVER_ADDRESS,
  port: process.env.S3RVER_SOCKET || Number(process.env.S3RVER_PORT), silent: true,
  directory: process.env.S3RVER_DIRECTORY,
  configureBuckets: JSON.parse(process.env.S3RVER_BUCKETS).map((name) => ({ name })),
});
server.run().then((addr) => process.stdout.write(JSON.stringify({ port: typeof addr === 'string' ? 0 : addr.port }) + '\\n'), (err) => {
  process.stderr.write(String(err && err.stack || err)); process.exit(1);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export async function startS3Emulator(options: S3EmulatorOptions): Promise<S3Emulator> {
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.directory, { recursive: true });
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'),
      S3RVER_ADDRESS: host,
      S3RVER_PORT: String(options.port ?? 0),
      S3RVER_SOCKET: options.socketPath ?? '',
      S3RVER_DIRECTORY: options.directory,
      S3RVER_BUCKETS: JSON.stringify(options.buckets ?? []),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const port = await readPort(child, () => stderr);
  return {
    url: options.socketPath ? `unix:${options.socketPath}` : `http://${host}:${port}`,
    port,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.stdin!.end();
        await exited;
      }
    },
  };
}

async function readPort(child: ChildProcess, stderr: () => string): Promise<number> {
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    const text = stderr();
    const err = new Error(`s3rver exited with ${String(code)} before listening: ${text}`) as NodeJS.ErrnoException;
    if (text.includes('EADDRINUSE')) err.code = 'EADDRINUSE';
    throw err;
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
