/**
 * Intake: a subject files a request. The answer is the same whether or not the company holds data on
 * the address, and whether or not a request is already open for it: nothing here looks at the data,
 * and a duplicate is told apart only in the email that goes to the address itself.
 *
 * Which request of a type is open for a subject is decided by one conditional write on a lock item
 * (`LOCK#<type>#<subject hash>`), so concurrent filings for one address open exactly one request; the
 * others are duplicates. Input is checked before anything is written.
 */
import { createHash } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DsarConfig, Jurisdiction, RequestType } from '#commons/config';
import { newRequestId, subjectHash } from '#commons/tokens';
import { badRequest, unprocessable } from '#commons/errors';
import { logger } from '#commons/observability';
import { computeDeadlines, jurisdictionCountries } from '../deadlines/compute.ts';
import { DeadlineInputError } from '../deadlines/errors.ts';
import type { AppContext } from '../context.ts';
import { ackPendingKeys, keys, normalizeEmail, type RequestRecord } from './model.ts';
import { openRequestFor } from './subject-lock.ts';
import { retentionFields } from '../retention/subjects.ts';
import { decoyVerification } from './verification.ts';
import { verificationWaiver } from './verification-waiver.ts';
import { checkAgent, type CheckedAgent, type NewAgent } from '../agents/agent.ts';
import { removePermission, storePermission } from '../agents/permission.ts';
import type { RestrictionGround } from '../restriction/grounds.ts';
import { cleanRequested, requestedProblem, type RequestedRectification } from '../rectification/requested.ts';
import { nameProblem } from './names.ts';

export interface NewRequest {
  type: RequestType;
  email: string;
  name?: string;
  jurisdiction?: Jurisdiction;
  country?: string;
  locale?: string;
  /** An authorised agent filing for the subject, with their signed permission (../agents/agent.ts). */
  agent?: NewAgent;
  /** What the subject wants us to know, in their words (any type): shown to staff, never mailed or logged. */
  details?: string;
  /** A restriction's ground under GDPR Art. 18(1) (only with type `restriction`; optional). */
  ground?: RestrictionGround;
  /** A rectification's structured values the subject says are right (../rectification/requested.ts). */
  rectification?: RequestedRectification;
}

export interface IntakeAnswer {
  requestId: string;
  status: 'received';
  /**
   * What the subject does next: `code` (enter the mailed code) or `none` (a marketing opt-out that needs
   * none: ./verification-waiver.ts). Follows from the type, the law and the configuration only, never
   * from whether the address is known or already has a request open.
   */
  verification: 'code' | 'none';
}

function answer(input: NewRequest, config: DsarConfig, requestId: string): IntakeAnswer {
  const waived = verificationWaiver(config, { type: input.type, jurisdiction: input.jurisdiction ?? config.jurisdictions.default });
  return { requestId, status: 'received', verification: waived ? 'none' : 'code' };
}

/** The free-text details of a request: enough to say what is wrong or which mails arrive, not a document. */
export const DETAILS_MAX_LENGTH = 2000;
/** BCP 47 tags are short; the longest sensible one is well under this. */
export const LOCALE_MAX_LENGTH = 35;

// As INVISIBLE in ./names.ts, but line breaks and tabs are how people write a paragraph.
const INVISIBLE_IN_TEXT = /[^\P{Cc}\n\r\t]|[\p{Cf}\p{Zl}\p{Zp}]/u;

/** What is wrong with a request's details, or undefined when they may be stored and shown to staff. */
export function detailsProblem(details: string): string | undefined {
  if (details.length > DETAILS_MAX_LENGTH) return `details must be at most ${DETAILS_MAX_LENGTH} characters`;
  if (INVISIBLE_IN_TEXT.test(details)) return 'details must not contain control or invisible characters (line breaks are fine)';
  return undefined;
}

