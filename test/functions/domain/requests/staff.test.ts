import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StopExecutionCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { RequestError } from '#commons/errors';
import type { ConnectorOutcome } from '#domain/requests/model';
import { acceptPartial, approve, assign, cancel, deny, retry, staffActions } from '#domain/requests/staff';
import { exampleConfig } from '../../../support/in-memory-context.ts';
import { REQUEST_ID, SUBJECT_EMAIL, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

const sfn = mockClient(SFNClient);
let ctx: TestContext;
const APPROVER = 'dana@example-video.test';

async function rejection(p: Promise<unknown>): Promise<RequestError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RequestError);
  return err as RequestError;
}

const outcome = (connectorId: string, status: ConnectorOutcome['status']): ConnectorOutcome => ({
  connectorId,
  status,
  records: status === 'succeeded' ? 3 : 0,
  objects: {},
  stagingKeys: {},
  attempts: 1,
  ...(status === 'failed' ? { error: { type: 'ConnectorUnavailable', message: 'calls: 503' } } : {}),
});

async function inReview(overrides: Parameters<typeof requestRecord>[0] = {}) {
  await ctx.memory.create(
    requestRecord({ status: 'awaiting_review', verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: ctx.clock.now().toISOString() }), ...overrides }),
  );
  await ctx.memory.putTaskToken(REQUEST_ID, 'review', 'token-review');
}

async function awaitingStaff() {
  await ctx.memory.create(
    requestRecord({
      status: 'awaiting_staff',
      executionArn: 'arn:aws:states:eu-north-1:123456789012:execution:dsar:x',
      connectors: { accounts: outcome('accounts', 'succeeded'), calls: outcome('calls', 'failed') },
    }),
  );
  await ctx.memory.putTaskToken(REQUEST_ID, 'reconcile', 'token-reconcile');
}

/** A review denied ends AwaitReview with SendTaskFailure, which the state's Catch routes to NotifyDenied. */
function sentRefusal(): { error?: string; cause: unknown } {
  const calls = sfn.commandCalls(SendTaskFailureCommand);
  expect(calls).toHaveLength(1);
  expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  return { error: calls[0]!.args[0].input.error, cause: JSON.parse(calls[0]!.args[0].input.cause!) };
}

function sentOutput(): unknown {
  const calls = sfn.commandCalls(SendTaskSuccessCommand);
  expect(calls).toHaveLength(1);
  return JSON.parse(calls[0]!.args[0].input.output!);
}

beforeEach(() => {
  ctx = testContext();
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
});
afterEach(() => sfn.reset());

