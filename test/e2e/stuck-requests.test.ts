/**
 * No request is ever stuck (issue 14): on the real embedded runtime, each workflow step is made to fail
 * through the local runtime's function faults. A failure the workflow retries (a Lambda client timeout,
 * SDK throttling) completes by itself; a failure that stays (an SES rejection, a conflict, a bug) puts
 * the request on the staff queue in NeedsAttention with the failed step, where staff retry the step
 * after the fix, accept a partial answer where that applies, or cancel, and the subject is told once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { releasePackage } from '../support/release.ts';
import { demoPeople } from '../../infra/local/demo/people.ts';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { escalate } from '../../functions/domain/escalation/index.ts';
import { appContext } from '../../functions/domain/context.ts';

const CROWD = 40;
let rt: TestRuntime;
/** A fresh demo person per request: an open request of a type blocks a second one for the same subject. */
let next = 3;
const person = () => demoPeople(CROWD)[next++]!.email;
const staffMailbox = () => rt.config.email.staff[0]!;

beforeAll(async () => {
  rt = await startTestRuntime({
    crowd: CROWD,
    // The company's own stores only (no SaaS round trips), and portability approved without staff, so
    // the ApproveAutomatically step runs.
    configOverrides: (c: any) => ({
      ...c,
      connectors: c.connectors.filter((x: any) => x.kind === 'dynamodb' || x.kind === 's3'),
      review: { ...c.review, portability: 'auto' },
    }),
  });
});
afterAll(async () => {
  await rt?.cleanup();
});
afterEach(() => rt.functionFaults.clear());

type Type = 'access' | 'erasure' | 'portability' | 'marketing_opt_out' | 'rectification';
/** The types the example configuration approves without staff review. */
const autoApproved = (type: Type) => type === 'portability' || type === 'marketing_opt_out';
/** The waiting steps share the AwaitTask function; its payload names the kind of wait. */
const kindIs = (kind: string) => (p: unknown) => (p as { kind?: string }).kind === kind;
const outcomeIs = (outcome: string) => (p: unknown) => (p as { outcome?: string }).outcome === outcome;

async function file(email: string, type: Type): Promise<string> {
  // A rectification says what is wrong (the form requires it).
  const filed = await rt.api('POST', '/v1/requests', { body: { type, email, ...(type === 'rectification' ? { details: 'My phone number is wrong.' } : {}) } });
  expect(filed.status).toBe(202);
  return filed.body.requestId;
}

async function verify(id: string, email: string, type?: Type): Promise<void> {
  // An opt-out needs no code in the example configuration (verification.marketing_opt_out: none).
  if (type === 'marketing_opt_out') return;
  const res = await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, email) } });
  expect(res.status).toBe(200);
}

/** Verification and, for the types staff review, approval: what a request needs to run to its end. */
async function verifyAndApprove(id: string, email: string, type: Type): Promise<void> {
  await verify(id, email, type);
  if (!autoApproved(type)) await approveWhenWaiting(id, type);
}

/** Staff approve once the review waits for them: its staff mail goes out after the task token is stored. */
async function approveWhenWaiting(id: string, type: Type): Promise<void> {
  await rt.waitForMail(staffMailbox(), `${id}: ${type} request to review`, 30_000);
  await rt.approve(id, type);
}

/** Access and portability packages wait for staff to release them (`release: staff`, the example's setting). */
const releaseIfStaff = (id: string, type: Type) => (type === 'access' || type === 'portability' ? releasePackage(rt, id) : Promise.resolve());

const FINAL_MAIL: Partial<Record<Type, string>> = { erasure: 'Your data was erased', marketing_opt_out: 'We have stopped marketing to you', rectification: 'request to correct your data' };
const finalMail = (type: Type) => FINAL_MAIL[type] ?? 'Your data is ready';