/** Checks what configuration and the mails depend on, before anything is written (a 400 naming the field). */
export function checkNewRequest(input: NewRequest, config: DsarConfig): void {
  const name = input.name?.trim();
  const problem = name ? nameProblem(name) : undefined;
  if (problem) throw badRequest('invalid_name', problem);
  const detailsIssue = input.details === undefined ? undefined : detailsProblem(input.details.trim());
  if (detailsIssue) throw badRequest('invalid_details', detailsIssue);
  if (input.ground !== undefined && input.type !== 'restriction') {
    throw badRequest('ground_not_applicable', 'ground is the reason for a restriction (GDPR Art. 18(1)); leave it out for other types');
  }
  const requested = cleanRequested(input.rectification);
  if (input.type === 'rectification') {
    // Art. 16 and §7023 need to know what is wrong: in the subject's words, or as the right values.
    if (!requested && !input.details?.trim()) {
      throw badRequest('rectification_empty', 'a rectification needs what is wrong: rectification.fields (name, email, phone, address) with the right values, or details in your own words, or both');
    }
    const nameIssue = requested?.fields.name ? nameProblem(requested.fields.name) : undefined;
    if (nameIssue) throw badRequest('invalid_rectification', `rectification.fields.${nameIssue}`);
    const issue = requested ? requestedProblem(requested) : undefined;
    if (issue) throw badRequest('invalid_rectification', issue);
  } else if (input.rectification !== undefined) {
    throw badRequest('rectification_not_applicable', `rectification is only for type rectification, not ${input.type}`);
  }
  if (input.locale !== undefined && (input.locale.length > LOCALE_MAX_LENGTH || !/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/.test(input.locale))) {
    throw badRequest('invalid_locale', `locale is a language tag like en or nb-NO, at most ${LOCALE_MAX_LENGTH} characters`);
  }
  // The law decides the deadline: a subject picks it only where the installation asks them to.
  if (input.jurisdiction !== undefined && !config.jurisdictions.askSubject) {
    throw badRequest('jurisdiction_not_accepted', `this organisation does not let requesters choose the law (it applies ${config.jurisdictions.default}); leave jurisdiction out`);
  }
}

/** How long an Idempotency-Key maps to its first request. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Files a request once per Idempotency-Key: the key maps to the FIRST request it created (a conditional
 * put of the key, the body's hash and the request id). The same key with the same body answers that
 * request's id again, also while the first call is still filing it (a retry after a crash finishes the
 * filing under the same id); with another body it is a 422 and the mapping stays as it was.
 */
export async function fileRequestOnce(input: NewRequest, ctx: AppContext, idempotencyKey: string): Promise<IntakeAnswer> {
  checkNewRequest(input, ctx.config);
  const now = ctx.clock.now();
  // Everything that can refuse the body is checked before the mapping is written.
  lawAndDeadlines(input, ctx.config, now);
  const agent = input.agent ? await checkAgent(input.agent, input.email, ctx.config) : undefined;
  const body = JSON.stringify(Object.entries(input).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)));
  const bodyHash = sha256(body);
  const mapping = await ctx.repo.claimIdempotencyKey(
    sha256(`idempotency:${idempotencyKey}`),
    bodyHash,
    newRequestId(now),
    now.toISOString(),
    new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
  );
  if (mapping.bodyHash !== bodyHash) throw unprocessable('idempotency_key_reused', 'this Idempotency-Key was used with a different body');
  if (await ctx.repo.find(mapping.requestId)) return answer(input, ctx.config, mapping.requestId);
  return fileRequest(input, ctx, { requestId: mapping.requestId, ...(agent ? { agent } : {}) });
}

/** The law, the controller country and the deadlines of a new request; a combination the rules cannot serve is a 400. */
function lawAndDeadlines(input: NewRequest, config: DsarConfig, now: Date) {
  const jurisdiction = input.jurisdiction ?? config.jurisdictions.default;
  const country = requestCountry(input, jurisdiction, config.jurisdictions.defaultCountry);
  try {
    const deadlines = computeDeadlines({
      type: input.type,
      jurisdiction,
      country,
      receivedAt: now,
      timezone: country === config.organisation.country ? config.organisation.timezone : undefined,
    });
    return { jurisdiction, country, deadlines };
  } catch (err) {
    if (err instanceof DeadlineInputError) throw badRequest('invalid_jurisdiction', err.message);
    throw err;
  }
}

