/**
 * A real S3 emulator (s3rver) for tests and benchmarks: an ephemeral port on loopback, a fresh temporary
 * directory, the given buckets created, and an S3 client already set up the way s3rver needs it.
 *
 * s3rver runs in a child process (see infra/local/s3-emulator.ts for why).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { startS3Emulator, type TornObject } from '../../infra/local/s3-emulator.ts';

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
  /** Told about each torn object the emulator moved aside on start. */
  onTorn?: (torn: TornObject) => void;
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

export async function startS3rver(options: StartS3rverOptions = {}): Promise<S3rverHandle> {
  const ownDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 's3rver-')));
  const emulator = await startS3Emulator({ directory, buckets: options.buckets ?? [], ...(options.onTorn ? { onTorn: options.onTorn } : {}) });
  const s3 = s3rverClient(emulator.url);
  return {
    endpoint: emulator.url,
    s3,
    directory,
    async close() {
      s3.destroy();
      await emulator.close();
      if (ownDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}
