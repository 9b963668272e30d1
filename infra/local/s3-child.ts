/**
 * The S3 emulator's process (started by s3-emulator.ts): recovers the store, then runs s3rver on the
 * crash-safe store. It talks to its parent in JSON lines on stdout: `{"torn": ...}` for each object it
 * moved aside, then `{"port": n}` once it listens. It stops when its stdin ends (the parent closed it,
 * or died): it stops accepting connections, lets requests in progress finish, and exits.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { AtomicFilesystemStore, recoverStore } from './s3-store.ts';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  store: unknown;
  context: { store: unknown };
  httpServer?: Server;
  run(): Promise<{ port: number } | string>;
};

const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
const directory = process.env.S3RVER_DIRECTORY!;

await outliveThePrevious(join(directory, '.s3rver.pid'));
const report = await recoverStore(directory);
for (const torn of report.quarantined) send({ torn });

// On a Unix socket (behind the runtime's SigV4 proxy) or on a loopback port (unit tests).
const socket = process.env.S3RVER_SOCKET || undefined;
const server = new S3rver({
  address: socket ? undefined : process.env.S3RVER_ADDRESS,
  port: socket ?? Number(process.env.S3RVER_PORT),
  silent: true,
  directory,
  configureBuckets: (JSON.parse(process.env.S3RVER_BUCKETS ?? '[]') as string[]).map((name) => ({ name })),
});
server.store = server.context.store = new AtomicFilesystemStore(directory);
const address = await server.run();
send({ port: typeof address === 'string' ? 0 : address.port });

process.stdin.on('end', () => {
  const http = server.httpServer!;
  http.close(() => process.exit(0));
  http.closeIdleConnections();
  // A client that holds a connection open without finishing its request does not hold the stop up for long.
  setTimeout(() => process.exit(0), 5_000).unref();
});
process.stdin.resume();

/**
 * An emulator of a runtime that was just killed may still be finishing (it stops when its stdin ends):
 * recovering the folder under it, or taking its port, would race it. So wait for it (at most 10 s), then
 * leave our own pid for the next start. On Linux the pid is checked to still be an emulator.
 */
async function outliveThePrevious(pidFile: string) {
  const previous = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : NaN;
  const isEmulator = (pid: number) => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    const cmdline = `/proc/${pid}/cmdline`;
    return !existsSync('/proc') || (existsSync(cmdline) && readFileSync(cmdline, 'utf8').includes('s3-child'));
  };
  if (Number.isInteger(previous) && previous !== process.pid) {
    for (let waited = 0; waited < 10_000 && isEmulator(previous); waited += 100) await new Promise((r) => setTimeout(r, 100));
  }
  writeFileSync(pidFile, String(process.pid));
}