describe('approve', () => {
  it('approves a request awaiting review, completes the review task and records the approver', async () => {
    await inReview();

    const after = await approve(ctx, REQUEST_ID, APPROVER);

    expect(after.status).toBe('in_progress');
    expect(after.decision).toMatchObject({ outcome: 'approved', by: APPROVER });
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.taskToken).toBe('token-review');
    expect(sentOutput()).toEqual({ outcome: 'approved', by: APPROVER });
    expect(ctx.memory.events.find((e) => e.action === 'review.approved')?.actor).toBe(APPROVER);
    expect(await ctx.memory.taskToken(REQUEST_ID, 'review')).toBeUndefined();
  });

  it.each(['awaiting_verification', 'in_progress', 'completed'] as const)('refuses to approve a request that is %s (409)', async (status) => {
    await inReview({ status });

    const err = await rejection(approve(ctx, REQUEST_ID, APPROVER));

    expect(err.status).toBe(409);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(ctx.memory.stored().status).toBe(status);
  });

  it('refuses while the review task has not stored its token yet (409)', async () => {
    await inReview();
    await ctx.memory.deleteTaskToken(REQUEST_ID, 'review');

    const err = await rejection(approve(ctx, REQUEST_ID, APPROVER));

    expect(err.status).toBe(409);
    expect(err.code).toBe('not_waiting');
    expect(ctx.memory.stored().status).toBe('awaiting_review');
  });

  it('refuses while what approval will touch is still being counted, and says so (409)', async () => {
    await inReview();
    await ctx.memory.update(REQUEST_ID, { previewPending: true });
    await ctx.memory.deleteTaskToken(REQUEST_ID, 'review');

    const err = await rejection(approve(ctx, REQUEST_ID, APPROVER));

    expect(err.status).toBe(409);
    expect(err.code).toBe('not_waiting');
    expect(err.message).toMatch(/still being counted/);
    expect(ctx.memory.stored()).toMatchObject({ status: 'awaiting_review', previewPending: true });
    expect(ctx.memory.stored().decision).toBeUndefined();
  });

  it('requires confirmRequestId equal to the request id to approve an erasure', async () => {
    await inReview({ type: 'erasure' });

    const without = await rejection(approve(ctx, REQUEST_ID, APPROVER));
    const wrong = await rejection(approve(ctx, REQUEST_ID, APPROVER, 'dsar_someotherrequest'));
    const right = await approve(ctx, REQUEST_ID, APPROVER, REQUEST_ID);

    expect(without.status).toBe(400);
    expect(without.code).toBe('confirmation_required');
    expect(wrong.code).toBe('confirmation_required');
    expect(right.status).toBe('in_progress');
  });

  describe('approving a rectification', () => {
    const phone = { object: 'customers', recordId: 'cus_1', field: 'phone' as const, systemField: 'phone', value: '+47 400 00 001' };
    const correct = (over: Record<string, unknown> = {}) => ({ connectorId: 'stripe', object: 'customers', recordId: 'cus_1', field: 'phone' as const, value: ' +47 912 34 567 ', ...over });
    async function previewed() {
      await inReview({ type: 'rectification' });
      await ctx.memory.rectifications.putCurrent(REQUEST_ID, 'stripe', [phone]);
    }

    it('stores the corrections and refusals staff chose on their own item, and audits which fields where, never the values', async () => {
      await previewed();

      const after = await approve(ctx, REQUEST_ID, APPROVER, undefined, { corrections: [correct()], refusals: [{ field: 'name', reason: ' Our records match your passport. ' }] });

      expect(after.status).toBe('in_progress');
      expect(await ctx.memory.rectifications.choice(REQUEST_ID)).toEqual({
        corrections: { stripe: [{ object: 'customers', recordId: 'cus_1', field: 'phone', value: '+47 912 34 567' }] },
        refusals: [{ field: 'name', reason: 'Our records match your passport.' }],
        by: APPROVER,
        at: ctx.clock.now().toISOString(),
      });
      expect(after).not.toHaveProperty('rectification');
      const chosen = ctx.memory.events.find((e) => e.action === 'rectification.chosen')!;
      expect(chosen).toMatchObject({ actor: APPROVER, detail: { corrections: { stripe: ['phone'] }, refused: ['name'] } });
      expect(JSON.stringify(chosen)).not.toContain('+47');
    });

    it.each([
      ['no choice at all', undefined, 'rectification_choice_required'],
      ['an empty choice', { corrections: [], refusals: [] }, 'rectification_choice_empty'],
      ['a record the preview did not show', { corrections: [correct({ recordId: 'cus_someone_else' })], refusals: [] }, 'unknown_record'],
      ['a field the preview did not show', { corrections: [correct({ field: 'email', value: 'bob@example.org' })], refusals: [] }, 'unknown_record'],
      ['a system that showed nothing', { corrections: [correct({ connectorId: 'hubspot' })], refusals: [] }, 'unknown_record'],
      ['a phone that is not a number', { corrections: [correct({ value: 'ring me' })], refusals: [] }, 'invalid_correction'],
      ['the same field twice', { corrections: [correct(), correct()], refusals: [] }, 'duplicate_correction'],
      ['a field both corrected and refused', { corrections: [correct()], refusals: [{ field: 'phone' as const, reason: 'accurate' }] }, 'refused_and_corrected'],
    ])('refuses %s with a 400, stores nothing and leaves the request in review', async (_what, choice, code) => {
      await previewed();

      const err = await rejection(approve(ctx, REQUEST_ID, APPROVER, undefined, choice));

      expect([err.status, err.code]).toEqual([400, code]);
      expect(await ctx.memory.rectifications.choice(REQUEST_ID)).toBeUndefined();
      expect(ctx.memory.stored().status).toBe('awaiting_review');
    });

    it('refuses a rectification choice on another type of request', async () => {
      await inReview();
      expect((await rejection(approve(ctx, REQUEST_ID, APPROVER, undefined, { corrections: [], refusals: [] }))).code).toBe('rectification_not_applicable');
    });
  });

  it('undoes its claim when the workflow no longer waits (TaskTimedOut)', async () => {
    await inReview();
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));

    const err = await rejection(approve(ctx, REQUEST_ID, APPROVER));

    expect(err.status).toBe(409);
    const stored = ctx.memory.stored();
    expect(stored.status).toBe('awaiting_review');
    expect(stored.decision).toBeUndefined();
    expect(ctx.memory.actions()).not.toContain('review.approved');
  });

  it('lets only one of two approvers win', async () => {
    await inReview();

    const results = await Promise.allSettled([approve(ctx, REQUEST_ID, APPROVER), approve(ctx, REQUEST_ID, 'eve@example-video.test')]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });
});

