/**
 * What domain code works with, built once per process from the environment: configuration, the
 * request repository, the mailer, AWS clients and the clock. Tests build their own.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { loadConfig, type DsarConfig } from '#commons/config';
import { dynamo, s3Client, sesClient, sfnClient } from '#commons/clients';
import { resources } from '#commons/env';
import { pickLocale } from './i18n/index.ts';
import { RequestRepository } from './requests/repository.ts';
import { DynamoSuppressionList, type SuppressionList } from './suppression/list.ts';
import { SesMailer, type Mailer } from './notifications/mailer.ts';
import { RecipientLimitedMailer } from './notifications/mail-volume.ts';
import { RateCounters } from './rate-limits/counters.ts';

export interface Clock {
  now(): Date;
}

export interface AppContext {
  config: DsarConfig;
  repo: RequestRepository;
  mailer: Mailer;
  sfn: SFNClient;
  s3: S3Client;
  clock: Clock;
  stateMachineArn: () => string;
  stagingBucket: () => string;
  exportsBucket: () => string;
  /** Who opted out of marketing, as hashes (./suppression/list.ts); kept through erasure. */
  suppressions: SuppressionList;
}

export const systemClock: Clock = { now: () => new Date() };

let cached: AppContext | undefined;

export function appContext(): AppContext {
  if (cached) return cached;
  const config = loadConfig();
  const repo = new RequestRepository(dynamo(), resources.table());
  cached = {
    config,
    repo,
    // Mails anonymous callers can cause are counted per recipient address (./notifications/mail-volume.ts).
    mailer: new RecipientLimitedMailer(
      new SesMailer(sesClient(), config.email.from, process.env.DSAR_SES_CONFIGURATION_SET || undefined),
      new RateCounters(dynamo(), resources.table(), systemClock),
      config,
      async ({ requestId, ...detail }) => {
        if (requestId) await repo.audit(requestId, 'system', 'mail.dropped', detail);
      },
    ),
    sfn: sfnClient(),
    s3: s3Client(),
    clock: systemClock,
    stateMachineArn: resources.stateMachineArn,
    stagingBucket: resources.stagingBucket,
    exportsBucket: resources.exportsBucket,
    suppressions: new DynamoSuppressionList(dynamo(), resources.table()),
  };
  return cached;
}

/** Forgets the context (the embedded runtime calls it when it restarts with new endpoints). */
export function resetAppContext(): void {
  cached = undefined;
}

/** Links the subject receives. */
export function links(config: DsarConfig) {
  const base = config.email.publicBaseUrl.replace(/\/$/, '');
  const consoleBase = config.email.consoleBaseUrl.replace(/\/$/, '');
  return {
    // The subject's readable status page; it reads GET /v1/requests/{id}?token= (which keeps working for API clients).
    status: (id: string, token: string) => `${base}/request/status?id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`,
    // Where the emailed code is entered (the code mail links here): the request id and the request's
    // language, never the code.
    verify: (id: string, localeTag?: string) =>
      `${base}/request/verify?id=${encodeURIComponent(id)}${localeTag ? `&lang=${pickLocale(localeTag)}` : ''}`,
    download: (id: string, token: string) => `${base}/v1/downloads/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`,
    console: (id: string) => `${consoleBase}/requests/${encodeURIComponent(id)}`,
  };
}
