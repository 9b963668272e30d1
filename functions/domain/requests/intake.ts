/**
 * Intake: a subject files a request. The answer is the same whether or not the company holds data on
 * the address, and whether or not a request is already open for it: nothing here looks at the data,
 * and a duplicate is told apart only in the email that goes to the address itself.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Jurisdiction, RequestType } from '#commons/config';
import { newRequestId, subjectHash } from '#commons/tokens';
import { badRequest } from '#commons/errors';
import { logger } from '#commons/observability';
import { computeDeadlines, DeadlineInputError, jurisdictionCountries } from '../deadlines/index.ts';
import type { AppContext } from '../context.ts';
import { CLOSED_STATUSES, keys, normalizeEmail, type RequestRecord } from './model.ts';
import { retentionFields } from './retention.ts';

export interface NewRequest {
  type: RequestType;
  email: string;
  name?: string;
  jurisdiction?: Jurisdiction;
  country?: string;
  locale?: string;
}

export interface IntakeAnswer {
  requestId: string;
  status: 'received';
}

export async function fileRequest(input: NewRequest, ctx: AppContext): Promise<IntakeAnswer> {
  const { config, repo, clock } = ctx;
  const now = clock.now();
  const requestId = newRequestId(now);
  const normalizedEmail = normalizeEmail(input.email);
  const hash = subjectHash(normalizedEmail);
  const jurisdiction = input.jurisdiction ?? config.jurisdictions.default;
  const country = requestCountry(input, jurisdiction, config.jurisdictions.defaultCountry);

  let deadlines;
  try {
    deadlines = computeDeadlines({
      jurisdiction,
      country,
      receivedAt: now,
      timezone: country === config.organisation.country ? config.organisation.timezone : undefined,
    });
  } catch (err) {
    if (err instanceof DeadlineInputError) throw badRequest('invalid_jurisdiction', err.message);
    throw err;
  }

  const open = (await repo.bySubject(hash)).find((r) => r.type === input.type && !CLOSED_STATUSES.has(r.status));
  const iso = now.toISOString();
  const record: RequestRecord = {
    ...keys.request(requestId),
    requestId,
    type: input.type,
    status: open ? 'duplicate' : 'awaiting_verification',
    subject: { email: input.email.trim(), normalizedEmail, ...(input.name ? { name: input.name.trim() } : {}) },
    subjectHash: hash,
    ...(input.locale ? { locale: input.locale } : {}),
    jurisdiction,
    country,
    receivedAt: iso,
    receivedDate: deadlines.receivedDate,
    receivedYear: deadlines.receivedDate.slice(0, 4),
    dueDate: deadlines.dueDate,
    extendedDueDate: deadlines.extendedDueDate,
    acknowledgeBy: deadlines.acknowledgeBy,
    statusTokenHash: '',
    ...(open
      ? { duplicateOf: open.requestId, closedAt: iso, ...retentionFields(config, iso) }
      : { openPk: 'OPEN' as const, openSk: `${deadlines.dueDate}#${requestId}` }),
    createdAt: iso,
    updatedAt: iso,
  };
  await repo.create(record);
  await repo.audit(requestId, 'subject', 'request.filed', { type: input.type, jurisdiction, country }, now);

  if (open) {
    // The workflow still runs, so the duplicate is acknowledged by email like any request, and closed.
    await repo.audit(requestId, 'system', 'request.duplicate', { of: open.requestId }, now);
  }
  const executionArn = await startWorkflow(ctx, requestId);
  await repo.update(requestId, { executionArn });
  logger.info('request filed', { requestId, type: input.type, duplicate: Boolean(open) });
  return { requestId, status: 'received' };
}

/**
 * The controller country whose calendar counts the request: the subject's (checked by the deadline
 * engine), else the configured default when it fits the law, else the law's own country. A Norwegian
 * installation that lets the subject choose CCPA must count it in the US, not refuse it because NO is
 * not a US country; only GDPR, which serves many countries, has no single one of its own.
 */
function requestCountry(input: NewRequest, jurisdiction: Jurisdiction, defaultCountry: string): string {
  if (input.country) return input.country.trim().toUpperCase();
  const fallback = defaultCountry.toUpperCase();
  const countries = jurisdictionCountries(jurisdiction);
  if (countries.includes(fallback) || countries.length !== 1) return fallback;
  return countries[0]!;
}

/** Starts the request's execution, named after the request: starting twice is a no-op. */
export async function startWorkflow(ctx: AppContext, requestId: string): Promise<string> {
  const out = await ctx.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: ctx.stateMachineArn(),
      name: requestId,
      input: JSON.stringify({ requestId }),
    }),
  );
  return out.executionArn!;
}
