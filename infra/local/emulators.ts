/**
 * The AWS emulators the embedded runtime runs on loopback: dynalite (DynamoDB, on disk), s3rver (S3, on
 * disk, in a child process) and aws-ses-v2-local (SES, with a mail viewer). Each start returns its URL and a close function.
 *
 * The runtime starts DynamoDB and S3 behind a SigV4 proxy (`startSignedDynamoDb`, `startSignedS3`): the
 * emulator listens on a Unix socket in the private data folder and only the proxy listens on a port.
 * `startDynamoDb` alone (a bare dynalite on a port) is for unit tests.
 */
import type { AddressInfo, Server } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// dynalite, s3rver and aws-ses-v2-local ship no type definitions worth importing here.
// @ts-expect-error untyped package
import dynalite from 'dynalite';
import * as sesModule from 'aws-ses-v2-local';
import { startS3Emulator, type TornObject } from './s3-emulator.ts';
import { repairIndexes, type IndexRepair } from './dynamodb-repair.ts';
import { guardServer } from './origin-guard.ts';
import { startSigV4Proxy } from './sigv4-proxy.ts';
import type { LocalCredentials } from './sigv4-verify.ts';

export interface Emulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

/** `onRepair` hears how many index entries a kill had left out of step with their items (see dynamodb-repair.ts). */
export async function startDynamoDb(host: string, port: number, dir: string, onRepair?: (repair: IndexRepair) => void): Promise<Emulator> {
  return listenDynalite(
    dir,
    (server, done) => server.listen(port, host, done),
    (server) => {
      const actual = (server.address() as AddressInfo).port;
      return { url: `http://${host}:${actual}`, port: actual };
    },
    onRepair,
  );
}

async function listenDynalite(
  dir: string,
  listen: (server: Server, done: () => void) => void,
  where: (server: Server) => { url: string; port: number },
  onRepair?: (repair: IndexRepair) => void,
): Promise<Emulator> {
  mkdirSync(dir, { recursive: true });
  const repair = await repairIndexes(dir);
  if (repair.removed + repair.written > 0) onRepair?.(repair);
  const server: Server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    listen(server, () => resolve());
  });
  return {
    ...where(server),
    close: async () => {
      await closeServer(server);
      // dynalite keeps its LevelDB open until asked; closing it releases the lock for the next start.
      const db = (server as unknown as { db?: { close?: (cb: () => void) => void } }).db;
      await new Promise<void>((resolve) => (db?.close ? db.close(() => resolve()) : resolve()));
    },
  };
}

export async function startSes(host: string, port: number): Promise<Emulator> {
  // The package is CommonJS with a default export; under ESM interop it can arrive nested.
  const sesLocal = ((sesModule as unknown as { default: unknown }).default as { default?: unknown }).default ?? (sesModule as unknown as { default: unknown }).default;
  const server = await (sesLocal as (c: { host: string; port: number }) => Promise<Server>)({ host, port });
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  // The mail viewer is a page of this server calling it back; nothing else may use it from a browser.
  guardServer(server as HttpServer, { origins: 'self' });
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://${host}:${actual}`, port: actual, close: () => closeServer(server) };
}

/**
 * A Unix socket for an emulator, in `dir` (the private data folder), or in a new private temporary folder
 * when that path is too long for a socket (about 100 bytes). A socket left by a crash is removed.
 */
export function emulatorSocket(dir: string, name: string): string {
  let path = join(dir, `${name}.sock`);
  if (Buffer.byteLength(path) > 100) path = join(mkdtempSync(join(tmpdir(), 'dsar-')), `${name}.sock`);
  if (existsSync(path) && lstatSync(path).isSocket()) unlinkSync(path);
  return path;
}

export interface SignedEmulatorOptions {
  host: string;
  port: number;
  /** The emulator's data. */
  dir: string;
  /** Where the emulator listens; only the proxy talks to it. */
  socketPath: string;
  credentials: LocalCredentials;
}

export type { IndexRepair, TornObject };

/** dynalite on a Unix socket, behind a proxy on `host:port` that accepts only requests signed with `credentials`. */
export async function startSignedDynamoDb(options: SignedEmulatorOptions & { onRepair?: (repair: IndexRepair) => void }): Promise<Emulator> {
  const inner = await listenDynalite(options.dir, (server, done) => server.listen(options.socketPath, done), () => ({ url: `unix:${options.socketPath}`, port: 0 }), options.onRepair);
  return behindProxy('dynamodb', inner, options);
}

/** s3rver on a Unix socket, behind a proxy on `host:port` that accepts only requests signed with `credentials`. */
export async function startSignedS3(options: SignedEmulatorOptions & { buckets: string[]; onTorn?: (torn: TornObject) => void }): Promise<Emulator> {
  const inner = await startS3Emulator({ directory: options.dir, socketPath: options.socketPath, buckets: options.buckets, ...(options.onTorn ? { onTorn: options.onTorn } : {}) });
  return behindProxy('s3', inner, options);
}

async function behindProxy(service: 's3' | 'dynamodb', inner: Emulator, options: SignedEmulatorOptions): Promise<Emulator> {
  try {
    const proxy = await startSigV4Proxy({ service, host: options.host, port: options.port, upstreamSocket: options.socketPath, credentials: options.credentials });
    return {
      url: proxy.url,
      port: proxy.port,
      close: async () => {
        await proxy.close();
        await inner.close();
      },
    };
  } catch (err) {
    await inner.close();
    throw err;
  }
}