describe('deny', () => {
  it('denies with a listed reason, ends the review task as ReviewDenied and audits the actor', async () => {
    await inReview();

    const after = await deny(ctx, REQUEST_ID, APPROVER, 'excessive');

    expect(after.decision).toMatchObject({ outcome: 'denied', by: APPROVER, reason: 'excessive' });
    expect(sentRefusal()).toEqual({ error: 'ReviewDenied', cause: { outcome: 'denied', by: APPROVER } });
    const event = ctx.memory.events.find((e) => e.action === 'review.denied');
    expect(event?.actor).toBe(APPROVER);
    expect(event?.detail).toEqual({ reason: 'excessive' });
  });

  it('needs a note for the reason "other"', async () => {
    await inReview();

    const err = await rejection(deny(ctx, REQUEST_ID, APPROVER, 'other'));
    const withNote = await deny(ctx, REQUEST_ID, APPROVER, 'other', 'We hold no account for this address.');

    expect(err.status).toBe(400);
    expect(err.code).toBe('note_required');
    expect(withNote.decision?.note).toBe('We hold no account for this address.');
  });

  it('refuses to deny a request that is not awaiting review (409)', async () => {
    await inReview({ status: 'in_progress' });

    const err = await rejection(deny(ctx, REQUEST_ID, APPROVER, 'excessive'));

    expect(err.status).toBe(409);
  });

  // Two staff members click deny at the same moment: one decision is recorded, the other is refused.
  it('lets only one of two staff members deny at once', async () => {
    await inReview();

    const results = await Promise.allSettled([
      deny(ctx, REQUEST_ID, APPROVER, 'excessive'),
      deny(ctx, REQUEST_ID, 'eve@example-video.test', 'manifestly_unfounded'),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(1);
  });

  it('removes the decision again when the workflow no longer waits', async () => {
    await inReview();
    sfn.on(SendTaskFailureCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));

    await rejection(deny(ctx, REQUEST_ID, APPROVER, 'excessive'));

    expect(ctx.memory.stored().decision).toBeUndefined();
  });
});

describe('decisions on failed connectors', () => {
  it('retries the failed connectors: marks them pending and tells the workflow which', async () => {
    await awaitingStaff();

    const after = await retry(ctx, REQUEST_ID, APPROVER);

    expect(after.status).toBe('in_progress');
    expect(after.connectors?.calls?.status).toBe('pending');
    expect(after.connectors?.accounts?.status).toBe('succeeded');
    expect(sentOutput()).toEqual({ action: 'retry', connectors: ['calls'] });
    expect(ctx.memory.events.find((e) => e.action === 'connectors.retry')).toMatchObject({ actor: APPROVER, detail: { connectors: ['calls'] } });
  });

  it('refuses to retry a connector that did not fail (400)', async () => {
    await awaitingStaff();

    const err = await rejection(retry(ctx, REQUEST_ID, APPROVER, 'accounts'));

    expect(err.status).toBe(400);
    expect(err.code).toBe('not_failed');
  });

  it('refuses to retry outside awaiting_staff (409)', async () => {
    await awaitingStaff();
    await ctx.memory.update(REQUEST_ID, { status: 'in_progress' });

    const err = await rejection(retry(ctx, REQUEST_ID, APPROVER));

    expect(err.status).toBe(409);
  });

  it('puts the failed connectors back when the retry cannot reach the workflow, so staff can try again', async () => {
    await awaitingStaff();
    sfn.on(SendTaskSuccessCommand).rejectsOnce(new TaskTimedOut({ message: 'timed out', $metadata: {} })).resolves({});

    await rejection(retry(ctx, REQUEST_ID, APPROVER));

    expect(ctx.memory.stored().status).toBe('awaiting_staff');
    expect(ctx.memory.stored().connectors?.calls?.status).toBe('failed');
    // And a second try goes through instead of "nothing to retry".
    const after = await retry(ctx, REQUEST_ID, APPROVER);
    expect(after.connectors?.calls?.status).toBe('pending');
  });

  it('accepts a partial answer with a reason on record and marks the failed connectors as accepted missing', async () => {
    await awaitingStaff();

    const after = await acceptPartial(ctx, REQUEST_ID, APPROVER, 'call history store is being migrated');

    expect(after.status).toBe('assembling');
    expect(after.connectors?.calls?.status).toBe('accepted_missing');
    expect(after.partialAcceptance).toMatchObject({ by: APPROVER, reason: 'call history store is being migrated' });
    expect(sentOutput()).toEqual({ action: 'accept_partial' });
    expect(ctx.memory.events.find((e) => e.action === 'connectors.accepted_partial')).toMatchObject({
      actor: APPROVER,
      detail: { missing: ['calls'] },
    });
  });

  it('refuses a partial answer without a reason', async () => {
    await awaitingStaff();

    const err = await rejection(acceptPartial(ctx, REQUEST_ID, APPROVER, '   '));

    expect(err.code).toBe('reason_required');
    expect(ctx.memory.stored().status).toBe('awaiting_staff');
  });

  it('restores the failed connectors when accepting partial cannot reach the workflow', async () => {
    await awaitingStaff();
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));

    await rejection(acceptPartial(ctx, REQUEST_ID, APPROVER, 'migration'));

    const stored = ctx.memory.stored();
    expect(stored.status).toBe('awaiting_staff');
    expect(stored.partialAcceptance).toBeUndefined();
    expect(stored.connectors?.calls?.status).toBe('failed');
  });

  it('cancels from awaiting_staff through the waiting task, with the reason', async () => {
    await awaitingStaff();

    await cancel(ctx, REQUEST_ID, APPROVER, 'subject withdrew the request');

    expect(sentOutput()).toEqual({ action: 'cancel', reason: 'subject withdrew the request', by: APPROVER });
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    expect(ctx.memory.events.find((e) => e.action === 'request.cancelled')).toMatchObject({ actor: APPROVER });
  });
});

