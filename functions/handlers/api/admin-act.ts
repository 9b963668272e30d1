/**
 * POST /v1/admin/requests/{id}/{action}: staff actions. approve {confirmRequestId?, rectification?}, deny {reason, note?},
 * retry {connector?}, accept-partial {reason}, cancel {reason}, assign {assignee: email | null}, release {}
 * (a package awaiting release goes to the subject); on a resale partner's end user (processor mode):
 * forward {}, not-partner {reason}, partner-instruction {reference, note?}; accept-power-of-attorney {}
 * (agents.acceptPowerOfAttorney); on a restriction in force, announce-lifting {reason, liftOn} then lift {}
 * (../../domain/restriction/lifting.ts). Needs the approver role.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { appContext } from '#domain/context';
import { acceptPartial, approve, assign, cancel, deny, retry } from '#domain/requests/staff';
import { forwardToPartner, notPartnerCustomer, recordPartnerInstruction } from '#domain/requests/partner-actions';
import { DENIAL_REASONS } from '#domain/requests/model';
import { requestDetail } from '#domain/requests/queries';
import { releasePackage } from '#domain/release/release';
import { acceptPowerOfAttorney } from '#domain/agents/power-of-attorney';
import { announceLifting, liftRestriction, LIFTING_REASON_MAX } from '#domain/restriction/lifting';
import { RECTIFIABLE_FIELDS } from '#connectors/types';
import type { ChoiceInput } from '#domain/rectification/choice';
import { actionInput, httpHandler, requestIdFrom } from '../http.ts';

const rectifiable = z.enum(RECTIFIABLE_FIELDS, { error: `field must be one of ${RECTIFIABLE_FIELDS.join(', ')}` });
const part = (max: number) => z.optional(z.string().check(z.trim(), z.maxLength(max)));

/** A rectification's approval: the values staff write per system, record and field, and the fields refused with a reason. */
export const rectificationChoice = z.strictObject({
  corrections: z.array(
    z.strictObject({
      connectorId: z.string().check(z.minLength(1), z.maxLength(60)),
      object: z.string().check(z.minLength(1), z.maxLength(100)),
      recordId: z.string().check(z.minLength(1), z.maxLength(200)),
      field: rectifiable,
      value: z.union([
        z.string().check(z.maxLength(254)),
        z.strictObject({ line1: part(200), line2: part(200), postalCode: part(20), city: part(100), region: part(100), country: part(2) }),
      ]),
    }),
  ).check(z.maxLength(100)),
  refusals: z.array(
    z.strictObject({ field: rectifiable, reason: z.string().check(z.trim(), z.minLength(1, 'a refusal needs a reason, which the subject is told'), z.maxLength(1000)) }),
  ).check(z.maxLength(4)),
});

const reasons = Object.keys(DENIAL_REASONS) as [keyof typeof DENIAL_REASONS, ...(keyof typeof DENIAL_REASONS)[]];

/** The body of each action, by the action in the path (test/docs/openapi-zod.test.ts holds docs/openapi.yaml to them). */
export const bodies = {
  approve: z.strictObject({ confirmRequestId: z.optional(z.string()), rectification: z.optional(rectificationChoice) }),
  deny: z.strictObject({
    reason: z.enum(reasons, { error: `reason must be one of ${reasons.join(', ')}` }),
    note: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
  }),
  retry: z.strictObject({ connector: z.optional(z.string().check(z.maxLength(60))) }),
  'accept-partial': z.strictObject({ reason: z.string().check(z.trim(), z.minLength(1, 'reason is required'), z.maxLength(2000)) }),
  cancel: z.strictObject({ reason: z.string().check(z.trim(), z.minLength(1, 'reason is required'), z.maxLength(2000)) }),
  release: z.strictObject({}),
  // Staff read the agent's permission and accept it in place of the subject's own code (agents.acceptPowerOfAttorney).
  'accept-power-of-attorney': z.strictObject({}),
  // The staff member's email address; escalation emails for the request go to them. Handing a request
  // back to the team is said explicitly (null, or "" as the console's emptied field sends): a missing
  // or empty body must not unassign by accident.
  assign: z.strictObject({
    assignee: z.union([z.email({ error: 'assignee is an email address, or null to hand the request back to the team' }), z.literal(''), z.null()], {
      error: 'assignee is required: a staff email address, or null to hand the request back to the team',
    }),
  }),
  forward: z.strictObject({}),
  'not-partner': z.strictObject({ reason: z.string().check(z.trim(), z.minLength(1, 'reason is required'), z.maxLength(2000)) }),
  'partner-instruction': z.strictObject({
    reference: z.string().check(z.trim(), z.minLength(1, 'reference is required'), z.maxLength(200)),
    note: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
  }),
  // A restriction (Art. 18(3)): tell the subject when and why it ends, then lift it.
  'announce-lifting': z.strictObject({
    reason: z.string().check(z.trim(), z.minLength(1, 'reason is required'), z.maxLength(LIFTING_REASON_MAX)),
    liftOn: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'liftOn is a date, YYYY-MM-DD')),
  }),
  lift: z.strictObject({}),
};
type Action = keyof typeof bodies;

export const actionBody = z.unknown();

export const handler = httpHandler({ staffRole: 'approver', body: actionBody }, async ({ path, body, staff }) => {
  const action = path.action as Action;
  const input = actionInput(bodies, action, body) as Record<string, string | null | undefined> & { rectification?: ChoiceInput };
  const ctx = appContext();
  const id = requestIdFrom(path);
  const actor = staff!.id;
  switch (action) {
    case 'approve':
      await approve(ctx, id, actor, input.confirmRequestId ?? undefined, input.rectification);
      break;
    case 'deny':
      await deny(ctx, id, actor, input.reason as keyof typeof DENIAL_REASONS, input.note ?? undefined);
      break;
    case 'retry':
      await retry(ctx, id, actor, input.connector ?? undefined);
      break;
    case 'accept-partial':
      await acceptPartial(ctx, id, actor, input.reason!);
      break;
    case 'cancel':
      await cancel(ctx, id, actor, input.reason!);
      break;
    case 'assign':
      await assign(ctx, id, actor, input.assignee || undefined);
      break;
    case 'release':
      await releasePackage(ctx, id, actor);
      break;
    case 'forward':
      await forwardToPartner(ctx, id, actor);
      break;
    case 'not-partner':
      await notPartnerCustomer(ctx, id, actor, input.reason!);
      break;
    case 'partner-instruction':
      await recordPartnerInstruction(ctx, id, actor, input.reference!, input.note || undefined);
      break;
    case 'accept-power-of-attorney':
      await acceptPowerOfAttorney(ctx, id, actor);
      break;
    case 'announce-lifting':
      await announceLifting(ctx, id, actor, input.reason!, input.liftOn!);
      break;
    case 'lift':
      await liftRestriction(ctx, id, actor);
      break;
  }
  return { status: 200, body: await requestDetail(ctx, id, staff!.roles) };
});
