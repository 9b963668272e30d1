import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { RequestError } from '#commons/errors';
import type { PartnerMark } from '#domain/requests/model';
import { forwardToPartner, notPartnerCustomer, recordPartnerInstruction } from '#domain/requests/partner-actions';
import { fileRequest } from '#domain/requests/intake';
import { approve, deny, staffActions } from '#domain/requests/staff';
import { assertVerifiedAndApproved } from '#domain/workflow/collect';
import { REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

const sfn = mockClient(SFNClient);
let ctx: TestContext;
const APPROVER = 'dana@example-video.test';
const MARK: PartnerMark = {
  id: 'nordlys',
  name: 'Nordlys Møteromsløsninger AS',
  contactEmail: 'personvern@nordlys-partner.test',
  by: 'account_attribute',
  at: '2026-03-02T09:00:00.000Z',
};

async function rejection(p: Promise<unknown>): Promise<RequestError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RequestError);
  return err as RequestError;
}

async function inReview(partner: PartnerMark | null = MARK) {
  await ctx.memory.create(
    requestRecord({
      status: 'awaiting_review',
      verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: ctx.clock.now().toISOString() }),
      ...(partner ? { partner } : {}),
    }),
  );
  await ctx.memory.putTaskToken(REQUEST_ID, 'review', 'token-review');
}

const actionsNow = async () => staffActions(ctx, await ctx.repo.get(REQUEST_ID), ['approver']);
const trail = () => ctx.memory.events.map((e) => ({ actor: e.actor, action: e.action, detail: e.detail }));

beforeEach(() => {
  ctx = testContext();
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
});
afterEach(() => sfn.reset());

describe('a resale partner’s end user awaiting review', () => {
  it('offers forward, the partner’s instruction and the override, never approve or deny', async () => {
    await inReview();
    const actions = await actionsNow();
    expect(actions).toEqual(expect.arrayContaining(['forward', 'not-partner', 'partner-instruction']));
    expect(actions).not.toContain('approve');
    expect(actions).not.toContain('deny');
  });

  it('refuses approve and deny with 409 partner_request, changing nothing and waking no workflow', async () => {
    await inReview();
    expect((await rejection(approve(ctx, REQUEST_ID, APPROVER))).code).toBe('partner_request');
    expect((await rejection(deny(ctx, REQUEST_ID, APPROVER, 'exemption'))).code).toBe('partner_request');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
    expect(ctx.memory.stored().decision).toBeUndefined();
  });

  it('is forwarded: the review task ends as ReviewForwarded, the decision and who forwarded are kept, audited', async () => {
    await inReview();
    await forwardToPartner(ctx, REQUEST_ID, APPROVER);
    const calls = sfn.commandCalls(SendTaskFailureCommand);
    expect(calls).toHaveLength(1);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(calls[0]!.args[0].input.error).toBe('ReviewForwarded');
    expect(JSON.parse(calls[0]!.args[0].input.cause!)).toEqual({ outcome: 'forwarded', by: APPROVER });
    const stored = ctx.memory.stored();
    // Still awaiting review until NotifyForwarded closes it and tells the partner and the subject.
    expect(stored.status).toBe('awaiting_review');
    expect(stored.decision).toMatchObject({ outcome: 'forwarded', by: APPROVER });
    expect(stored.partner?.forwarded).toEqual({ by: APPROVER, at: ctx.clock.now().toISOString(), to: 'personvern@nordlys-partner.test' });
    expect(trail()).toContainEqual({ actor: APPROVER, action: 'partner.forwarded', detail: { partnerId: 'nordlys' } });
    // Forwarded once: a second click finds the decision taken.
    expect((await rejection(forwardToPartner(ctx, REQUEST_ID, APPROVER))).status).toBe(409);
  });

  it('puts the request back as it was when the workflow is no longer waiting', async () => {
    await inReview();
    sfn.on(SendTaskFailureCommand).rejects(new Error('boom'));
    await expect(forwardToPartner(ctx, REQUEST_ID, APPROVER)).rejects.toThrow();
    const stored = ctx.memory.stored();
    expect(stored.decision).toBeUndefined();
    expect(stored.partner).toEqual(MARK);
  });

  it('is overridden with a reason as not the partner’s customer, and then reviewed as usual', async () => {
    await inReview();
    expect((await rejection(notPartnerCustomer(ctx, REQUEST_ID, APPROVER, '  '))).code).toBe('reason_required');
    await notPartnerCustomer(ctx, REQUEST_ID, APPROVER, 'Signed up directly in 2024; the partner account ended');
    expect(ctx.memory.stored().partner?.override).toMatchObject({ by: APPROVER, reason: 'Signed up directly in 2024; the partner account ended' });
    expect(trail()).toContainEqual({ actor: APPROVER, action: 'partner.overridden', detail: { partnerId: 'nordlys', reason: 'Signed up directly in 2024; the partner account ended' } });
    const actions = await actionsNow();
    expect(actions).toEqual(expect.arrayContaining(['approve', 'deny']));
    expect(actions).not.toContain('forward');
    await approve(ctx, REQUEST_ID, APPROVER);
    expect(ctx.memory.stored().status).toBe('in_progress');
  });

  it('is answered on the partner’s instruction: the reference is kept, then staff approve and connectors may run', async () => {
    await inReview();
    expect((await rejection(recordPartnerInstruction(ctx, REQUEST_ID, APPROVER, ''))).code).toBe('reference_required');
    await recordPartnerInstruction(ctx, REQUEST_ID, APPROVER, 'NORDLYS-2026-117', 'Partner asked us to export the account data');
    expect(ctx.memory.stored().partner?.instruction).toMatchObject({ by: APPROVER, reference: 'NORDLYS-2026-117' });
    expect(trail()).toContainEqual({
      actor: APPROVER,
      action: 'partner.instruction_recorded',
      detail: { partnerId: 'nordlys', reference: 'NORDLYS-2026-117', note: 'Partner asked us to export the account data' },
    });
    await approve(ctx, REQUEST_ID, APPROVER);
    expect(() => assertVerifiedAndApproved(ctx.memory.stored())).not.toThrow();
  });

  it('takes one decision on the match: after an override there is nothing to forward', async () => {
    await inReview();
    await notPartnerCustomer(ctx, REQUEST_ID, APPROVER, 'own customer');
    expect((await rejection(forwardToPartner(ctx, REQUEST_ID, APPROVER))).code).toBe('partner_decided');
    expect((await rejection(recordPartnerInstruction(ctx, REQUEST_ID, APPROVER, 'X-1'))).code).toBe('partner_decided');
  });

  it('never lets a connector touch the data of a partner’s end user approved without an instruction', async () => {
    await inReview();
    const record = { ...ctx.memory.stored(), decision: { outcome: 'approved' as const, by: 'system', at: MARK.at } };
    expect(() => assertVerifiedAndApproved(record)).toThrow(/resale partner nordlys/);
  });
});