describe('decisions on a step that failed for good (NeedsAttention)', () => {
  const attention = (step: string, status: 'assembling' | 'in_progress' = 'assembling') => ({ step, error: 'MessageRejected', message: 'refused', at: '2026-03-02T09:00:00.000Z', status });

  async function needsAttention(step: string, status: 'assembling' | 'in_progress' = 'assembling', connectors: Record<string, ConnectorOutcome> = {}) {
    await ctx.memory.create(
      requestRecord({ status: 'awaiting_staff', executionArn: 'arn:aws:states:eu-north-1:123456789012:execution:dsar:x', attention: attention(step, status), connectors }),
    );
    await ctx.memory.putTaskToken(REQUEST_ID, 'attention', 'token-attention');
  }

  it('retries the step: puts back the status it failed in, clears the failure and tells the workflow which step', async () => {
    await needsAttention('Assemble');

    const after = await retry(ctx, REQUEST_ID, APPROVER);

    expect(after.status).toBe('assembling');
    expect(after.attention).toBeUndefined();
    expect(after.transition).toMatchObject({ action: 'retry', from: 'awaiting_staff', to: 'assembling', by: APPROVER });
    expect(sentOutput()).toEqual({ action: 'retry', step: 'Assemble' });
    expect(await ctx.memory.taskToken(REQUEST_ID, 'attention')).toBeUndefined();
    expect(ctx.memory.events.find((e) => e.action === 'workflow.step_retried')).toMatchObject({ actor: APPROVER, detail: { step: 'Assemble' } });
  });

  it('keeps the failure on record when the retry cannot reach the workflow, so staff can try again', async () => {
    await needsAttention('Assemble');
    sfn.on(SendTaskSuccessCommand).rejectsOnce(new TaskTimedOut({ message: 'timed out', $metadata: {} })).resolves({});

    await rejection(retry(ctx, REQUEST_ID, APPROVER));

    expect(ctx.memory.stored()).toMatchObject({ status: 'awaiting_staff', attention: { step: 'Assemble' } });
    expect((await retry(ctx, REQUEST_ID, APPROVER)).status).toBe('assembling');
  });

  it('refuses to retry a named connector when a step failed (400)', async () => {
    await needsAttention('Assemble');

    const err = await rejection(retry(ctx, REQUEST_ID, APPROVER, 'calls'));

    expect([err.status, err.code]).toEqual([400, 'not_failed']);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('refuses a partial answer where nothing was collected to answer with (409), changing nothing', async () => {
    await needsAttention('PlanConnectors', 'in_progress');

    const err = await rejection(acceptPartial(ctx, REQUEST_ID, APPROVER, 'try anyway'));

    expect([err.status, err.code]).toEqual([409, 'not_offered']);
    expect(ctx.memory.stored()).toMatchObject({ status: 'awaiting_staff', attention: { step: 'PlanConnectors' } });
  });

  it('accepts a partial answer when the decision on failed connectors could not be set up, through the NeedsAttention task', async () => {
    await needsAttention('AwaitStaffOnFailures', 'in_progress', { accounts: outcome('accounts', 'succeeded'), calls: outcome('calls', 'failed') });

    const after = await acceptPartial(ctx, REQUEST_ID, APPROVER, 'call history store is gone');

    expect(after.status).toBe('assembling');
    expect(after.attention).toBeUndefined();
    expect(after.connectors?.calls?.status).toBe('accepted_missing');
    expect(sentOutput()).toEqual({ action: 'accept_partial' });
  });

  it('cancels through the NeedsAttention task, not the reconcile one', async () => {
    await needsAttention('Assemble');

    const after = await cancel(ctx, REQUEST_ID, APPROVER, 'the export store is being rebuilt');

    expect(after.status).toBe('cancelled');
    expect(sentOutput()).toEqual({ action: 'cancel', reason: 'the export store is being rebuilt', by: APPROVER });
    expect(ctx.mail.to(SUBJECT_EMAIL).map((m) => m.subject)).toEqual([`Your request ${REQUEST_ID} was cancelled`]);
  });

  it('sends the mail of a cancellation again when only that failed, leaving the request cancelled', async () => {
    await ctx.memory.create(
      requestRecord({
        status: 'cancelled',
        openPk: undefined,
        openSk: undefined,
        cancellation: { by: APPROVER, at: '2026-03-02T09:00:00.000Z', reason: 'withdrawn' },
        attention: { step: 'NotifyCancelled', error: 'MessageRejected', message: 'refused', at: '2026-03-02T09:01:00.000Z', status: 'cancelled' },
      }),
    );
    await ctx.memory.putTaskToken(REQUEST_ID, 'attention', 'token-attention');
    expect(staffActions(ctx, ctx.memory.stored(), ['approver'], new Date('2026-03-02T10:00:00Z'))).toEqual(['retry']);

    const after = await retry(ctx, REQUEST_ID, APPROVER);

    expect(after.status).toBe('cancelled');
    expect(after.attention).toBeUndefined();
    expect(sentOutput()).toEqual({ action: 'retry', step: 'NotifyCancelled' });
  });

  it('offers nothing about a failure from before the request was cancelled', () => {
    const cancelled = requestRecord({ status: 'cancelled', openPk: undefined, openSk: undefined, attention: attention('NotifySubject') });
    expect(staffActions(ctx, cancelled, ['approver'], new Date('2026-03-02T10:00:00Z'))).not.toContain('retry');
  });

  it('offers retry and cancel, and accept-partial only where it applies', () => {
    const now = new Date('2026-03-02T10:00:00Z');
    const record = (step: string, connectors: Record<string, ConnectorOutcome> = {}) => requestRecord({ status: 'awaiting_staff', attention: attention(step), connectors });
    expect(staffActions(ctx, record('Assemble', { calls: outcome('calls', 'failed') }), ['approver'], now)).toEqual(['retry', 'extend', 'assign', 'cancel']);
    expect(staffActions(ctx, record('AwaitStaffOnFailures', { calls: outcome('calls', 'failed') }), ['approver'], now)).toEqual(['retry', 'accept-partial', 'extend', 'assign', 'cancel']);
    // A closing step that claimed the close already: retry only, the subject may have been told.
    expect(staffActions(ctx, { ...record('NotifySubject'), closing: 'completed' }, ['approver'], now)).toEqual(['retry', 'extend', 'assign']);
  });
});

describe('cancel elsewhere', () => {
  it('stops the execution, closes the request and tells the subject', async () => {
    sfn.on(StopExecutionCommand).resolves({});
    await inReview({ executionArn: 'arn:aws:states:eu-north-1:123456789012:execution:dsar:x' });

    const after = await cancel(ctx, REQUEST_ID, APPROVER, 'filed by mistake');

    expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input.executionArn).toBe('arn:aws:states:eu-north-1:123456789012:execution:dsar:x');
    expect(after.status).toBe('cancelled');
    expect(after.openPk).toBeUndefined();
    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).toContain('filed by mistake');
  });

  it('refuses to cancel a closed request (409)', async () => {
    await inReview({ status: 'completed' });

    const err = await rejection(cancel(ctx, REQUEST_ID, APPROVER, 'x'));

    expect(err.status).toBe(409);
    expect(err.code).toBe('closed');
  });
});

