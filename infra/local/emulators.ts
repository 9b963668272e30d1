/**
 * The AWS emulators the embedded runtime runs on loopback: dynalite (DynamoDB, on disk), s3rver (S3, on
 * disk, in a child process) and aws-ses-v2-local (SES, with a mail viewer). Each start returns its URL and a close function.
 */
import type { AddressInfo, Server } from 'node:net';
import { mkdirSync } from 'node:fs';
// dynalite, s3rver and aws-ses-v2-local ship no type definitions worth importing here.
// @ts-expect-error untyped package
import dynalite from 'dynalite';
import * as sesModule from 'aws-ses-v2-local';
import { startS3Emulator, type TornObject } from './s3-emulator.ts';
import { repairIndexes, type IndexRepair } from './dynamodb-repair.ts';

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
  mkdirSync(dir, { recursive: true });
  const repair = await repairIndexes(dir);
  if (repair.removed + repair.written > 0) onRepair?.(repair);
  const server: Server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    close: async () => {
      await closeServer(server);
      // dynalite keeps its LevelDB open until asked; closing it releases the lock for the next start.
      const db = (server as unknown as { db?: { close?: (cb: () => void) => void } }).db;
      await new Promise<void>((resolve) => (db?.close ? db.close(() => resolve()) : resolve()));
    },
  };
}

/** S3 runs in a child process: see s3-emulator.ts. `onTorn` hears of each torn object moved aside on start. */
export async function startS3(host: string, port: number, dir: string, buckets: string[], onTorn?: (torn: TornObject) => void): Promise<Emulator> {
  return startS3Emulator({ host, port, directory: dir, buckets, ...(onTorn ? { onTorn } : {}) });
}

export async function startSes(host: string, port: number): Promise<Emulator> {
  // The package is CommonJS with a default export; under ESM interop it can arrive nested.
  const sesLocal = ((sesModule as unknown as { default: unknown }).default as { default?: unknown }).default ?? (sesModule as unknown as { default: unknown }).default;
  const server = await (sesLocal as (c: { host: string; port: number }) => Promise<Server>)({ host, port });
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://${host}:${actual}`, port: actual, close: () => closeServer(server) };
}
