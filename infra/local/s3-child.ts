/**
 * The S3 emulator's process (started by s3-emulator.ts): recovers the store, then runs s3rver on the
 * crash-safe store. It talks to its parent in JSON lines on stdout: `{"torn": ...}` for each object it
 * moved aside, then `{"port": n}` once it listens. It stops when its stdin ends (the parent closed it,
 * or died): it stops accepting connections, lets requests in progress finish, and exits.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { AtomicFilesystemStore, recoverStore } from './s3-store.ts';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  store: unknown;
  context: { store: unknown };
  httpServer?: Server;
  run(): Promise<{ port: number }>;
};

const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
const directory = process.env.S3RVER_DIRECTORY!;

const report = await recoverStore(directory);
for (const torn of report.quarantined) send({ torn });

const server = new S3rver({
  address: process.env.S3RVER_ADDRESS,
  port: Number(process.env.S3RVER_PORT),
  silent: true,
  directory,
  configureBuckets: (JSON.parse(process.env.S3RVER_BUCKETS ?? '[]') as string[]).map((name) => ({ name })),
});
server.store = server.context.store = new AtomicFilesystemStore(directory);
const { port } = await server.run();
send({ port });

process.stdin.on('end', () => {
  const http = server.httpServer!;
  http.close(() => process.exit(0));
  http.closeIdleConnections();
  // A client that holds a connection open without finishing its request does not hold the stop up for long.
  setTimeout(() => process.exit(0), 5_000).unref();
});
process.stdin.resume();
