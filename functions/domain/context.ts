/**
 * What domain code works with, built once per process from the environment: configuration, the
 * request repository, the mailer, AWS clients and the clock. Tests build their own.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DsarConfig } from '#commons/config';
import { dynamo, sesClient, sfnClient } from '#commons/clients';
import { resources } from '#commons/env';
import { pickLocale } from './i18n/locale.ts';
import { DynamoSuppressionList, type SuppressionList } from './suppression/list.ts';
import { SesMailer, type Mailer } from './notifications/mailer.ts';
import { RecipientLimitedMailer } from './notifications/mail-volume.ts';
import { RateCounters } from './rate-limits/counters.ts';
import { resetStoreContext, storeContext, systemClock, type StoreContext } from './store-context.ts';

export { systemClock, type Clock, type StoreContext } from './store-context.ts';

/** The store context (./store-context.ts) and what mailing and driving the workflow need. */
export interface AppContext extends StoreContext {
  mailer: Mailer;
  sfn: SFNClient;
  stateMachineArn: () => string;
  /** The private bucket of agents' signed permissions; only the functions granted it have one. */
  documentsBucket?: () => string;
  /** Who opted out of marketing, as hashes (./suppression/list.ts); kept through erasure. */
  suppressions: SuppressionList;
}

let cached: AppContext | undefined;

export function appContext(): AppContext {
  if (cached) return cached;
  const store = storeContext();
  const { config, repo } = store;
  cached = {
    ...store,
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
    stateMachineArn: resources.stateMachineArn,
    documentsBucket: resources.documentsBucket,
    suppressions: new DynamoSuppressionList(dynamo(), resources.table()),
  };
  return cached;
}

/** Forgets the context (the embedded runtime calls it when it restarts with new endpoints). */
export function resetAppContext(): void {
  cached = undefined;
  resetStoreContext();
}

/** Links the subject receives. */
export function links(config: DsarConfig) {
  const base = config.email.publicBaseUrl.replace(/\/$/, '');
  const consoleBase = config.email.consoleBaseUrl.replace(/\/$/, '');
  return {
    // The subject's readable status page; it reads GET /v1/requests/{id}?token= (which keeps working for API clients).
    // Mails give the request's language (`&lang=`), so the page reads as the mail did, whatever the browser's.
    status: (id: string, token: string, localeTag?: string) =>
      `${base}/request/status?id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}${localeTag ? `&lang=${pickLocale(localeTag)}` : ''}`,
    // Where the emailed code is entered (the code mail links here): the request id and the request's
    // language, never the code.
    verify: (id: string, localeTag?: string) =>
      `${base}/request/verify?id=${encodeURIComponent(id)}${localeTag ? `&lang=${pickLocale(localeTag)}` : ''}`,
    download: (id: string, token: string) => `${base}/v1/downloads/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`,
    console: (id: string) => `${consoleBase}/requests/${encodeURIComponent(id)}`,
  };
}
