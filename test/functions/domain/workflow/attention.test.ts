import { beforeEach, describe, expect, it } from 'vitest';
import { attentionActions, recordFailure, safeMessage } from '#domain/workflow/attention';
import { awaitTask } from '#domain/workflow/await-task';
import { REQUEST_ID, SUBJECT_EMAIL, failedOutcome, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;

beforeEach(() => {
  ctx = testContext();
});

/** How Step Functions hands over a Lambda error: the Cause is Lambda's JSON error payload. */
const lambdaError = (errorType: string, errorMessage: string) => ({ Error: errorType, Cause: JSON.stringify({ errorType, errorMessage }) });

describe('recordFailure', () => {
  it('puts the request on the staff queue with the failed step, the error and the status it had', async () => {
    await ctx.memory.create(requestRecord({ status: 'assembling' }));

    const out = await recordFailure(ctx, REQUEST_ID, { Assemble: lambdaError('MessageRejected', 'the mail was refused') });

    expect(out).toEqual({ step: 'Assemble', closed: false, staffSeconds: ctx.config.workflow.staffTaskTimeoutSeconds });
    expect(ctx.memory.stored()).toMatchObject({
      status: 'awaiting_staff',
      openPk: 'OPEN',
      attention: { step: 'Assemble', error: 'MessageRejected', message: 'the mail was refused', status: 'assembling', at: ctx.clock.now().toISOString() },
    });
    expect(ctx.memory.events.map((e) => [e.action, e.detail])).toEqual([
      ['workflow.needs_attention', { step: 'Assemble', error: 'MessageRejected', message: 'the mail was refused', status: 'assembling' }],
    ]);
  });

  it("keeps neither the subject's address nor her name, which error messages may quote", async () => {
    await ctx.memory.create(requestRecord({ status: 'awaiting_verification' }));

    await recordFailure(ctx, REQUEST_ID, {
      RecordReceipt: lambdaError('MessageRejected', `Email address is not verified: ${SUBJECT_EMAIL} (Alice Example), also bob@example.org`),
    });

    const stored = ctx.memory.stored();
    expect(stored.attention!.message).toBe('Email address is not verified: [address] ([name]), also [address]');
    expect(JSON.stringify(ctx.memory.events)).not.toMatch(/alice|bob@/i);
  });

  it('records a Lambda timeout, whose Cause is not JSON, by its name', async () => {
    await ctx.memory.create(requestRecord({ status: 'in_progress' }));

    await recordFailure(ctx, REQUEST_ID, { Reconcile: { Error: 'States.Timeout', Cause: 'Task timed out after 60 seconds' } });

    expect(ctx.memory.stored().attention).toMatchObject({ step: 'Reconcile', error: 'States.Timeout', message: 'Task timed out after 60 seconds', status: 'in_progress' });
  });

  it('ends the workflow without a staff task when the request was closed meanwhile (a cancel that won)', async () => {
    await ctx.memory.create(requestRecord({ status: 'cancelled', openPk: undefined, openSk: undefined }));

    const out = await recordFailure(ctx, REQUEST_ID, { PlanConnectors: lambdaError('StateConflict', 'request is cancelled') });

    expect(out.closed).toBe(true);
    expect(ctx.memory.stored().status).toBe('cancelled');
    expect(ctx.memory.stored().attention).toBeUndefined();
    expect(ctx.memory.events.map((e) => e.action)).toEqual(['workflow.step_failed']);
  });

  it('keeps a cancelled request closed but waits for staff when its cancellation mail never went out', async () => {
    await ctx.memory.create(requestRecord({ status: 'cancelled', openPk: undefined, openSk: undefined }));

    const out = await recordFailure(ctx, REQUEST_ID, { NotifyCancelled: lambdaError('MessageRejected', 'refused') });

    expect(out.closed).toBe(false);
    expect(ctx.memory.stored()).toMatchObject({ status: 'cancelled', attention: { step: 'NotifyCancelled', status: 'cancelled' } });
    expect(ctx.memory.stored().openPk).toBeUndefined();
    expect(attentionActions(ctx.memory.stored())).toEqual(['retry']);
  });

  it('ends the workflow when the cancellation mail of a closed request did go out', async () => {
    await ctx.memory.create(requestRecord({ status: 'cancelled', openPk: undefined, openSk: undefined }));
    await ctx.memory.claimMail(REQUEST_ID, 'closed', ctx.clock.now(), 20_000);
    await ctx.memory.markMailSent(REQUEST_ID, 'closed', ctx.clock.now(), 'msg-1');

    const out = await recordFailure(ctx, REQUEST_ID, { NotifyCancelled: lambdaError('Error', 'boom after the send') });

    expect(out.closed).toBe(true);
    expect(ctx.memory.stored().attention).toBeUndefined();
  });

  it('keeps the status saved by its first run when its own Lambda is retried', async () => {
    await ctx.memory.create(requestRecord({ status: 'in_progress' }));
    const caught = { Reconcile: lambdaError('Error', 'boom') };
    await recordFailure(ctx, REQUEST_ID, caught);

    await recordFailure(ctx, REQUEST_ID, caught);

    expect(ctx.memory.stored().attention!.status).toBe('in_progress');
    expect(ctx.memory.events.filter((e) => e.action === 'workflow.needs_attention')).toHaveLength(1);
  });

  it('refuses an input that does not name exactly one caught step', async () => {
    await ctx.memory.create(requestRecord({ status: 'in_progress' }));

    await expect(recordFailure(ctx, REQUEST_ID, {})).rejects.toThrow(/one caught step/);
    expect(ctx.memory.stored().status).toBe('in_progress');
  });
});

describe('attentionActions', () => {
  const attention = (step: string) => ({ step, error: 'Error', message: '', at: '2026-03-02T10:00:00.000Z', status: 'in_progress' as const });

  it('offers a retry of any step the workflow can re-enter, and no partial answer before collection is over', () => {
    for (const step of ['RecordReceipt', 'PlanConnectors', 'Reconcile', 'Assemble', 'NotifySubject']) {
      expect({ step, actions: attentionActions({ status: 'awaiting_staff', attention: attention(step), connectors: { calls: failedOutcome('calls') } }) }).toEqual({ step, actions: ['retry'] });
    }
  });

  it('offers a partial answer when the staff decision on failed connectors could not be set up', () => {
    expect(attentionActions({ status: 'awaiting_staff', attention: attention('AwaitStaffOnFailures'), connectors: { calls: failedOutcome('calls') } })).toEqual(['retry', 'accept-partial']);
    expect(attentionActions({ status: 'awaiting_staff', attention: attention('AwaitStaffOnFailures'), connectors: {} })).toEqual(['retry']);
  });

  it('offers nothing but cancel for a step it does not know', () => {
    expect(attentionActions({ status: 'awaiting_staff', attention: attention('SomeNewState') })).toEqual([]);
  });
});

describe('safeMessage', () => {
  it('leaves a message without personal data as it is, up to 300 characters', () => {
    const r = requestRecord();
    expect(safeMessage(r, 'ConditionalCheckFailed')).toBe('ConditionalCheckFailed');
    expect(safeMessage(r, 'x'.repeat(500))).toHaveLength(300);
  });
});

describe('awaitTask for NeedsAttention', () => {
  it('stores the token and tells staff which step failed, without naming the subject', async () => {
    await ctx.memory.create(requestRecord({ status: 'in_progress' }));
    await recordFailure(ctx, REQUEST_ID, { Assemble: lambdaError('MessageRejected', `refused ${SUBJECT_EMAIL}`) });

    await awaitTask(ctx, REQUEST_ID, 'attention', 'tok-a');

    expect(await ctx.memory.taskToken(REQUEST_ID, 'attention')).toBe('tok-a');
    const mail = ctx.mail.to(ctx.config.email.staff[0]!)[0]!;
    expect(mail.subject).toBe(`[DSAR] ${REQUEST_ID}: step Assemble failed (MessageRejected)`);
    expect(mail.text + mail.html).not.toMatch(/alice/i);
  });

  it('still waits for staff when that mail cannot be sent: the request is on the queue already', async () => {
    await ctx.memory.create(requestRecord({ status: 'in_progress' }));
    await recordFailure(ctx, REQUEST_ID, { Assemble: lambdaError('Error', 'boom') });
    ctx.mail.failNext = 1;

    await awaitTask(ctx, REQUEST_ID, 'attention', 'tok-a');

    expect(await ctx.memory.taskToken(REQUEST_ID, 'attention')).toBe('tok-a');
    expect(ctx.memory.events.map((e) => e.action)).toContain('attention.staff_not_mailed');
  });
});