export async function fileRequest(input: NewRequest, ctx: AppContext, options: { requestId?: string; agent?: CheckedAgent } = {}): Promise<IntakeAnswer> {
  const { config, repo, clock } = ctx;
  checkNewRequest(input, config);
  const now = clock.now();
  const requestId = options.requestId ?? newRequestId(now);
  const normalizedEmail = normalizeEmail(input.email);
  const hash = subjectHash(normalizedEmail);
  const { jurisdiction, country, deadlines } = lawAndDeadlines(input, config, now);
  // Everything about the agent is checked before the first write (the document too: its bytes, not its label).
  const agent = options.agent ?? (input.agent ? await checkAgent(input.agent, input.email, config) : undefined);

  const open = await openRequestFor(ctx, input.type, hash, requestId, now);
  const iso = now.toISOString();
  const requested = input.type === 'rectification' ? cleanRequested(input.rectification) : undefined;
  // The document is stored first and the record names it: a request never points at a missing document,
  // and a document whose request was not written is removed below.
  const permission = agent ? await storePermission(ctx, requestId, agent.document) : undefined;
  const record: RequestRecord = {
    ...keys.request(requestId),
    requestId,
    type: input.type,
    status: open ? 'duplicate' : 'awaiting_verification',
    subject: {
      email: input.email.trim(),
      normalizedEmail,
      ...(input.name ? { name: input.name.trim() } : {}),
      ...(input.details?.trim() ? { details: input.details.trim() } : {}),
      ...(requested ? { rectification: requested } : {}),
    },
    subjectHash: hash,
    ...(agent && permission ? { agent: { ...agent.record, permission } } : {}),
    ...(input.locale ? { locale: input.locale } : {}),
    ...(input.type === 'restriction' ? { restriction: { phase: 'set' as const, ...(input.ground ? { ground: input.ground } : {}) } } : {}),
    jurisdiction,
    country,
    receivedAt: iso,
    receivedDate: deadlines.receivedDate,
    receivedYear: deadlines.receivedDate.slice(0, 4),
    dueDate: deadlines.dueDate,
    extendedDueDate: deadlines.extendedDueDate,
    acknowledgeBy: deadlines.acknowledgeBy,
    statusTokenHash: '',
    // Known before it starts (named after the request): stored with the request, not by a second write.
    executionArn: executionArnFor(ctx.stateMachineArn(), requestId),
    // Nothing written by the subject yet: the retention sweep need not read this request's trail.
    subjectMessages: false,
    ...(open
      ? {
          duplicateOf: open,
          closedAt: iso,
          ...retentionFields(config, iso),
          // A code nobody is sent: verify and resend answer a duplicate as they answer a new request.
          verification: decoyVerification(now, config.verification.codeTtlMinutes),
        }
      : {
          openPk: 'OPEN' as const,
          openSk: `${deadlines.dueDate}#${requestId}`,
          queueStatus: 'awaiting_verification' as const,
          // Owed an acknowledgement (CCPA): the escalation job finds it here until the receipt mail goes out.
          ...(deadlines.acknowledgeBy ? ackPendingKeys(deadlines.acknowledgeBy, requestId) : {}),
        }),
    createdAt: iso,
    updatedAt: iso,
  };
  try {
    await repo.create(record);
  } catch (err) {
    // Filing under a given id (an Idempotency-Key retry): a concurrent call with the same key filed it.
    if (options.requestId && (await repo.find(requestId))) return answer(input, config, requestId);
    if (permission) await removePermission(ctx, permission.key);
    throw err;
  }
  await repo.audit(requestId, agent ? 'agent' : 'subject', 'request.filed', { type: input.type, jurisdiction, country, ...(agent ? { byAgent: true, relationship: agent.record.relationship } : {}) }, now);

  if (open) {
    // The workflow still runs, so the duplicate is acknowledged by email like any request, and closed.
    await repo.audit(requestId, 'system', 'request.duplicate', { of: open }, now);
  }
  await startWorkflow(ctx, requestId);
  logger.info('request filed', { requestId, type: input.type, duplicate: Boolean(open), byAgent: Boolean(agent) });
  return answer(input, config, requestId);
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

/**
 * The ARN of the execution named `name` of a state machine, as Step Functions forms it
 * (`arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>`).
 */
function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
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
