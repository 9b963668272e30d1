/**
 * s3rver (the S3 emulator) in a child Node process started with `--openssl-legacy-provider`.
 *
 * s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+) refuses without
 * the legacy provider, so in-process every truncated listing (more keys than MaxKeys) answers 500. A
 * child process gets the flag without imposing it on the product's own process, and keeps the
 * emulator's memory out of benchmark figures. The child (s3-child.ts) stores objects crash-safely and
 * repairs its folder before serving (s3-store.ts).
 *
 * The child runs in its own process group, so a Ctrl-C in the terminal reaches only the runtime, which
 * stops the emulator after its functions have drained. It stops when its stdin ends: when the parent
 * closes it, or dies, even by SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TornObject } from './s3-store.ts';
import { typescriptChildArgs } from './node-child.ts';

export type { TornObject } from './s3-store.ts';

export interface S3EmulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Listen on this Unix socket instead of a port (the runtime's S3 proxy is the only way in). */
  socketPath?: string;
  directory: string;
  buckets?: string[];
  /** Told about each torn object the emulator moved aside on start. */
  onTorn?: (torn: TornObject) => void;
}

export interface S3Emulator {
  url: string;
  port: number;
  /** The emulator's process id (it leads its own process group). */
  pid: number;
  close(): Promise<void>;
}

/**
 * The child's Node flags. Its heap is bounded: s3rver's per-request garbage (koa contexts, XML, parsed
 * headers) otherwise lets V8 grow the heap to hundreds of MB before collecting, and V8 keeps what it
 * grew. Object bodies stream to and from disk or sit in Buffers, which live outside these limits, so a
 * large multipart upload still fits (test/infra/local/s3-emulator.test.ts uploads one).
 */
export const S3_CHILD_FLAGS = ['--openssl-legacy-provider', '--max-old-space-size=24', '--max-semi-space-size=1'];

export async function startS3Emulator(options: S3EmulatorOptions): Promise<S3Emulator> {
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.directory, { recursive: true });
  const child = spawn(process.execPath, typescriptChildArgs('./s3-child.ts', S3_CHILD_FLAGS), {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      S3RVER_ADDRESS: host,
      S3RVER_PORT: String(options.port ?? 0),
      S3RVER_SOCKET: options.socketPath ?? '',
      S3RVER_DIRECTORY: options.directory,
      S3RVER_BUCKETS: JSON.stringify(options.buckets ?? []),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const port = await readPort(child, () => stderr, options.onTorn ?? (() => undefined));
  return {
    url: options.socketPath ? `unix:${options.socketPath}` : `http://${host}:${port}`,
    port,
    pid: child.pid!,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.stdin!.end();
        await exited;
      }
    },
  };
}

async function readPort(child: ChildProcess, stderr: () => string, onTorn: (torn: TornObject) => void): Promise<number> {
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    const text = stderr();
    const err = new Error(`s3rver exited with ${String(code)} before listening: ${text}`) as NodeJS.ErrnoException;
    if (text.includes('EADDRINUSE')) err.code = 'EADDRINUSE';
    throw err;
  });
  const first = (async () => {
    for await (const line of lines) {
      const message = JSON.parse(line) as { port?: number; torn?: TornObject };
      if (message.torn) onTorn(message.torn);
      if (message.port !== undefined) return message.port;
    }
    throw new Error(`s3rver closed its output before listening: ${stderr()}`);
  })();
  try {
    return await Promise.race([first, exited]);
  } finally {
    exited.catch(() => undefined);
  }
}
