/**
 * Follow-up tasks under a request (./model.ts): added by the workflow (Art. 19 recipients our staff must
 * tell, parts of an answer staff accepted as missing) or by other domain code through `addTodo`, then
 * ticked off with a note or closed with a reason by staff, or handed to another owner. Every change is
 * one conditional write on the task (of two staff ticking at once exactly one wins; the other gets 409)
 * and is audited on the request's trail with the staff member's id.
 *
 * The subject's answer is not held back by the tasks: the request's status (`completed`, ...) and its
 * `closedAt` say when the subject was answered, which is what the status page and the metrics report.
 * The request is finished for staff once `todosOpen` is empty (`todosDoneAt`).
 */
import { connectorName, type DsarConfig } from '#commons/config';
import { badRequest, conflict, notFound } from '#commons/errors';
import type { AppContext } from '../context.ts';
import { addCalendarDays } from '../deadlines/calendar.ts';
import { dateIn } from '../deadlines/local-date.ts';
import { StateConflict } from '../requests/repository.ts';
import type { RequestRecord } from '../requests/model.ts';
import { art19Todo } from '../art19/tasks.ts';
import { todoKeys, type KnownTodoKind, type TodoDueMarker, type TodoItem, type TodoKind } from './model.ts';

/** Days to the due date for a kind the configuration does not name. */
const DEFAULT_DUE_DAYS = 7;
/** How often an add tries the next number when a concurrent add took the one it chose. */
const ADD_ATTEMPTS = 5;

export interface NewTodo {
  kind: TodoKind;
  title: string;
  /** What the task is about; adding the same ref again returns the task already there. */
  ref?: string;
  /** Default: the request's assignee, else the staff member who approved it. */
  owner?: string;
  /** Default: today in the organisation's zone plus the configured days for the kind. */
  dueDate?: string;
}

/** The staff member a new task goes to when the caller names none. */
function defaultOwner(r: RequestRecord): string | undefined {
  if (r.assignee) return r.assignee;
  if (r.decision?.outcome === 'approved' && r.decision.by !== 'system') return r.decision.by;
  return undefined;
}

export function dueDateFor(ctx: AppContext, kind: TodoKind, now: Date = ctx.clock.now()): string {
  const days = (ctx.config.tasks.dueDays as Record<string, number>)[kind] ?? DEFAULT_DUE_DAYS;
  return addCalendarDays(dateIn(ctx.config.organisation.timezone, now), days);
}

function markerOf(t: TodoItem): TodoDueMarker {
  return { ...todoKeys.due(t.dueDate, t.requestId, t.n), requestId: t.requestId, n: t.n, kind: t.kind, title: t.title, dueDate: t.dueDate, ...(t.owner ? { owner: t.owner } : {}) };
}

/**
 * Adds a task under the request (audited as `todo.added`), or returns the task with the same `ref` that
 * is there already, so a retried workflow step adds nothing twice. The request must exist.
 *
 * Numbers are taken in order with a conditional put, and tasks are never deleted: an add that loses its
 * number lists again and so sees the winner's task; two adds of the same ref at once therefore make one.
 */
export async function addTodo(ctx: AppContext, requestId: string, todo: NewTodo, actor = 'system'): Promise<TodoItem> {
  if (!todo.title.trim()) throw badRequest('title_required', 'a task needs a title');
  return addTodoTo(ctx, await ctx.repo.get(requestId), todo, actor);
}

