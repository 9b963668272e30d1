/**
 * Status transitions under races, on a real dynalite: every move is a conditional write on the status
 * it expects, an undo puts back only its own claim, and the subject hears about each transition once.
 * The workflow's task API is mocked; where a race needs an exact interleaving, the mock runs the
 * competing call at the moment the workflow would have been told.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskSuccessCommand, SFNClient, StopExecutionCommand, TaskDoesNotExist } from '@aws-sdk/client-sfn';
import { RequestError } from '#commons/errors';
import { acceptPartial, approve, cancel, deny, retry, undoTransition } from '#domain/requests/staff';
import { pauseDeadline } from '#domain/deadlines/ops/clock-stop';
import { StateConflict } from '#domain/requests/repository';
import { notifyOutcome } from '#domain/workflow/notify';
import { MAIL_LEASE_MS, mailOnce } from '#domain/notifications/once';
import type { RequestRecord, RequestStatus, Transition } from '#domain/requests/model';
import { putRequest, startHarness, type Harness, type RequestSeed } from '../../../support/dynalite-harness.ts';
import { failedOutcome } from '../../../support/in-memory-context.ts';

const sfn = mockClient(SFNClient);
let h: Harness;
const ARN = 'arn:aws:states:eu-north-1:123456789012:execution:dsar:x';
const RECEIVED = '2026-01-01T09:00:00Z';

beforeAll(async () => {
  h = await startHarness();
  (h.ctx as { sfn: SFNClient }).sfn = new SFNClient({ region: 'eu-north-1' });
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.mailer.sent = [];
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(StopExecutionCommand).resolves({});
});
afterEach(() => sfn.reset());

const failedCalls = failedOutcome('accounts');

/** A request in `status` with its execution, and the task token of the step it waits in. */
async function waiting(status: RequestStatus, extra: Partial<RequestRecord> = {}, seed: Partial<RequestSeed> = {}): Promise<string> {
  const r = await putRequest(h, { receivedAt: RECEIVED, status, ...seed });
  await h.ctx.repo.update(r.requestId, { executionArn: ARN, ...extra });
  if (status === 'awaiting_review') await h.ctx.repo.putTaskToken(r.requestId, 'review', `token-${r.requestId}`);
  if (status === 'awaiting_staff') await h.ctx.repo.putTaskToken(r.requestId, 'reconcile', `token-${r.requestId}`);
  return r.requestId;
}

/** Every staff action's outcome: 200 or the 409's code. */
async function outcomeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof RequestError && err.status === 409) return err.code;
    throw err;
  }
}

const actions = async (id: string) => (await h.ctx.repo.auditTrail(id)).map((e) => e.action).filter((a) => a !== 'request.acknowledged');
const mailsTo = (id: string) => h.mailer.sent.filter((m) => m.email.text.includes(id) || m.to.includes('subject@example.test'));