async function closingMails(email: string, id: string): Promise<string[]> {
  return (await rt.mails(email)).filter((m) => m.subject.includes(id) && !/received your request|verification code/.test(m.subject)).map((m) => m.subject);
}

/** Until the request's execution is over: nothing the workflow does can come after. */
async function executionEnded(id: string): Promise<string> {
  const sfn = new SFNClient({ endpoint: rt.endpoints.stepfunctions, region: rt.stateMachineArn.split(':')[3]!, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const executionArn = `${rt.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
  try {
    for (;;) {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (status !== 'RUNNING') return status!;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    sfn.destroy();
  }
}

const act = (id: string, action: string, body: unknown = {}) => rt.api('POST', `/v1/admin/requests/${id}/${action}`, { token: rt.staffToken, body });

/** The request in NeedsAttention, once the workflow waits on staff (the staff mail goes out after the token is stored). */
async function needsAttention(id: string, step: string): Promise<any> {
  await rt.waitForMail(staffMailbox(), `${id}: step ${step} failed`, 30_000);
  const detail = await rt.waitForStatus(id, 'awaiting_staff');
  expect(detail.request.attention).toMatchObject({ step });
  return detail;
}

describe('a step that fails once with an error the workflow retries', () => {
  it.each<{ fn: string; error: string; type: Type; when?: (p: unknown) => boolean; after?: boolean }>([
    { fn: 'record-receipt', error: 'Lambda.ClientExecutionTimeoutException', type: 'access' },
    { fn: 'await-task', error: 'Lambda.ClientExecutionTimeoutException', type: 'access', when: kindIs('verification') },
    { fn: 'await-task', error: 'Lambda.TooManyRequestsException', type: 'access', when: kindIs('review') },
    { fn: 'approve-automatically', error: 'ThrottlingException', type: 'portability' },
    { fn: 'plan-connectors', error: 'ProvisionedThroughputExceededException', type: 'access' },
    { fn: 'reconcile', error: 'Lambda.ServiceException', type: 'access' },
    { fn: 'assemble', error: 'TooManyRequestsException', type: 'access' },
    { fn: 'await-task', error: 'Lambda.ServiceException', type: 'access', when: kindIs('release') },
    { fn: 'confirm-erasure', error: 'RequestLimitExceeded', type: 'erasure' },
    // The answer is lost after the work was done: the retried closing step must not mail again.
    { fn: 'notify-subject', error: 'Lambda.ClientExecutionTimeoutException', type: 'access', after: true },
    { fn: 'notify-subject', error: 'Lambda.ClientExecutionTimeoutException', type: 'erasure', after: true },
  ])('$fn ($error, $type) is retried and the request completes without staff', async ({ fn, error, type, when, after }) => {
    const email = person();
    rt.functionFaults.set(fn, { error, count: 1, ...(when ? { when } : {}), ...(after ? { after } : {}) });
    const before = rt.functionFaults.injected(fn);
    const id = await file(email, type);
    await verifyAndApprove(id, email, type);
    await releaseIfStaff(id, type);

    const done = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 60_000);

    expect(done.request.status).toBe('completed');
    expect(rt.functionFaults.injected(fn) - before).toBe(1);
    expect(done.audit.map((a: any) => a.action)).not.toContain('workflow.needs_attention');
    expect(await closingMails(email, id)).toEqual([expect.stringContaining(finalMail(type))]);
  }, 90_000);
});

describe('a step that fails for good', () => {
  it.each<{ step: string; fn: string; type: Type; when?: (p: unknown) => boolean }>([
    { step: 'RecordReceipt', fn: 'record-receipt', type: 'access' },
    { step: 'VerifyIdentity', fn: 'await-task', type: 'access', when: kindIs('verification') },
    { step: 'AwaitReview', fn: 'await-task', type: 'access', when: kindIs('review') },
    { step: 'ApproveAutomatically', fn: 'approve-automatically', type: 'portability' },
    { step: 'PlanConnectors', fn: 'plan-connectors', type: 'access' },
    { step: 'Reconcile', fn: 'reconcile', type: 'access' },
    { step: 'Assemble', fn: 'assemble', type: 'access' },
    { step: 'AwaitRelease', fn: 'await-task', type: 'access', when: kindIs('release') },
    { step: 'NotifySubject', fn: 'notify-subject', type: 'access', when: outcomeIs('completed') },
    { step: 'ConfirmErasure', fn: 'confirm-erasure', type: 'erasure' },
    { step: 'NotifyErased', fn: 'notify-subject', type: 'erasure', when: outcomeIs('erased') },
    { step: 'NotifyOptedOut', fn: 'notify-subject', type: 'marketing_opt_out', when: outcomeIs('opted_out') },
    { step: 'NotifyRectified', fn: 'notify-subject', type: 'rectification', when: outcomeIs('rectified') },
  ])(
    '$step reaches NeedsAttention on the staff queue, and a staff retry after the fix completes the request',
    async ({ step, fn, type, when }) => {
      const email = person();
      // What SES says when it refuses a recipient: the message names the address, which must not be kept.
      rt.functionFaults.set(fn, { error: 'MessageRejected', message: `Email address is not verified: ${email}`, count: Infinity, ...(when ? { when } : {}) });
      const id = await file(email, type);
      const early = step === 'RecordReceipt' || step === 'VerifyIdentity';
      if (!early) {
        await verify(id, email, type);
        if (!autoApproved(type) && step !== 'AwaitReview') await approveWhenWaiting(id, type);
        // The closing step comes after staff released the package.
        if (step === 'NotifySubject') await releaseIfStaff(id, type);
      }

      const stuck = await needsAttention(id, step);

      expect(stuck.request.attention).toMatchObject({ step, error: 'MessageRejected', message: 'Email address is not verified: [address]' });
      expect(JSON.stringify(stuck.request.attention)).not.toContain(email);
      expect(stuck.actions).toEqual(expect.arrayContaining(['retry', 'cancel']));
      expect(stuck.actions).not.toContain('accept-partial');
      const queue = await rt.api('GET', '/v1/admin/requests?status=awaiting_staff', { token: rt.staffToken });
      expect(queue.body.items.map((r: any) => r.requestId)).toContain(id);
      expect(await closingMails(email, id)).toEqual([]);

      rt.functionFaults.clear(fn);
      const retried = await act(id, 'retry');
      expect(retried.status).toBe(200);
      expect(retried.body.request.attention).toBeUndefined();
      // Back in the status the step failed in (the workflow may have moved it on since the claim).
      expect(retried.body.request.transition).toMatchObject({ action: 'retry', from: 'awaiting_staff', to: stuck.request.attention.status });
      if (early) await verifyAndApprove(id, email, type);
      else if (step === 'AwaitReview') await approveWhenWaiting(id, type);
      if (step !== 'NotifySubject') await releaseIfStaff(id, type);

      const done = await rt.waitForStatus(id, ['completed', 'completed_partial'], 60_000);
      expect(done.request.status).toBe('completed');
      const actions = done.audit.map((a: any) => a.action);
      expect(actions).toEqual(expect.arrayContaining(['workflow.needs_attention', 'workflow.step_retried']));
      expect(await closingMails(email, id)).toEqual([expect.stringContaining(finalMail(type))]);
    },
    120_000,
  );

  it('AssembleReleased, the build after the release, reaches NeedsAttention under its own name, and a staff retry sends the package once', async () => {
    const email = person();
    const id = await file(email, 'access');
    await verifyAndApprove(id, email, 'access');
    await rt.waitForStatus(id, 'awaiting_release', 60_000);
    // Only the build after the release fails: the first build (Assemble) went through already.
    rt.functionFaults.set('assemble', { error: 'MessageRejected', message: `Email address is not verified: ${email}`, count: Infinity });
    await releasePackage(rt, id);

    const stuck = await needsAttention(id, 'AssembleReleased');
    expect(stuck.actions).toEqual(expect.arrayContaining(['retry', 'cancel']));
    expect(await closingMails(email, id)).toEqual([]);

    rt.functionFaults.clear('assemble');
    expect((await act(id, 'retry')).status).toBe(200);

    const done = await rt.waitForStatus(id, ['completed', 'completed_partial'], 60_000);
    expect(done.request.status).toBe('completed');
    expect(await closingMails(email, id)).toEqual([expect.stringContaining(finalMail('access'))]);
  }, 120_000);

  it('cancel closes the request from NeedsAttention and tells the subject once', async () => {
    const email = person();
    rt.functionFaults.set('assemble', { error: 'StateConflict', count: Infinity });
    const id = await file(email, 'access');
    await verifyAndApprove(id, email, 'access');
    await needsAttention(id, 'Assemble');

    const cancelled = await act(id, 'cancel', { reason: 'the export store is being rebuilt' });

    expect(cancelled.status).toBe(200);
    expect(cancelled.body.request.status).toBe('cancelled');
    expect(cancelled.body.actions).not.toContain('retry');
    // The workflow's own NotifyCancelled runs too; the subject still gets one mail.
    expect(await executionEnded(id)).toBe('SUCCEEDED');
    expect(await closingMails(email, id)).toEqual([`Your request ${id} was cancelled`]);
    const again = await act(id, 'retry');
    expect(again.status).toBe(409);
  }, 90_000);

  it('offers accept-partial when the staff decision on failed connectors could not be set up, and completes partial', async () => {
    const email = person();
    const [failing] = rt.config.connectors.map((c) => c.id);
    rt.functionFaults.set('collect', { error: 'ConnectorAuthFailed', count: Infinity, when: (p) => (p as { connectorId?: string }).connectorId === failing });
    rt.functionFaults.set('await-task', { error: 'MessageRejected', count: Infinity, when: kindIs('reconcile') });
    const id = await file(email, 'access');
    await verifyAndApprove(id, email, 'access');

    const stuck = await needsAttention(id, 'AwaitStaffOnFailures');

    expect(stuck.actions).toEqual(expect.arrayContaining(['retry', 'accept-partial', 'cancel']));
    const accepted = await act(id, 'accept-partial', { reason: 'the store is gone for good' });
    expect(accepted.status).toBe(200);
    await releaseIfStaff(id, 'access');
    const done = await rt.waitForStatus(id, ['completed', 'completed_partial'], 60_000);
    expect(done.request.status).toBe('completed_partial');
    expect(done.connectors.find((c: any) => c.connectorId === failing)).toMatchObject({ status: 'accepted_missing' });
    expect(await closingMails(email, id)).toEqual([expect.stringContaining('Your data is ready')]);
  }, 90_000);

  it('refuses accept-partial where nothing was collected, with a 409 that names the step', async () => {
    const email = person();
    rt.functionFaults.set('plan-connectors', { error: 'InvalidStepInput', count: Infinity });
    const id = await file(email, 'access');
    await verifyAndApprove(id, email, 'access');
    await needsAttention(id, 'PlanConnectors');

    const refused = await act(id, 'accept-partial', { reason: 'no' });

    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain('PlanConnectors');
    expect((await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.request.status).toBe('awaiting_staff');

    // The digest of the escalation job lists it as its due date nears, like any open request.
    const due = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.request.dueDate as string;
    const summary = await escalate(appContext(), { now: new Date(`${due}T12:00:00Z`) });
    expect(summary.digests.length).toBeGreaterThan(0);
    const digest = (await rt.mails(staffMailbox())).filter((m) => m.subject.includes('near a deadline') || m.subject.includes('need attention')).pop()!;
    expect(digest.body.text).toContain(id);
  }, 90_000);
});