/** addTodo for a request the caller has just read (openFollowUps adds several to one request). */
async function addTodoTo(ctx: AppContext, request: RequestRecord, todo: NewTodo, actor: string): Promise<TodoItem> {
  const { requestId } = request;
  for (let attempt = 1; ; attempt++) {
    const existing = await ctx.repo.todos.list(requestId);
    const same = todo.ref ? existing.find((t) => t.ref === todo.ref) : undefined;
    if (same) {
      // A retry after a crash between the put and the set: the number is put in the set again.
      if (same.status === 'open') {
        await ctx.repo.todos.markOpen(requestId, same.n);
        await ctx.repo.todos.putDue(markerOf(same));
      }
      return same;
    }
    const n = existing.reduce((max, t) => Math.max(max, t.n), 0) + 1;
    const now = ctx.clock.now();
    const owner = todo.owner ?? defaultOwner(request);
    const item: TodoItem = {
      ...todoKeys.todo(requestId, n),
      requestId,
      n,
      kind: todo.kind,
      title: todo.title.trim(),
      ...(todo.ref ? { ref: todo.ref } : {}),
      ...(owner ? { owner } : {}),
      dueDate: todo.dueDate ?? dueDateFor(ctx, todo.kind, now),
      createdAt: now.toISOString(),
      createdBy: actor,
      status: 'open',
      reminders: {},
    };
    if (await ctx.repo.todos.create(item)) {
      // The request counts the task as open before anything reminds of it.
      await ctx.repo.todos.markOpen(requestId, n);
      await ctx.repo.todos.putDue(markerOf(item));
      await ctx.repo.audit(requestId, actor, 'todo.added', { n, kind: item.kind, title: item.title, dueDate: item.dueDate, ...(owner ? { owner } : {}) });
      return item;
    }
    if (attempt >= ADD_ATTEMPTS) throw conflict('busy', `tasks of request ${requestId} kept changing; try again`);
  }
}

/** The request's tasks in order of their numbers. */
export async function listTodos(ctx: AppContext, requestId: string): Promise<TodoItem[]> {
  await ctx.repo.get(requestId);
  return (await ctx.repo.todos.list(requestId)).sort((a, b) => a.n - b.n);
}

async function openTodo(ctx: AppContext, requestId: string, n: number): Promise<TodoItem> {
  const found = await ctx.repo.todos.get(requestId, n);
  if (!found) throw notFound(`request ${requestId} has no task ${n}`);
  return found;
}

/**
 * Ticks a task off (`done`, with an optional note) or closes it without doing it (`closed`, with the
 * reason required). One conditional write on the task's status: a second call, or one racing this one,
 * gets 409 `task_not_open` and changes nothing.
 */
export async function finishTodo(
  ctx: AppContext,
  requestId: string,
  n: number,
  actor: string,
  outcome: 'done' | 'closed',
  note?: string,
): Promise<TodoItem> {
  const text = note?.trim() || undefined;
  if (outcome === 'closed' && !text) throw badRequest('reason_required', 'closing a task without doing it needs a reason on record');
  await ctx.repo.get(requestId);
  const before = await openTodo(ctx, requestId, n);
  const at = ctx.clock.now().toISOString();
  let after: TodoItem;
  try {
    after = await ctx.repo.todos.changeOpen(requestId, n, { status: outcome, resolution: { by: actor, at, ...(text ? { note: text } : {}) } });
  } catch (err) {
    if (err instanceof StateConflict) {
      // The winner may have died before taking the number out of the open set: doing it again is harmless.
      await settle(ctx, requestId, n);
      throw conflict('task_not_open', `task ${n} of request ${requestId} is already ${(await ctx.repo.todos.get(requestId, n))?.status ?? 'finished'}`);
    }
    throw err;
  }
  await ctx.repo.audit(requestId, actor, outcome === 'done' ? 'todo.done' : 'todo.closed', { n, kind: before.kind, title: before.title, ...(text ? { note: text } : {}) });
  await ctx.repo.todos.deleteDue(before.dueDate, requestId, n);
  await settle(ctx, requestId, n);
  return after;
}

/** Takes a finished task out of the request's open set; when none is left, records when (audited once per emptying). */
async function settle(ctx: AppContext, requestId: string, n: number): Promise<void> {
  const remaining = await ctx.repo.todos.markFinished(requestId, n);
  if (remaining > 0) return;
  try {
    const at = ctx.clock.now().toISOString();
    await ctx.repo.update(requestId, { todosDoneAt: at }, { absent: ['todosOpen', 'todosDoneAt'] });
    await ctx.repo.audit(requestId, 'system', 'todo.all_done');
  } catch (err) {
    // Another call recorded it, or a new task was added meanwhile.
    if (!(err instanceof StateConflict)) throw err;
  }
}

