/**
 * What the functions that only read and write the request store and the buckets need: configuration,
 * the repository, S3, the clock and the bucket names. It is its own module, without the mailer and Step
 * Functions, because a Lambda bundle holds whatever its context imports: Assemble and the package
 * withholding route need neither, and the SES and Step Functions clients (~90 kB) pushed their bundles
 * over 1 MB (test/infra/bundles.test.ts). Functions that mail or drive the workflow use `appContext()`
 * (./context.ts), which is this plus those.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadConfig, type DsarConfig } from '#commons/config';
import { dynamo, s3Client } from '#commons/clients';
import { resources } from '#commons/env';
import { RequestRepository } from './requests/repository.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface StoreContext {
  config: DsarConfig;
  repo: RequestRepository;
  s3: S3Client;
  clock: Clock;
  stagingBucket: () => string;
  exportsBucket: () => string;
}

let cached: StoreContext | undefined;

export function storeContext(): StoreContext {
  cached ??= {
    config: loadConfig(),
    repo: new RequestRepository(dynamo(), resources.table()),
    s3: s3Client(),
    clock: systemClock,
    stagingBucket: resources.stagingBucket,
    exportsBucket: resources.exportsBucket,
  };
  return cached;
}

/** Forgets the context (the embedded runtime restarts with new endpoints through resetAppContext). */
export function resetStoreContext(): void {
  cached = undefined;
}
