/**
 * Follow-up tasks under a request on a real dynalite: made from an erasure's Art. 19 recipients and from
 * a partial answer, ticked and closed with conditional writes, and holding the request open for staff
 * (and back from the retention sweep) until the last one is finished.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { RequestError } from '#commons/errors';
import { addTodo, finishTodo, listTodos, openFollowUps, reassignTodo } from '#domain/todos/index';
import { todoKeys } from '#domain/todos/model';
import { sweepSubjectRetention } from '#domain/retention/subjects';
import { staffView } from '#domain/requests/queries';
import { escalate } from '#domain/escalation/index';
import type { ErasureReport } from '#domain/requests/model';
import { putRequest, startHarness, type Harness } from '../../../support/dynalite-harness.ts';

const APPROVER = 'dana@example-video.test';
const OTHER = 'erik@example-video.test';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.clock.at = new Date('2026-03-02T10:00:00Z');
});
afterEach(async () => h?.close());

const report = (recipientsNotTold: ErasureReport['recipientsNotTold']): ErasureReport => ({
  completedAt: '2026-03-02T09:00:00Z',
  systems: [],
  recipientsNotified: [{ name: 'Stripe (payments)', how: 'erasure_api', at: '2026-03-02T09:00:00Z' }],
  notErased: [],
  recipientsNotTold,
});

async function erased(recipients: ErasureReport['recipientsNotTold'] = [
  { name: 'Zendesk', reason: 'staff' },
  { name: 'Mailchimp', reason: 'staff' },
  { name: 'Google Analytics', reason: 'nothing_erased' },
]) {
  const r = await putRequest(h, {
    type: 'erasure',
    status: 'completed',
    receivedAt: '2026-02-20T10:00:00Z',
    closedAt: '2026-03-02T09:00:00Z',
    decision: { outcome: 'approved', by: APPROVER, at: '2026-02-21T10:00:00Z' },
  });
  await h.ctx.repo.update(r.requestId, { erasureReport: report(recipients), purgePk: 'PURGE', purgeAfter: '2026-04-01T00:00:00.000Z' });
  return r.requestId;
}

const stored = async (id: string) => h.ctx.repo.get(id);
const actions = async (id: string) => (await h.ctx.repo.auditTrail(id)).map((e) => e.action);

async function refusal(p: Promise<unknown>): Promise<RequestError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RequestError);
  return err as RequestError;
}

describe('tasks made from an erasure', () => {
  it('gives each Art. 19 recipient our staff must tell one task, owned by the approver and due in a week', async () => {
    const id = await erased();

    await openFollowUps(h.ctx, id);

    const todos = await listTodos(h.ctx, id);
    expect(todos.map((t) => [t.n, t.kind, t.title, t.owner, t.dueDate, t.status])).toEqual([
      [1, 'art19-recipient', 'Tell Zendesk about the erasure (GDPR Art. 19)', APPROVER, '2026-03-09', 'open'],
      [2, 'art19-recipient', 'Tell Mailchimp about the erasure (GDPR Art. 19)', APPROVER, '2026-03-09', 'open'],
    ]);
    expect(staffView(h.ctx, await stored(id)).openTodos).toBe(2);
    expect((await actions(id)).filter((a) => a === 'todo.added')).toHaveLength(2);
  });

  it('reads the request once for all the tasks it adds', async () => {
    const id = await erased();
    const get = vi.spyOn(h.ctx.repo, 'get');

    await openFollowUps(h.ctx, id);

    expect(get).toHaveBeenCalledTimes(1);
    get.mockRestore();
    expect(await listTodos(h.ctx, id)).toHaveLength(2);
  });

  it('adds nothing twice when the closing step runs again', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);

    await openFollowUps(h.ctx, id);

    expect(await listTodos(h.ctx, id)).toHaveLength(2);
    expect(staffView(h.ctx, await stored(id)).openTodos).toBe(2);
  });

  it('makes no task when every recipient was told or had nothing to be told', async () => {
    const id = await erased([{ name: 'Google Analytics', reason: 'nothing_erased' }]);

    await openFollowUps(h.ctx, id);

    expect(await listTodos(h.ctx, id)).toEqual([]);
    expect((await stored(id)).todosOpen).toBeUndefined();
  });
});

describe('tasks made from a partial answer', () => {
  it('gives each system staff accepted as missing one task to finish the answer, owned by the assignee', async () => {
    const r = await putRequest(h, { status: 'completed_partial', receivedAt: '2026-02-20T10:00:00Z', assignee: OTHER });
    await h.ctx.repo.update(r.requestId, {
      connectors: {
        accounts: { connectorId: 'accounts', status: 'accepted_missing', records: 0, objects: {}, stagingKeys: {}, attempts: 3 },
      },
    });

    await openFollowUps(h.ctx, r.requestId);

    expect((await listTodos(h.ctx, r.requestId)).map((t) => [t.kind, t.title, t.owner, t.dueDate])).toEqual([
      ['partial-answer', 'Send the subject the data from Accounts missing from the answer', OTHER, '2026-03-16'],
    ]);
  });
});

describe('tasks made from what staff withheld from a package', () => {
  it('gives each withheld part one review task naming the system, the part and the reason', async () => {
    const r = await putRequest(h, { status: 'completed', receivedAt: '2026-02-20T10:00:00Z', assignee: OTHER });
    await h.ctx.repo.update(r.requestId, {
      withheld: [
        { id: 'w1', connectorId: 'accounts', object: 'notes', recordId: '42', reason: 'third_party', by: APPROVER, at: '2026-03-01T10:00:00Z' },
        { id: 'w2', connectorId: 'accounts', object: 'tickets', field: 'internalComment', reason: 'staff_remarks', by: APPROVER, at: '2026-03-01T10:05:00Z' },
      ],
    });

    await openFollowUps(h.ctx, r.requestId);
    await openFollowUps(h.ctx, r.requestId);

    expect((await listTodos(h.ctx, r.requestId)).map((t) => [t.kind, t.title, t.owner])).toEqual([
      ['withheld-review', "Review what was withheld from Accounts (notes, record 42; another person's rights)", OTHER],
      ['withheld-review', "Review what was withheld from Accounts (tickets, field internalComment; staff's private remarks)", OTHER],
    ]);
  });
});

describe('addTodo', () => {
  it('numbers two tasks added at once 1 and 2, neither overwriting the other', async () => {
    const id = await erased([]);

    await Promise.all([
      addTodo(h.ctx, id, { kind: 'withheld-review', title: 'Review the withheld call notes' }, APPROVER),
      addTodo(h.ctx, id, { kind: 'withheld-review', title: 'Review the withheld invoices' }, APPROVER),
    ]);

    const todos = await listTodos(h.ctx, id);
    expect(todos.map((t) => t.n)).toEqual([1, 2]);
    expect(todos.map((t) => t.title).sort()).toEqual(['Review the withheld call notes', 'Review the withheld invoices']);
    expect(staffView(h.ctx, await stored(id)).openTodos).toBe(2);
  });

  it('makes one task of two adds of the same ref at once (a closing step retried while the first still runs)', async () => {
    const id = await erased([]);
    const todo = { kind: 'art19-recipient', ref: 'art19:Zendesk', title: 'Tell Zendesk about the erasure (GDPR Art. 19)' };

    const [a, b] = await Promise.all([addTodo(h.ctx, id, todo), addTodo(h.ctx, id, todo)]);

    expect(a.n).toBe(b.n);
    expect(await listTodos(h.ctx, id)).toHaveLength(1);
    expect(staffView(h.ctx, await stored(id)).openTodos).toBe(1);
    expect((await actions(id)).filter((x) => x === 'todo.added')).toHaveLength(1);
  });

  it('refuses a request that does not exist', async () => {
    await expect(addTodo(h.ctx, 'dsar_nothere0001', { kind: 'withheld-review', title: 'x' })).rejects.toThrow('does not exist');
  });
});

describe('ticking and closing tasks', () => {
  it('lets only one of two staff ticking the same task at once win; the other gets 409', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);

    const results = await Promise.allSettled([
      finishTodo(h.ctx, id, 1, APPROVER, 'done', 'Told Zendesk support by ticket 4411'),
      finishTodo(h.ctx, id, 1, OTHER, 'done', 'Emailed Zendesk'),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ status: 409, code: 'task_not_open' });
    expect((await actions(id)).filter((a) => a === 'todo.done')).toHaveLength(1);
    expect(staffView(h.ctx, await stored(id)).openTodos).toBe(1);
  });

  it('records who ticked a task, when and the note, and takes it out of the reminders', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);

    const done = await finishTodo(h.ctx, id, 2, APPROVER, 'done', '  Told Mailchimp by email  ');

    expect(done).toMatchObject({ status: 'done', resolution: { by: APPROVER, at: '2026-03-02T10:00:00.000Z', note: 'Told Mailchimp by email' } });
    const marker = await h.access.db.send(new GetCommand({ TableName: h.access.table, Key: todoKeys.due('2026-03-09', id, 2) }));
    expect(marker.Item).toBeUndefined();
    const event = (await h.ctx.repo.auditTrail(id)).find((e) => e.action === 'todo.done');
    expect(event).toMatchObject({ actor: APPROVER, detail: { n: 2, kind: 'art19-recipient', note: 'Told Mailchimp by email' } });
  });

  it('closes a task without doing it only with a reason (400 otherwise, nothing written)', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);

    const err = await refusal(finishTodo(h.ctx, id, 1, APPROVER, 'closed', '   '));

    expect(err).toMatchObject({ status: 400, code: 'reason_required' });
    expect((await listTodos(h.ctx, id))[0]!.status).toBe('open');
    const closed = await finishTodo(h.ctx, id, 1, APPROVER, 'closed', 'Zendesk holds no copy since the 2025 migration');
    expect(closed).toMatchObject({ status: 'closed', resolution: { note: 'Zendesk holds no copy since the 2025 migration' } });
  });

  it('answers 404 for a task that does not exist', async () => {
    const id = await erased();
    expect(await refusal(finishTodo(h.ctx, id, 9, APPROVER, 'done'))).toMatchObject({ status: 404 });
  });

  it('finishes the request for staff when the last task is done, once, and the subject\'s answer date stays', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);
    await finishTodo(h.ctx, id, 1, APPROVER, 'done');
    expect((await stored(id)).todosDoneAt).toBeUndefined();

    h.clock.at = new Date('2026-03-04T08:00:00Z');
    await finishTodo(h.ctx, id, 2, APPROVER, 'closed', 'Mailchimp account closed in 2025');

    const after = await stored(id);
    expect(after.todosOpen).toBeUndefined();
    expect(after.todosDoneAt).toBe('2026-03-04T08:00:00.000Z');
    expect(after.status).toBe('completed');
    expect(after.closedAt).toBe('2026-03-02T09:00:00Z');
    expect((await actions(id)).filter((a) => a === 'todo.all_done')).toHaveLength(1);
  });

  it('hands an open task to another owner, on the audit trail', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);

    const moved = await reassignTodo(h.ctx, id, 1, APPROVER, OTHER);

    expect(moved.owner).toBe(OTHER);
    const marker = await h.access.db.send(new GetCommand({ TableName: h.access.table, Key: todoKeys.due('2026-03-09', id, 1) }));
    expect(marker.Item?.owner).toBe(OTHER);
    expect((await h.ctx.repo.auditTrail(id)).find((e) => e.action === 'todo.reassigned')).toMatchObject({ actor: APPROVER, detail: { from: APPROVER, to: OTHER } });
    const unowned = await reassignTodo(h.ctx, id, 1, APPROVER, undefined);
    expect(unowned.owner).toBeUndefined();
  });
});

describe('the retention sweep', () => {
  it('keeps the subject on a request with open tasks, and purges it once they are finished', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);
    const later = new Date('2026-05-01T00:00:00Z');

    const first = await sweepSubjectRetention(h.access.db, h.access.table, later);

    expect(first.purged).toBe(0);
    expect((await stored(id)).subject.email).toBe('subject@example.test');
    await finishTodo(h.ctx, id, 1, APPROVER, 'done');
    await finishTodo(h.ctx, id, 2, APPROVER, 'done');
    const second = await sweepSubjectRetention(h.access.db, h.access.table, later);
    expect(second.purged).toBe(1);
    expect((await stored(id)).subject.email).not.toBe('subject@example.test');
  });
});

describe('reminders in the escalation digest', () => {
  const DPO = 'dpo@example-video.test';
  const run = async (iso: string) => {
    h.mailer.sent = [];
    const summary = await escalate(h.ctx, { now: new Date(iso), access: h.access });
    return { summary, sent: h.mailer.sent };
  };

  it('reminds the owner of tasks due within the first threshold, once, then daily while overdue', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);

    const first = await run('2026-03-02T11:00:00Z');

    expect(first.sent.map((m) => m.to)).toEqual([[APPROVER]]);
    const mail = first.sent[0]!.email;
    expect(mail.subject).toBe('[DSAR] 2 follow-up tasks due');
    expect(mail.text).toContain(`${id}, task 1: Tell Zendesk about the erasure (GDPR Art. 19): due in 7 days, on 2026-03-09.`);
    expect(mail.text).toContain(`${id}, task 2: Tell Mailchimp about the erasure (GDPR Art. 19): due in 7 days, on 2026-03-09.`);
    expect(mail.text).toContain(`https://console.example-video.test/requests/${id}`);
    expect(mail.text).not.toContain('subject@example.test');
    expect(mail.text).not.toContain('Sam Subject');
    expect((await run('2026-03-02T12:00:00Z')).sent).toEqual([]);
    await finishTodo(h.ctx, id, 1, APPROVER, 'done');
    const late = await run('2026-03-11T11:00:00Z');
    expect(late.sent).toHaveLength(1);
    expect(late.sent[0]!.email.subject).toBe('[DSAR] 1 follow-up task (1 overdue) due');
    expect(late.sent[0]!.email.text).toContain(`${id}, task 2: Tell Mailchimp about the erasure (GDPR Art. 19): OVERDUE, due 2026-03-09 (2 days overdue).`);
    expect(late.sent[0]!.email.text).not.toContain('task 1');
    expect((await run('2026-03-12T11:00:00Z')).sent).toHaveLength(1);
  });

  it('reminds the DPO of a task without an owner, and puts it in the same digest as their requests', async () => {
    const id = await erased([]);
    await addTodo(h.ctx, id, { kind: 'withheld-review', title: 'Review the withheld call notes' });
    await reassignTodo(h.ctx, id, 1, APPROVER, undefined);
    const overdueRequest = await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-03-01' });

    const { sent } = await run('2026-03-03T11:00:00Z');

    const toDpo = sent.filter((m) => m.to.includes(DPO));
    expect(toDpo).toHaveLength(1);
    expect(toDpo[0]!.email.subject).toBe('[DSAR] 1 overdue, 1 request need attention; 1 follow-up task');
    expect(toDpo[0]!.email.text).toContain(`${overdueRequest.requestId} (access, GDPR, in_progress): OVERDUE`);
    expect(toDpo[0]!.email.text).toContain(`${id}, task 1: Review the withheld call notes: due in 6 days, on 2026-03-09.`);
  });

  it('reads only tasks due within the largest threshold, and none that are finished', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);
    await addTodo(h.ctx, id, { kind: 'withheld-review', title: 'Far off', dueDate: '2026-06-01' });
    await finishTodo(h.ctx, id, 1, APPROVER, 'done');

    const { summary } = await run('2026-03-02T11:00:00Z');

    expect(summary.reads.find((r) => r.range === 'TODO-DUE')?.itemsRead).toBe(1);
    expect(summary.tasksReminded).toBe(1);
  });

  it('touches no task it reminded of before: the next run reads the markers and writes nothing', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);
    expect((await run('2026-03-02T11:00:00Z')).summary.taskClaims).toBe(2);

    const again = await run('2026-03-02T12:00:00Z');

    expect(again.summary.taskClaims).toBe(0);
    expect(again.sent).toEqual([]);
    // The next threshold is a new claim.
    expect((await run('2026-03-06T11:00:00Z')).summary.tasksReminded).toBe(2);
  });

  it('gives a reminder back when the digest could not be sent, so the next run sends it', async () => {
    const id = await erased();
    await openFollowUps(h.ctx, id);
    h.mailer.failFor.add(APPROVER);
    expect((await run('2026-03-02T11:00:00Z')).summary.failedDigests).toBe(1);
    h.mailer.failFor.clear();

    const { sent } = await run('2026-03-02T12:00:00Z');

    expect(sent).toHaveLength(1);
    expect(sent[0]!.email.text).toContain('task 1');
  });
});