/** Hands an open task to another staff member (the reminders follow), or back to the DPO with none. */
export async function reassignTodo(ctx: AppContext, requestId: string, n: number, actor: string, owner: string | undefined): Promise<TodoItem> {
  await ctx.repo.get(requestId);
  const before = await openTodo(ctx, requestId, n);
  let after: TodoItem;
  try {
    after = await ctx.repo.todos.changeOpen(requestId, n, owner ? { owner } : {}, owner ? [] : ['owner']);
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('task_not_open', `task ${n} of request ${requestId} is not open`);
    throw err;
  }
  await ctx.repo.todos.putDue(markerOf(after));
  await ctx.repo.audit(requestId, actor, 'todo.reassigned', { n, title: before.title, ...(before.owner ? { from: before.owner } : {}), ...(owner ? { to: owner } : {}) });
  return after;
}

/** The tasks a finished request leaves staff, from what is on its record (see openFollowUps). */
export function followUpsOf(config: DsarConfig, r: RequestRecord): Array<NewTodo & { kind: KnownTodoKind; ref: string }> {
  const todos: Array<NewTodo & { kind: KnownTodoKind; ref: string }> = [];
  for (const recipient of r.erasureReport?.recipientsNotTold ?? []) {
    if (recipient.reason !== 'staff') continue;
    todos.push(art19Todo('erasure', recipient.name));
  }
  for (const c of Object.values(r.connectors ?? {})) {
    if (c.status !== 'accepted_missing') continue;
    todos.push(partialAnswerTodo(config, r, c.connectorId));
  }
  // Each part staff withheld from the package (Art. 15(4)): a second look at the withholding once the
  // answer is out, by its owner, so a withholding is never one person's unchecked decision and what
  // may be released later (a privilege that lapsed, a third party who agreed) is not forgotten.
  for (const w of r.withheld ?? []) {
    const system = connectorName(config, w.connectorId);
    const part = [w.object, w.recordId !== undefined ? `record ${w.recordId}` : undefined, w.field !== undefined ? `field ${w.field}` : undefined].filter(Boolean).join(', ');
    todos.push({
      kind: 'withheld-review',
      ref: `withheld:${w.id}`,
      title: `Review what was withheld from ${system} (${part}; ${WITHHOLDING_WORDS[w.reason] ?? w.reason})`,
    });
  }
  return todos;
}

/**
 * The task for a system staff accepted as missing from the answer, in the words of what is missing. A
 * restriction acts twice on the same systems (set, later lift), so its task names the pass in its ref.
 */
function partialAnswerTodo(config: DsarConfig, r: RequestRecord, connectorId: string): NewTodo & { kind: 'partial-answer'; ref: string } {
  const system = connectorName(config, connectorId);
  if (r.type === 'restriction') {
    const lift = r.restriction?.phase === 'lift';
    return {
      kind: 'partial-answer',
      ref: `partial:${lift ? 'lift' : 'set'}:${connectorId}`,
      title: lift
        ? `Lift the restriction in ${system}, which was accepted as not confirmed, and tell the subject (GDPR Art. 18)`
        : `Restrict the subject's data in ${system}, which was accepted as not confirmed, and tell the subject (GDPR Art. 18)`,
    };
  }
  return {
    kind: 'partial-answer',
    ref: `partial:${connectorId}`,
    title: r.type === 'erasure' ? `Finish the erasure in ${system} and tell the subject` : `Send the subject the data from ${system} missing from the answer`,
  };
}

const WITHHOLDING_WORDS: Record<string, string> = {
  third_party: "another person's rights",
  staff_remarks: "staff's private remarks",
  legal_privilege: 'legal privilege',
  other: 'other reason',
};

/**
 * Adds the follow-up tasks of a request the workflow just answered: one per Art. 19 recipient the
 * erasure report leaves for staff to tell, one per system staff accepted as missing from the answer
 * (the subject was told "we will tell you when we can"), one per part staff withheld from the package. Safe to run again: each task has its ref.
 */
export async function openFollowUps(ctx: AppContext, requestId: string): Promise<TodoItem[]> {
  const request = await ctx.repo.get(requestId);
  const added: TodoItem[] = [];
  // Read once for all of them: addTodo would read the request again for each task.
  for (const todo of followUpsOf(ctx.config, request)) added.push(await addTodoTo(ctx, request, todo, 'system'));
  return added;
}