describe('approve and cancel racing', () => {
  it('leaves a request cancelled between the approval claim and the workflow hearing of it cancelled, not reopened', async () => {
    const id = await waiting('awaiting_review');
    // The cancel lands while approve talks to the workflow; the workflow it stops then no longer knows the task.
    let cancelled: Promise<string> | undefined;
    sfn.on(SendTaskSuccessCommand).callsFake(async () => {
      cancelled = outcomeOf(cancel(h.ctx, id, 'bob@staff', 'subject withdrew'));
      await cancelled;
      throw new TaskDoesNotExist({ message: 'Task does not exist anymore', $metadata: {} });
    });

    expect(await outcomeOf(approve(h.ctx, id, 'alice@staff'))).toBe('wrong_state');

    expect(await cancelled).toBe('ok');
    const after = await h.ctx.repo.get(id);
    expect(after.status).toBe('cancelled');
    // The approval that lost leaves nothing behind, its decision included.
    expect(after.decision).toBeUndefined();
    expect(after.closedAt).toBeDefined();
    expect(after.openPk).toBeUndefined();
    expect(after.cancellation).toMatchObject({ by: 'bob@staff', reason: 'subject withdrew' });
    expect(await actions(id)).toEqual(['request.cancelled']);
    expect(h.mailer.sent.map((m) => m.email.subject)).toEqual([expect.stringMatching(/cancel/i)]);
  });

  it('lets exactly one of them win when they start together, with the trail and mails of the winner only', async () => {
    const id = await waiting('awaiting_review');

    const [approved, cancelled] = await Promise.all([outcomeOf(approve(h.ctx, id, 'alice@staff')), outcomeOf(cancel(h.ctx, id, 'bob@staff', 'withdrawn'))]);

    const after = await h.ctx.repo.get(id);
    const trail = await actions(id);
    if (approved === 'ok' && cancelled !== 'ok') {
      expect(after.status).toBe('in_progress');
      expect(trail).toEqual(['review.approved']);
      expect(h.mailer.sent).toHaveLength(0);
    } else if (cancelled === 'ok' && approved !== 'ok') {
      expect(after.status).toBe('cancelled');
      expect(trail).toEqual(['request.cancelled']);
      expect(h.mailer.sent).toHaveLength(1);
    } else {
      // Approved first and cancelled after: both are legal, in that order.
      expect([approved, cancelled]).toEqual(['ok', 'ok']);
      expect(after.status).toBe('cancelled');
      expect(trail).toEqual(['review.approved', 'request.cancelled']);
    }
  });
});

describe('concurrent cancels', () => {
  it('cancel once: one 200, the others 409 closed, one audit entry and one mail', async () => {
    const id = await waiting('in_progress');

    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => outcomeOf(cancel(h.ctx, id, `staff${i}@staff`, 'withdrawn'))));

    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'closed')).toBe(true);
    expect(await actions(id)).toEqual(['request.cancelled']);
    expect(mailsTo(id)).toHaveLength(1);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(1);
  });
});

