/**
 * Which open follow-up tasks the escalation digest reminds of (../escalation). It reads one key range of
 * the `TODO-DUE` partition (one small item per open task, sorted by due date: up to the largest
 * threshold ahead, which includes everything overdue), so what it reads grows with the tasks due, not
 * with the table. Each reminder is claimed on the task itself with a conditional write
 * (`reminders.<threshold>|<address>`, only while the task is open and due on that date) before it is
 * mailed, so each owner gets each threshold once even when runs overlap; a failed digest gives its
 * claims back. A marker whose task was finished (its finisher died before deleting it) is deleted here.
 */
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DsarConfig } from '#commons/config';
import { logger } from '#commons/observability';
import { addCalendarDays, daysBetween } from '../deadlines/calendar.ts';
import { dateIn } from '../deadlines/local-date.ts';
import type { TableAccess } from '../requests/table.ts';
import type { TaskReminderLine } from '../notifications/staff-mails.ts';
import { TODO_DUE_PK, todoKeys, type TodoDueMarker, type TodoItem } from './model.ts';

export interface TaskFire {
  to: string;
  /** The claim on the task: `<threshold>|<address>`. */
  key: string;
  at: string;
  /** The key of the task's marker in the due partition. */
  marker: { pk: string; sk: string };
  line: TaskReminderLine;
}

export interface TaskReminderRead {
  itemsRead: number;
  queries: number;
  /** Markers of tasks found finished, deleted. */
  stale: number;
  alreadyFired: number;
  /** Conditional writes on tasks (claims tried). */
  claims: number;
}

async function dueMarkers(access: TableAccess, below: string, read: TaskReminderRead): Promise<TodoDueMarker[]> {
  const items: TodoDueMarker[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await access.db.send(
      new QueryCommand({
        TableName: access.table,
        KeyConditionExpression: 'pk = :pk AND sk < :below',
        ExpressionAttributeValues: { ':pk': TODO_DUE_PK, ':below': below },
        ExclusiveStartKey: start,
      }),
    );
    read.queries++;
    read.itemsRead += out.ScannedCount ?? out.Count ?? 0;
    items.push(...((out.Items ?? []) as TodoDueMarker[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Claims reminder `key` on the task; false when it was sent before, or the task is no longer open on that date. */
async function claim(access: TableAccess, m: TodoDueMarker, key: string, at: string): Promise<boolean> {
  try {
    await access.db.send(
      new UpdateCommand({
        TableName: access.table,
        Key: todoKeys.todo(m.requestId, m.n),
        UpdateExpression: 'SET #r.#k = :at',
        ConditionExpression: '#status = :open AND #due = :due AND attribute_not_exists(#r.#k)',
        ExpressionAttributeNames: { '#r': 'reminders', '#k': key, '#status': 'status', '#due': 'dueDate' },
        ExpressionAttributeValues: { ':at': at, ':open': 'open', ':due': m.dueDate },
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

export async function unclaimTaskReminder(access: TableAccess, f: TaskFire): Promise<void> {
  await access.db
    .send(
      new UpdateCommand({
        TableName: access.table,
        Key: todoKeys.todo(f.line.requestId, f.line.n),
        UpdateExpression: 'REMOVE #r.#k',
        ConditionExpression: '#r.#k = :at',
        ExpressionAttributeNames: { '#r': 'reminders', '#k': f.key },
        ExpressionAttributeValues: { ':at': f.at },
      }),
    )
    .catch((err: unknown) => logger.error('could not give back a task reminder', { requestId: f.line.requestId, task: f.line.n, error: (err as Error).name }));
}

/**
 * Copies a reminder that went out onto the task's marker, so later runs skip the task without touching
 * it. Only a copy: the claim on the task decides; a lost copy costs one failed claim on the next run.
 */
export async function rememberTaskReminder(access: TableAccess, f: TaskFire): Promise<void> {
  const m = { ...f.marker, requestId: f.line.requestId, n: f.line.n };
  const key = f.key;
  const at = f.at;
  await access.db
    .send(
      new UpdateCommand({
        TableName: access.table,
        Key: { pk: m.pk, sk: m.sk },
        UpdateExpression: 'SET #r = if_not_exists(#r, :empty)',
        ConditionExpression: 'attribute_exists(sk)',
        ExpressionAttributeNames: { '#r': 'reminded' },
        ExpressionAttributeValues: { ':empty': {} },
      }),
    )
    .then(() =>
      access.db.send(
        new UpdateCommand({
          TableName: access.table,
          Key: { pk: m.pk, sk: m.sk },
          UpdateExpression: 'SET #r.#k = :at',
          ConditionExpression: 'attribute_exists(sk)',
          ExpressionAttributeNames: { '#r': 'reminded', '#k': key },
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    )
    .catch((err: unknown) => {
      // Finished meanwhile (the marker is gone), or a glitch: the claim on the task stands either way.
      if (!(err instanceof ConditionalCheckFailedException)) logger.warn('could not copy a task reminder to its marker', { requestId: m.requestId, task: m.n, error: (err as Error).name });
    });
}

/** The marker's task is gone or finished: the marker goes too (its finisher died before deleting it). */
async function dropIfFinished(access: TableAccess, m: TodoDueMarker): Promise<boolean> {
  const out = await access.db.send(new GetCommand({ TableName: access.table, Key: todoKeys.todo(m.requestId, m.n), ConsistentRead: true }));
  const task = out.Item as TodoItem | undefined;
  if (task?.status === 'open' && task.dueDate === m.dueDate) return false;
  await access.db.send(new DeleteCommand({ TableName: access.table, Key: { pk: m.pk, sk: m.sk } }));
  return true;
}

/**
 * The task reminders of one escalation run at `now`, claimed: due within the nearest of `thresholds`
 * crossed (once per threshold and due date), or overdue (once a day), to the task's owner or the DPO.
 */
export async function taskReminders(
  config: DsarConfig,
  access: TableAccess,
  now: Date,
  thresholds: number[],
  consoleUrl: (requestId: string) => string,
): Promise<{ fires: TaskFire[]; read: TaskReminderRead }> {
  const read: TaskReminderRead = { itemsRead: 0, queries: 0, stale: 0, alreadyFired: 0, claims: 0 };
  const today = dateIn(config.organisation.timezone, now);
  const horizon = Math.max(0, ...thresholds);
  const markers = await dueMarkers(access, `${addCalendarDays(today, horizon)}#~`, read);
  const at = now.toISOString();
  const fires: TaskFire[] = [];
  for (const m of markers) {
    const daysLeft = daysBetween(today, m.dueDate);
    const threshold = daysLeft < 0 ? `todo-overdue:${today}` : `todo-due:${m.dueDate}:${[...thresholds].sort((a, b) => a - b).find((d) => daysLeft <= d) ?? horizon}`;
    const to = (m.owner || config.organisation.dpo.email).trim().toLowerCase();
    const key = `${threshold}|${to}`;
    // Sent before (the marker keeps a copy of the claims): nothing to read or write.
    if (m.reminded?.[key]) {
      read.alreadyFired++;
      continue;
    }
    read.claims++;
    if (await claim(access, m, key, at)) {
      fires.push({ to, key, at, marker: { pk: m.pk, sk: m.sk }, line: { requestId: m.requestId, n: m.n, title: m.title, dueDate: m.dueDate, daysLeft, consoleUrl: consoleUrl(m.requestId) } });
    } else if (await dropIfFinished(access, m)) {
      read.stale++;
    } else {
      read.alreadyFired++;
    }
  }
  return { fires, read };
}
