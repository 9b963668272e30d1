/**
 * Follow-up tasks end to end on the real embedded runtime (issue 17, item 5): an erasure whose Art. 19
 * recipients our staff must tell leaves one task per recipient; the subject is answered (completed) at
 * once, the request shows its tasks open, staff tick them off through the API (two at once on the same
 * task: one wins), a viewer may read but not tick, and the request is finished when the last one is done.
 * Only the internal stores are connected, to keep it quick.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { ALICE } from '../../infra/local/demo/people.ts';

let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 5, configOverrides: (c) => ({ ...c, connectors: c.connectors.filter((x) => x.kind === 'dynamodb' || x.kind === 's3') }) });
});
afterAll(async () => {
  await rt?.cleanup();
});

describe("alice's erasure and the recipients our staff must tell", () => {
  let id: string;
  let tasks: any[];
  const detail = async () => (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
  const tick = (n: number, body: Record<string, unknown> = {}, token = rt.staffToken) =>
    rt.api('POST', `/v1/admin/requests/${id}/tasks/${n}/done`, { token, body });

  it('answers the subject and leaves one open task per recipient, owned by the approver', async () => {
    id = await rt.fileAndVerify(ALICE.email, 'erasure');
    await rt.approve(id, 'erasure');
    const done = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 60_000);
    expect(done.request.status).toBe('completed');
    await rt.waitForMail(ALICE.email, 'Your data was erased');

    // The tasks are added before the request says it completed.
    const now = await detail();
    const outstanding: string[] = now.audit.find((a: any) => a.action === 'erasure.recipients_outstanding').detail.recipients;
    expect(outstanding.length).toBeGreaterThan(0);
    expect(now.request.openTodos).toBe(outstanding.length);
    const listed = await rt.api('GET', `/v1/admin/requests/${id}/tasks`, { token: rt.viewerToken });
    expect(listed.status).toBe(200);
    tasks = listed.body.items;
    expect(tasks.map((t: any) => t.title)).toEqual(outstanding.map((name) => `Tell ${name} about the erasure (GDPR Art. 19)`));
    const approver = now.request.decision.by;
    for (const t of tasks) expect(t).toMatchObject({ kind: 'art19-recipient', status: 'open', owner: approver, createdBy: 'system' });
  }, 90_000);

  it('lets a viewer read the tasks but not tick them (403), and refuses an unknown task (404)', async () => {
    const denied = await tick(1, {}, rt.viewerToken);
    expect(denied.status).toBe(403);
    expect((await tick(999)).status).toBe(404);
    const noReason = await rt.api('POST', `/v1/admin/requests/${id}/tasks/1/close`, { token: rt.staffToken, body: { reason: '  ' } });
    expect(noReason.status).toBe(400);
  });

  it('gives one of two staff ticking the same task at once the task, and the other a 409', async () => {
    const [a, b] = await Promise.all([tick(1, { note: 'Told by their privacy portal' }), tick(1, { note: 'Emailed them' })]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const lost = a.status === 409 ? a : b;
    expect(lost.body.error.code).toBe('task_not_open');
    const trail = (await detail()).audit.filter((e: any) => e.action === 'todo.done');
    expect(trail).toHaveLength(1);
  });

  it('finishes the request for staff once every task is done or closed, keeping the answer date', async () => {
    const before = (await detail()).request;
    for (const t of tasks.slice(1, -1)) expect((await tick(t.n, { note: `Told ${t.n}` })).status).toBe(200);
    // The example company has several recipients without a notify address: the last one is closed, not done.
    expect(tasks.length).toBeGreaterThan(1);
    expect((await detail()).request.openTodos).toBe(tasks.length - 1 - tasks.slice(1, -1).length);
    const closed = await rt.api('POST', `/v1/admin/requests/${id}/tasks/${tasks.at(-1).n}/close`, {
      token: rt.staffToken,
      body: { reason: 'They hold no data of our users any more' },
    });
    expect(closed.status).toBe(200);
    expect(closed.body.items.at(-1)).toMatchObject({ status: 'closed', resolution: { note: 'They hold no data of our users any more' } });

    const after = await detail();
    expect(after.request.openTodos).toBe(0);
    expect(after.request.todosDoneAt).toBeDefined();
    expect(after.request.status).toBe('completed');
    expect(after.request.closedAt).toBe(before.closedAt);
    expect(after.audit.map((e: any) => e.action)).toContain('todo.all_done');
    const again = await tick(1);
    expect(again.status).toBe(409);
  });
});