describe('decisions racing for the same waiting task', () => {
  it('approve against deny: one decision is recorded and handed to the workflow, the other is 409 and wrote nothing', async () => {
    const id = await waiting('awaiting_review');

    const [a, d] = await Promise.all([outcomeOf(approve(h.ctx, id, 'alice@staff')), outcomeOf(deny(h.ctx, id, 'bob@staff', 'excessive'))]);

    expect([a, d].sort()).toEqual(['ok', 'wrong_state']);
    const after = await h.ctx.repo.get(id);
    expect(after.decision?.outcome).toBe(a === 'ok' ? 'approved' : 'denied');
    expect(await actions(id)).toEqual([a === 'ok' ? 'review.approved' : 'review.denied']);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('retry against accept-partial: one moves the request on, the other is 409 and wrote nothing', async () => {
    const id = await waiting('awaiting_staff', { connectors: { accounts: failedCalls } });

    const [r, p] = await Promise.all([outcomeOf(retry(h.ctx, id, 'alice@staff')), outcomeOf(acceptPartial(h.ctx, id, 'bob@staff', 'archive offline'))]);

    expect([r, p].sort()).toEqual(['ok', 'wrong_state']);
    const after = await h.ctx.repo.get(id);
    expect(after.status).toBe(r === 'ok' ? 'in_progress' : 'assembling');
    expect(after.connectors!.accounts!.status).toBe(r === 'ok' ? 'pending' : 'accepted_missing');
    expect(after.partialAcceptance === undefined).toBe(r === 'ok');
    expect(await actions(id)).toEqual([r === 'ok' ? 'connectors.retry' : 'connectors.accepted_partial']);
  });
});

describe('undoing a claim', () => {
  it('puts back what the claim changed when the workflow did not take it', async () => {
    const id = await waiting('awaiting_staff', { connectors: { accounts: failedCalls } });
    sfn.on(SendTaskSuccessCommand).rejects(new TaskDoesNotExist({ message: 'gone', $metadata: {} }));

    expect(await outcomeOf(acceptPartial(h.ctx, id, 'alice@staff', 'archive offline'))).toBe('not_waiting');

    const after = await h.ctx.repo.get(id);
    expect(after.status).toBe('awaiting_staff');
    expect(after.connectors!.accounts!.status).toBe('failed');
    expect(after.partialAcceptance).toBeUndefined();
    expect(after.transition).toBeUndefined();
  });

  it('puts back a cancellation through the waiting task completely, the queue entry included', async () => {
    const id = await waiting('awaiting_staff', { connectors: { accounts: failedCalls } });
    const before = await h.ctx.repo.get(id);
    sfn.on(SendTaskSuccessCommand).rejects(new TaskDoesNotExist({ message: 'gone', $metadata: {} }));

    expect(await outcomeOf(cancel(h.ctx, id, 'alice@staff', 'withdrawn'))).toBe('not_waiting');

    const after = await h.ctx.repo.get(id);
    expect(after.status).toBe('awaiting_staff');
    expect(after.openPk).toBe('OPEN');
    expect(after.openSk).toBe(before.openSk);
    for (const field of ['closedAt', 'cancellation', 'purgePk', 'purgeAfter', 'transition'] as const) expect(after[field]).toBeUndefined();
    expect(await actions(id)).toEqual([]);
    expect(h.mailer.sent).toHaveLength(0);
  });

  it('leaves alone a request another call changed since: only the claim of this call is undone', async () => {
    const id = await waiting('awaiting_staff');
    const before = await h.ctx.repo.get(id);
    const mine: Transition = { id: 'mine', action: 'retry', by: 'alice@staff', at: RECEIVED, from: 'awaiting_staff', to: 'in_progress' };
    const theirs: Transition = { ...mine, id: 'theirs' };
    await h.ctx.repo.update(id, { status: 'in_progress', transition: theirs });

    expect(await undoTransition(h.ctx, before, mine, {}, [])).toBe(false);

    expect(await h.ctx.repo.get(id)).toMatchObject({ status: 'in_progress', transition: { id: 'theirs' } });
  });
});

describe('workflow steps against a cancellation', () => {
  it('a closing step that comes after a cancel changes nothing and mails nothing', async () => {
    const id = await waiting('assembling', { package: { key: 'k', createdAt: RECEIVED, expiresAt: '2026-02-01T00:00:00Z' } });
    await cancel(h.ctx, id, 'alice@staff', 'withdrawn');
    h.mailer.sent = [];

    await expect(notifyOutcome(h.ctx, id, { outcome: 'completed' })).rejects.toBeInstanceOf(StateConflict);

    expect((await h.ctx.repo.get(id)).status).toBe('cancelled');
    expect(await h.ctx.repo.download(id)).toBeUndefined();
    expect(h.mailer.sent).toHaveLength(0);
    expect(await actions(id)).toEqual(['request.cancelled']);
  });

  it('a retried closing step closes once and mails once, keeping the first link', async () => {
    const id = await waiting('assembling', { package: { key: 'k', createdAt: RECEIVED, expiresAt: '2026-02-01T00:00:00Z' } });

    await notifyOutcome(h.ctx, id, { outcome: 'completed' });
    const link = await h.ctx.repo.download(id);
    await notifyOutcome(h.ctx, id, { outcome: 'completed' });

    expect(h.mailer.sent).toHaveLength(1);
    expect(await h.ctx.repo.download(id)).toEqual(link);
    expect(await actions(id)).toEqual(['request.completed']);
  });

  it('closes only after the subject was told, so a closed status always means the mail went out', async () => {
    const id = await waiting('assembling', { package: { key: 'k', createdAt: RECEIVED, expiresAt: '2026-02-01T00:00:00Z' } });
    const seen: Array<string | undefined> = [];
    const send = h.mailer.send.bind(h.mailer);
    h.mailer.send = async (...args) => {
      const r = await h.ctx.repo.get(id);
      seen.push(`${r.status}/${r.closing}`);
      return send(...args);
    };
    try {
      await notifyOutcome(h.ctx, id, { outcome: 'completed' });
    } finally {
      h.mailer.send = send;
    }

    expect(seen).toEqual(['assembling/completed']);
    const after = await h.ctx.repo.get(id);
    expect(after.status).toBe('completed');
    expect(after.closing).toBeUndefined();
  });

  it('refuses a cancel while a closing step tells the subject (409 closed), and the step, retried, completes', async () => {
    const id = await waiting('assembling', { package: { key: 'k', createdAt: RECEIVED, expiresAt: '2026-02-01T00:00:00Z' } });
    // The closing step claimed the close and died before its mail.
    await h.ctx.repo.update(id, { closing: 'completed' });

    expect(await outcomeOf(cancel(h.ctx, id, 'alice@staff', 'withdrawn'))).toBe('closed');
    await notifyOutcome(h.ctx, id, { outcome: 'completed' });

    expect((await h.ctx.repo.get(id)).status).toBe('completed');
    expect(h.mailer.sent.map((m) => m.email.subject)).toEqual([expect.stringContaining('Your data is ready')]);
    expect(await actions(id)).toEqual(['request.completed']);
  });

  it('pause after a cancel is refused as closed, and a cancel after a pause still cancels', async () => {
    const closedFirst = await waiting('in_progress', {}, { jurisdiction: 'UK_GDPR', country: 'GB' });
    await cancel(h.ctx, closedFirst, 'alice@staff', 'withdrawn');
    expect(await outcomeOf(pauseDeadline(h.ctx, closedFirst, 'bob@staff', 'which account?'))).toBe('request_closed');

    const pausedFirst = await waiting('in_progress', {}, { jurisdiction: 'UK_GDPR', country: 'GB' });
    await pauseDeadline(h.ctx, pausedFirst, 'bob@staff', 'which account?');
    expect(await outcomeOf(cancel(h.ctx, pausedFirst, 'alice@staff', 'withdrawn'))).toBe('ok');
    expect((await h.ctx.repo.get(pausedFirst)).status).toBe('cancelled');
  });
});

describe('mail claims', () => {
  it('send once; a claim whose sender died is waited out and taken over after its lease, a sent one never', async () => {
    const id = await waiting('in_progress');
    let sends = 0;
    const send = async () => `m-${++sends}`;
    // The test's clock moves only when a caller waits.
    const waited: number[] = [];
    const wait = async (ms: number) => {
      waited.push(ms);
      h.clock.at = new Date(h.clock.at.getTime() + ms);
    };

    // The first sender claims and dies before sending: the next caller waits the lease out, then sends.
    expect(await h.ctx.repo.claimMail(id, 'test', h.clock.now(), MAIL_LEASE_MS)).toBe(true);
    expect(await mailOnce(h.ctx, id, 'test', send, wait)).toBe(true);
    expect(sends).toBe(1);
    expect(waited.reduce((a, b) => a + b, 0)).toBeGreaterThan(MAIL_LEASE_MS);

    expect(await mailOnce(h.ctx, id, 'test', send, wait)).toBe(false);
    h.clock.at = new Date(h.clock.at.getTime() + 10 * MAIL_LEASE_MS);
    expect(await mailOnce(h.ctx, id, 'test', send, wait)).toBe(false);
    expect(sends).toBe(1);
  });

  it('makes a second caller wait until the first one has sent, so both return with the mail out', async () => {
    const id = await waiting('in_progress');
    let sends = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const sending = new Promise<void>((r) => (started = r));
    const first = mailOnce(h.ctx, id, 'test', async () => {
      started();
      await gate;
      return `m-${++sends}`;
    });
    await sending;
    let polled!: () => void;
    const polling = new Promise<void>((r) => (polled = r));
    const second = mailOnce(h.ctx, id, 'test', async () => `m-${++sends}`, async () => {
      polled();
      await new Promise((r) => setImmediate(r));
    });

    await polling;
    expect(sends).toBe(0);
    release();
    expect(await Promise.all([first, second])).toEqual([true, false]);
    expect(sends).toBe(1);
  });

  it('gives the claim back when the send fails, so the retry sends at once', async () => {
    const id = await waiting('in_progress');
    await expect(mailOnce(h.ctx, id, 'test', async () => Promise.reject(new Error('SES said no')))).rejects.toThrow('SES said no');
    expect(await mailOnce(h.ctx, id, 'test', async () => 'm-1')).toBe(true);
  });
});