describe('a forwarded request when the partner’s instruction comes later', () => {
  const FORWARDED_AT = '2026-03-02T11:00:00.000Z';
  const ARN = 'arn:aws:states:eu-north-1:123456789012:execution:dsar:assisted';

  async function forwarded() {
    await ctx.memory.create(
      requestRecord({
        status: 'forwarded',
        verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: MARK.at }),
        decision: { outcome: 'forwarded', by: APPROVER, at: FORWARDED_AT },
        partner: { ...MARK, forwarded: { by: APPROVER, at: FORWARDED_AT, to: MARK.contactEmail } },
        closedAt: FORWARDED_AT,
        purgePk: 'PURGE',
        purgeAfter: '2028-03-02T11:00:00.000Z',
      }),
    );
    await ctx.memory.update(REQUEST_ID, { status: 'forwarded' }, { remove: ['openPk', 'openSk'] });
  }

  it('offers to record the instruction, and nothing that answers the request', async () => {
    await forwarded();
    const actions = await actionsNow();
    expect(actions).toContain('partner-instruction');
    expect(actions).not.toContain('approve');
  });

  it('reopens it for review with a new workflow run, keeping the forward on record', async () => {
    await forwarded();
    sfn.on(StartExecutionCommand).resolves({ executionArn: ARN });
    await recordPartnerInstruction(ctx, REQUEST_ID, APPROVER, 'NORDLYS-2026-200');
    const [start] = sfn.commandCalls(StartExecutionCommand);
    expect(start!.args[0].input.name).toBe(`${REQUEST_ID}-assisted`);
    expect(JSON.parse(start!.args[0].input.input!)).toEqual({ requestId: REQUEST_ID, assisted: { reference: 'NORDLYS-2026-200' } });
    const stored = ctx.memory.stored();
    expect(stored).toMatchObject({ status: 'awaiting_review', executionArn: ARN, openPk: 'OPEN', openSk: `${stored.dueDate}#${REQUEST_ID}` });
    expect(stored.decision).toBeUndefined();
    expect(stored.closedAt).toBeUndefined();
    expect(stored.purgePk).toBeUndefined();
    expect(stored.partner?.forwarded).toMatchObject({ by: APPROVER, at: FORWARDED_AT });
    expect(stored.partner?.instruction).toMatchObject({ by: APPROVER, reference: 'NORDLYS-2026-200' });
    expect(trail()).toContainEqual({ actor: APPROVER, action: 'partner.instruction_recorded', detail: { partnerId: 'nordlys', reference: 'NORDLYS-2026-200', reopened: true } });
    // Reviewed as usual now; a second instruction finds the match decided.
    expect(await actionsNow()).toContain('approve');
    expect((await rejection(recordPartnerInstruction(ctx, REQUEST_ID, APPROVER, 'again'))).code).toBe('partner_decided');
  });

  it('puts the request back, closed as forwarded, when the new run cannot start', async () => {
    await forwarded();
    const before = ctx.memory.stored();
    sfn.on(StartExecutionCommand).rejects(new Error('Step Functions unavailable'));
    await expect(recordPartnerInstruction(ctx, REQUEST_ID, APPROVER, 'NORDLYS-2026-201')).rejects.toThrow('Step Functions unavailable');
    const after = ctx.memory.stored();
    expect(after.status).toBe('forwarded');
    expect(after.decision).toEqual(before.decision);
    expect(after.partner).toEqual(before.partner);
    expect(after.closedAt).toBe(before.closedAt);
    expect(after.purgePk).toBe('PURGE');
    expect(after.openPk).toBeUndefined();
  });

  it('is refused with 409 while the subject’s newer request of the same type is open, naming it, and changes nothing', async () => {
    await forwarded();
    const NEWER = 'dsar_test0000000000007';
    await ctx.memory.create(requestRecord({ requestId: NEWER, status: 'awaiting_review' }));
    const before = ctx.memory.stored();

    const refused = await rejection(recordPartnerInstruction(ctx, REQUEST_ID, APPROVER, 'NORDLYS-2026-300'));

    expect(refused).toMatchObject({ status: 409, code: 'open_request_exists' });
    expect(refused.message).toContain(NEWER);
    expect(ctx.memory.stored()).toEqual(before);
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
    expect(trail().map((e) => e.action)).not.toContain('partner.instruction_recorded');
  });

  it('is refused, and put back, when a new filing took the subject lock at the same moment', async () => {
    await forwarded();
    const before = ctx.memory.stored();
    // Being filed right now: it holds the lock, its record is not written yet.
    await ctx.repo.claimSubjectLock(before.type, before.subjectHash, 'dsar_test0000000000008', ctx.clock.now().toISOString(), '2027-03-02T00:00:00.000Z');

    expect((await rejection(recordPartnerInstruction(ctx, REQUEST_ID, APPROVER, 'NORDLYS-2026-301'))).code).toBe('open_request_exists');

    const after = ctx.memory.stored();
    expect(after.status).toBe('forwarded');
    expect(after.partner).toEqual(before.partner);
    expect(after.decision).toEqual(before.decision);
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it('reopens when the newer request is closed, and then a new filing of the same type is a duplicate of the reopened one', async () => {
    await forwarded();
    const NEWER = 'dsar_test0000000000007';
    await ctx.memory.create(requestRecord({ requestId: NEWER, status: 'completed', closedAt: '2026-03-03T10:00:00.000Z' }));
    await ctx.repo.claimSubjectLock(ctx.memory.stored().type, ctx.memory.stored().subjectHash, NEWER, '2026-03-03T09:00:00.000Z', '2027-03-02T00:00:00.000Z');
    sfn.on(StartExecutionCommand).resolves({ executionArn: ARN });

    await recordPartnerInstruction(ctx, REQUEST_ID, APPROVER, 'NORDLYS-2026-302');
    expect(ctx.memory.stored().status).toBe('awaiting_review');

    const again = await fileRequest({ type: ctx.memory.stored().type, email: ctx.memory.stored().subject.email }, ctx);
    expect(ctx.memory.stored(again.requestId)).toMatchObject({ status: 'duplicate', duplicateOf: REQUEST_ID });
  });

  it('is refused once the subject’s address was purged', async () => {
    await forwarded();
    await ctx.memory.update(REQUEST_ID, { subjectPurgedAt: '2028-03-03T00:00:00.000Z' });
    expect(await actionsNow()).not.toContain('partner-instruction');
    expect((await rejection(recordPartnerInstruction(ctx, REQUEST_ID, APPROVER, 'X'))).code).toBe('purged');
  });
});

describe('a request of the company’s own customer', () => {
  it('offers no partner action and answers 409 not_partner_request to one', async () => {
    await inReview(null);
    expect(await actionsNow()).not.toContain('forward');
    expect((await rejection(forwardToPartner(ctx, REQUEST_ID, APPROVER))).code).toBe('not_partner_request');
    expect((await rejection(notPartnerCustomer(ctx, REQUEST_ID, APPROVER, 'x'))).code).toBe('not_partner_request');
  });
});
