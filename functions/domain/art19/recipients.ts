/**
 * GDPR Art. 19: a rectification, erasure or restriction of processing carried out at the subject's
 * request is passed on to each recipient the data was disclosed to. One mechanism for every request
 * type that changes data, keyed by what was done (`Art19Action`): a recipient with a `notifyEmail` in
 * the configuration is mailed a notice naming the request (once per request and action, claimed with
 * ../notifications/once.ts, so a retried step mails nobody twice); one without an address, or whose mail
 * failed, becomes a follow-up task `art19-recipient` for staff. Adding a type is one entry in NOTICES and one in ./tasks.ts.
 *
 * Which recipients concern a request is the type's to say: the erasure keeps its own choice
 * (../workflow/erasure-report.ts); types that act per system use `recipientsOfSystems` (the recipients
 * configured for the systems where the change was made).
 */
import { connectorName, enabledConnectors, recipientName, type DsarConfig } from '#commons/config';
import { logger } from '#commons/observability';
import type { AppContext } from '../context.ts';
import type { Email } from '../notifications/compose.ts';
import { mailOnce } from '../notifications/once.ts';
import { recipientErasureNotice, recipientRectificationNotice, recipientRestrictionLiftedNotice, recipientRestrictionNotice } from '../notifications/staff-mails.ts';
import { correctedFields } from '../rectification/corrected.ts';
import type { RequestRecord } from '../requests/model.ts';
import { addTodo } from '../todos/index.ts';
import { art19Todo, type Art19Action } from './tasks.ts';

export { art19Todo };

export type Recipient = DsarConfig['privacyNotice']['recipients'][number];

export type { Art19Action };

/** The notice mailed to a recipient, per action (staff-facing English: recipients are companies); the task's words are in ./tasks.ts. */
const NOTICES: Record<Art19Action, (config: DsarConfig, request: RequestRecord, at: string) => Email> = {
  erasure: (c, r, at) => recipientErasureNotice(c, r.requestId, r.subject.email, at),
  // The notice names the fields corrected, never their values (the recipient asks us if it needs them).
  rectification: (c, r, at) => recipientRectificationNotice(c, r.requestId, r.subject.email, correctedFields(r), at),
  restriction: (c, r, at) => recipientRestrictionNotice(c, r.requestId, r.subject.email, at),
  restriction_lifted: (c, r, at) => recipientRestrictionLiftedNotice(c, r.requestId, r.subject.email, at),
};

/** Who was told what, per action, kept on the request (`art19`). */
export interface Art19Outcome {
  at: string;
  /** Told by email to the configured address, or by the change itself made through the recipient's own system's API. */
  notified: Array<{ name: string; how: 'email' | 'api'; at: string }>;
  /** Left to our staff: a follow-up task each. */
  byStaff: Array<{ name: string; todo: number }>;
}

/**
 * The connectors whose system belongs to a configured recipient: the connector's display name starts
 * with the recipient's name ("Stripe (payments)" is the recipient "Stripe"). There is no explicit link in
 * the configuration, so this is by name.
 */
export function connectorsOf(recipient: Pick<Recipient, 'name'>, names: string[]): string[] {
  const name = recipient.name.trim().toLowerCase();
  return names.filter((n) => name.length > 0 && n.trim().toLowerCase().startsWith(name));
}

/**
 * The recipients concerned by a change made in the given systems (connector ids): those a system lists
 * in `art15.recipients` (who receive its data), and those whose own system it is (by name). A recipient
 * linked to no system at all is concerned by any change. Nothing changed anywhere: nobody.
 */
export function recipientsOfSystems(config: DsarConfig, connectorIds: string[]): Recipient[] {
  if (connectorIds.length === 0) return [];
  const changed = new Set(connectorIds);
  return config.privacyNotice.recipients.filter((recipient) => {
    const linked = linkedSystems(config, recipient.name);
    return linked.length === 0 || linked.some((id) => changed.has(id));
  });
}

/** The enabled systems (connector ids) linked to a recipient: it receives their data (`art15.recipients`), or they are its own (by name). */
export function linkedSystems(config: DsarConfig, recipient: string): string[] {
  return enabledConnectors(config)
    .filter((c) => (c.art15?.recipients ?? []).map(recipientName).includes(recipient) || connectorsOf({ name: recipient }, [connectorName(config, c.id)]).length > 0)
    .map((c) => c.id);
}

/**
 * Mails the recipient the notice of `action` on the request, once (a retry finds the mail out and
 * counts it as told). Returns whether the recipient is told; a failed mail is logged (no subject data)
 * and reported as not told, for staff.
 */
export async function mailRecipient(ctx: AppContext, request: RequestRecord, recipient: Recipient, action: Art19Action, at: string): Promise<boolean> {
  if (!recipient.notifyEmail) return false;
  const to = recipient.notifyEmail;
  try {
    await mailOnce(ctx, request.requestId, `art19:${action}:${recipient.name}`, () =>
      ctx.mailer.send(to, NOTICES[action](ctx.config, request, at), { requestId: request.requestId }),
    );
    return true;
  } catch (err) {
    logger.warn('recipient Art. 19 notice failed', { requestId: request.requestId, recipient: recipient.name, action, error: (err as Error).name });
    return false;
  }
}

/**
 * Tells every recipient concerned by `action`: by mail where the configuration has an address, told
 * already where the change was made through the recipient's own system (`byApi`, connector ids), else a
 * task for staff. Safe to run again: mails are claimed once and tasks have their refs.
 */
export async function tellRecipients(
  ctx: AppContext,
  request: RequestRecord,
  action: Art19Action,
  recipients: Recipient[],
  byApi: string[] = [],
): Promise<Art19Outcome> {
  const at = ctx.clock.now().toISOString();
  const apiNames = byApi.map((id) => connectorName(ctx.config, id));
  const outcome: Art19Outcome = { at, notified: [], byStaff: [] };
  for (const recipient of recipients) {
    if (await mailRecipient(ctx, request, recipient, action, at)) {
      outcome.notified.push({ name: recipient.name, how: 'email', at: ctx.clock.now().toISOString() });
      continue;
    }
    if (!recipient.notifyEmail && connectorsOf(recipient, apiNames).length > 0) {
      outcome.notified.push({ name: recipient.name, how: 'api', at });
      continue;
    }
    const todo = await addTodo(ctx, request.requestId, art19Todo(action, recipient.name));
    outcome.byStaff.push({ name: recipient.name, todo: todo.n });
  }
  await ctx.repo.audit(request.requestId, 'system', 'recipients.told', {
    action,
    notified: outcome.notified.map((r) => r.name),
    byStaff: outcome.byStaff.map((r) => r.name),
  });
  return outcome;
}
