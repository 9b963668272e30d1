/**
 * Follow-up tasks under a request (DESIGN section 9): work that does not block the workflow but must be
 * ticked off, or closed with a reason, before the request is finished for staff: an Art. 19 recipient
 * our staff must tell, a partial answer to finish, a withheld record to review.
 *
 * | item          | pk          | sk                               |
 * |---------------|-------------|----------------------------------|
 * | task          | REQ#<id>    | TODO#<n> (n zero-padded)         |
 * | open-task mark| TODO-DUE    | <dueDate>#<requestId>#<n>        |
 *
 * The request record lists the numbers of its open tasks (`todosOpen`, a string set, so adding and
 * removing a number are idempotent writes a retry may repeat). The `TODO-DUE` partition holds one small
 * item per open task, sorted by due date, so the escalation job reads only tasks due soon (a Query of
 * one key range, as the erasure re-checks do), never every request.
 */

/** The kinds the product creates; others may be added by callers of addTodo (the kind is a string). */
export const TODO_KINDS = ['art19-recipient', 'partial-answer', 'withheld-review', 'restriction-by-hand', 'optout-third-party'] as const;
export type KnownTodoKind = (typeof TODO_KINDS)[number];
export type TodoKind = KnownTodoKind | (string & {});

export type TodoStatus = 'open' | 'done' | 'closed';

export interface TodoItem {
  pk: string;
  sk: string;
  requestId: string;
  /** The task's number under its request, from 1. */
  n: number;
  kind: TodoKind;
  /** What to do, for staff: names systems and recipients, never the subject. */
  title: string;
  /** What the task is about (e.g. `art19:Zoom`): a second add of the same ref finds the first task. */
  ref?: string;
  /** The staff member responsible; reminders go to them (to the DPO when there is none). */
  owner?: string;
  /** A date in the organisation's time zone. */
  dueDate: string;
  createdAt: string;
  createdBy: string;
  status: TodoStatus;
  /** Who ticked (done, optional note) or closed (reason required) it, and when. */
  resolution?: { by: string; at: string; note?: string };
  /** Reminders already sent, `<threshold>|<address>` -> ISO time (see ../escalation). */
  reminders: Record<string, string>;
}

/** The marker of one open task in the due-date partition: what the escalation digest needs, no more. */
export interface TodoDueMarker {
  pk: typeof TODO_DUE_PK;
  sk: string;
  requestId: string;
  n: number;
  kind: TodoKind;
  title: string;
  owner?: string;
  dueDate: string;
  /** A copy of the reminders claimed on the task, so a run skips what was sent without touching the task. */
  reminded?: Record<string, string>;
}

export const TODO_DUE_PK = 'TODO-DUE';
export const TODO_PREFIX = 'TODO#';

/** The number as it appears in keys and in the request's `todosOpen` set. */
export const todoNumber = (n: number) => String(n).padStart(4, '0');

export const todoKeys = {
  todo: (requestId: string, n: number) => ({ pk: `REQ#${requestId}`, sk: `${TODO_PREFIX}${todoNumber(n)}` }),
  due: (dueDate: string, requestId: string, n: number) => ({ pk: TODO_DUE_PK as typeof TODO_DUE_PK, sk: `${dueDate}#${requestId}#${todoNumber(n)}` }),
};