describe('assignment', () => {
  it('makes a staff member responsible for an open request, on record, and hands it back', async () => {
    await inReview();

    const assigned = await assign(ctx, REQUEST_ID, APPROVER, 'erik@example-video.test');
    const unassigned = await assign(ctx, REQUEST_ID, APPROVER, undefined);

    expect(assigned.assignee).toBe('erik@example-video.test');
    expect(unassigned.assignee).toBeUndefined();
    expect(unassigned.status).toBe('awaiting_review');
    expect(ctx.memory.events.filter((e) => e.action.startsWith('request.')).map((e) => [e.action, e.actor, e.detail])).toEqual([
      ['request.assigned', APPROVER, { assignee: 'erik@example-video.test' }],
      ['request.unassigned', APPROVER, undefined],
    ]);
  });

  it('refuses to assign a closed request (409)', async () => {
    await inReview({ status: 'completed' });

    const err = await rejection(assign(ctx, REQUEST_ID, APPROVER, 'erik@example-video.test'));

    expect(err.status).toBe(409);
    expect(ctx.memory.stored().assignee).toBeUndefined();
  });
});

describe('staffActions: what the API would accept, for the console to offer', () => {
  const approver = ['approver'];
  const at = (iso: string) => new Date(iso);
  // The example installation is Norwegian, GDPR without gdprClockStop; the record is due 2 April 2026.
  const now = at('2026-03-02T10:00:00Z');

  it('offers approve, deny, extend, assign and cancel on a GDPR request awaiting review, but no pause without gdprClockStop', () => {
    expect(staffActions(ctx, requestRecord({ status: 'awaiting_review' }), approver, now)).toEqual(['approve', 'deny', 'extend', 'assign', 'cancel']);
  });

  it('offers no decision while what approval will touch is still being counted', () => {
    expect(staffActions(ctx, requestRecord({ status: 'awaiting_review', previewPending: true }), approver, now)).toEqual(['extend', 'assign', 'cancel']);
  });

  it('offers no decision and no cancel while a decision is being handed to the workflow, and no cancel while the workflow closes', () => {
    const deciding = requestRecord({ status: 'awaiting_review', decision: { outcome: 'denied', by: 'dana', at: '2026-03-02T09:00:00Z', reason: 'excessive' } });
    expect(staffActions(ctx, deciding, approver, now)).toEqual(['extend', 'assign']);
    expect(staffActions(ctx, requestRecord({ status: 'assembling', closing: 'completed' }), approver, now)).toEqual(['extend', 'assign']);
  });

  it('offers pause on a GDPR request once the installation allows the clock to stop, and resume instead while paused', () => {
    const config = exampleConfig();
    config.deadlines.gdprClockStop = true;
    const gdprStop = testContext(config);
    expect(staffActions(gdprStop, requestRecord({ status: 'in_progress' }), approver, now)).toEqual(['extend', 'pause', 'assign', 'cancel']);
    const paused = requestRecord({ status: 'in_progress', pause: { since: '2026-03-01', at: '2026-03-01T10:00:00Z', by: 'dana', reason: 'which account?' } });
    expect(staffActions(gdprStop, paused, approver, now)).toEqual(['extend', 'resume', 'assign', 'cancel']);
  });

  it.each([
    ['CCPA', 'US'],
    ['VCDPA', 'US'],
    ['CPA', 'US'],
    ['LGPD', 'BR'],
    ['PIPEDA', 'CA'],
  ] as const)('never offers pause under %s, which counts from receipt', (jurisdiction, country) => {
    expect(staffActions(ctx, requestRecord({ status: 'in_progress', jurisdiction, country }), approver, now)).not.toContain('pause');
  });

  it('offers pause on a UK request, and no extension under LGPD', () => {
    expect(staffActions(ctx, requestRecord({ status: 'in_progress', jurisdiction: 'UK_GDPR', country: 'GB' }), approver, now)).toContain('pause');
    expect(staffActions(ctx, requestRecord({ status: 'in_progress', jurisdiction: 'LGPD', country: 'BR', dueDate: '2026-03-17', extendedDueDate: '2026-03-17' }), approver, now)).not.toContain('extend');
  });

  it('offers no extension and no pause once the due date has passed in the controller\'s zone, nor a second extension', () => {
    // 2 April ends at midnight in Oslo: 22:30 UTC on 2 April is already 3 April there.
    const late = staffActions(ctx, requestRecord({ status: 'in_progress', jurisdiction: 'UK_GDPR', country: 'GB' }), approver, at('2026-04-02T23:30:00Z'));
    expect(late).not.toContain('extend');
    expect(late).not.toContain('pause');
    expect(staffActions(ctx, requestRecord({ status: 'in_progress' }), approver, at('2026-04-02T22:30:00Z'))).not.toContain('extend');
    const extended = requestRecord({ status: 'in_progress', extension: { by: 'dana', at: '2026-03-01T10:00:00Z', reason: 'complex', previousDueDate: '2026-04-02' } });
    expect(staffActions(ctx, extended, approver, now)).not.toContain('extend');
  });

  it('offers retry only when a connector failed, with accept-partial while staff must decide', () => {
    const failed = { connectorId: 'crm', status: 'failed', records: 0, objects: {}, stagingKeys: {}, attempts: 3 } as unknown as ConnectorOutcome;
    expect(staffActions(ctx, requestRecord({ status: 'awaiting_staff', connectors: { crm: failed } }), approver, now)).toEqual(['retry', 'accept-partial', 'extend', 'assign', 'cancel']);
    expect(staffActions(ctx, requestRecord({ status: 'awaiting_staff' }), approver, now)).not.toContain('retry');
  });

  it('offers only the package review on a closed request, while its package lasts', () => {
    const closed = requestRecord({ status: 'completed', openPk: undefined, openSk: undefined, closedAt: '2026-03-02T09:00:00Z' });
    expect(staffActions(ctx, closed, approver, now)).toEqual([]);
    const pkg = { key: 'k', createdAt: '2026-03-02T09:00:00Z', expiresAt: '2026-03-09T09:00:00Z' };
    expect(staffActions(ctx, { ...closed, package: pkg }, approver, now)).toEqual(['download']);
    expect(staffActions(ctx, { ...closed, package: pkg }, approver, at('2026-03-10T00:00:00Z'))).toEqual([]);
  });

  it('offers a viewer nothing, in any state', () => {
    expect(staffActions(ctx, requestRecord({ status: 'awaiting_review' }), ['viewer'], now)).toEqual([]);
    expect(staffActions(ctx, requestRecord({ status: 'awaiting_review' }), [], now)).toEqual([]);
  });
});
