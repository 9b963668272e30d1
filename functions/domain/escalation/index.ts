/**
 * The escalation job: chases staff before deadlines are missed, so nobody has to remember them.
 *
 * It reads two sparse indexes in bounded key ranges (never a Scan), so what it reads grows with what is
 * due, not with the table: the open-by-due index up to the largest threshold (which includes everything
 * overdue), and the ack-pending index (requests whose acknowledgement is still owed) around today. The
 * ranges end at the latest "today" among the time zones requests are counted in, not at a day of margin
 * for every zone on earth. A request crossing a threshold is claimed for each
 * recipient with a conditional write on its `escalations` map (`<threshold>|<address>`) before that
 * recipient is mailed, so each recipient gets each threshold once even when runs overlap, and a digest
 * that fails gives back only its own recipient's claims: the next run sends that recipient the line,
 * and nobody else a second time. dynalite has no transactions, and none is needed for that.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { logger } from '#commons/observability';
import { addCalendarDays, daysBetween } from '../deadlines/calendar.ts';
import { escalationDigest, type EscalationLine } from '../notifications/staff-mails.ts';
import { rememberTaskReminder, taskReminders, unclaimTaskReminder, type TaskFire } from '../todos/reminders.ts';
import { links, type AppContext } from '../context.ts';
import { ACK_INDEX, ANSWERED_OPEN_STATUSES, ESCALATION_ATTRIBUTES, OPEN_INDEX, keys, type RequestRecord } from '../requests/model.ts';
import { tableAccess, type TableAccess } from '../requests/table.ts';
import { requestToday } from '../deadlines/request-zone.ts';
import { todaySpan, zonesInUse } from './horizon.ts';

/** An acknowledgement missed longer ago than this is no longer chased (the due date escalations take over). */
export const ACK_LATE_DAYS = 7;

/** Attributes the job needs (the ack-pending index carries exactly these); the subject's address and name are never read. */
const PROJECTION: readonly string[] = ESCALATION_ATTRIBUTES;

type Candidate = Pick<
  RequestRecord,
  'requestId' | 'type' | 'status' | 'jurisdiction' | 'country' | 'receivedAt' | 'dueDate' | 'acknowledgeBy' | 'acknowledgedAt' | 'assignee' | 'pause' | 'escalations' | 'openPk'
>;

export interface EscalateOptions {
  now?: Date;
  access?: TableAccess;
  /** Claims written at once. */
  concurrency?: number;
}

export interface EscalationSummary {
  now: string;
  /** Items DynamoDB read to answer the queries (ScannedCount), and what it returned (Count). */
  itemsRead: number;
  itemsReturned: number;
  queries: number;
  /** The same per key range: the due window, then the acknowledgements owed. */
  reads: Array<{ range: string; itemsRead: number; itemsReturned: number }>;
  /** Open requests overdue at this run (paused ones excluded: their due date moves on resume). */
  overdue: number;
  /** Thresholds this run fired, and those it found already fired by an earlier or concurrent run. */
  fired: number;
  alreadyFired: number;
  /** Digests sent, by staff address (with the follow-up tasks they remind of, if any). */
  digests: Array<{ to: string; requests: number; tasks?: number }>;
  /** Follow-up task reminders this run claimed, and the claims it tried (conditional writes on tasks). */
  tasksReminded: number;
  taskClaims: number;
  failedDigests: number;
}

interface Fire {
  line: EscalationLine;
  key: string;
  /** Recipients not yet sent this threshold for this request. */
  recipients: string[];
}

/** The claim of one threshold for one recipient. */
export function recipientKey(key: string, to: string): string {
  return `${key}|${to}`;
}

/** One bounded key range of an index: `pk = value AND sk BETWEEN from AND below` (or `sk < below`). */
interface KeyRange {
  index: string;
  pk: { name: string; value: string };
  sk: string;
  from?: string;
  below: string;
}

async function queryIndex(access: TableAccess, range: KeyRange, summary: EscalationSummary): Promise<Candidate[]> {
  const names: Record<string, string> = Object.fromEntries(PROJECTION.map((a, i) => [`#p${i}`, a]));
  names['#hash'] = range.pk.name;
  names['#range'] = range.sk;
  const values: Record<string, unknown> = { ':pk': range.pk.value, ':below': range.below };
  let keyCondition = '#hash = :pk AND #range < :below';
  if (range.from) {
    keyCondition = '#hash = :pk AND #range BETWEEN :from AND :below';
    values[':from'] = range.from;
  }
  const items: Candidate[] = [];
  const read = { range: `${range.index} ${range.from ?? ''}..${range.below}`, itemsRead: 0, itemsReturned: 0 };
  summary.reads.push(read);
  let start: Record<string, unknown> | undefined;
  do {
    const out = await access.db.send(
      new QueryCommand({
        TableName: access.table,
        IndexName: range.index,
        KeyConditionExpression: keyCondition,
        ProjectionExpression: PROJECTION.map((_, i) => `#p${i}`).join(', '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: start,
      }),
    );
    summary.queries++;
    summary.itemsRead += out.ScannedCount ?? out.Count ?? 0;
    summary.itemsReturned += out.Count ?? 0;
    read.itemsRead += out.ScannedCount ?? out.Count ?? 0;
    read.itemsReturned += out.Count ?? 0;
    items.push(...((out.Items ?? []) as Candidate[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Fires threshold `key` for recipient `to` unless it was fired for them before (or, as runs before
 * per-recipient claims recorded it, for everyone); false when another run got there first.
 */
async function claim(access: TableAccess, r: Candidate, key: string, to: string, at: string): Promise<boolean> {
  const k = keys.request(r.requestId);
  if (!r.escalations) {
    // A nested SET needs the map to exist; if_not_exists keeps a map a concurrent run just made.
    await access.db.send(
      new UpdateCommand({
        TableName: access.table,
        Key: k,
        UpdateExpression: 'SET #e = if_not_exists(#e, :empty)',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#e': 'escalations', '#pk': 'pk' },
        ExpressionAttributeValues: { ':empty': {} },
      }),
    ).catch((err: unknown) => {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    });
  }
  try {
    await access.db.send(
      new UpdateCommand({
        TableName: access.table,
        Key: k,
        UpdateExpression: 'SET #e.#k = :at',
        // Still open and still due on the date the threshold is about.
        ConditionExpression: 'attribute_exists(#open) AND attribute_not_exists(#e.#k) AND attribute_not_exists(#e.#all) AND #due = :due',
        ExpressionAttributeNames: { '#e': 'escalations', '#k': recipientKey(key, to), '#all': key, '#open': 'openPk', '#due': 'dueDate' },
        ExpressionAttributeValues: { ':at': at, ':due': r.dueDate },
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** Gives a recipient's claim back when their digest was not delivered, so the next run tries again. */
async function unclaim(access: TableAccess, requestId: string, key: string, at: string): Promise<void> {
  await access.db
    .send(
      new UpdateCommand({
        TableName: access.table,
        Key: keys.request(requestId),
        UpdateExpression: 'REMOVE #e.#k',
        ConditionExpression: '#e.#k = :at',
        ExpressionAttributeNames: { '#e': 'escalations', '#k': key },
        ExpressionAttributeValues: { ':at': at },
      }),
    )
    // The key holds the recipient's address, and SDK messages can quote addresses: neither is logged.
    .catch((err: unknown) => logger.error('could not give back an escalation', { requestId, threshold: key.split('|')[0], error: (err as Error).name }));
}

async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Runs the job once at `now`; returns what it read and sent. */
export async function escalate(ctx: AppContext, options: EscalateOptions = {}): Promise<EscalationSummary> {
  const now = options.now ?? ctx.clock.now();
  const access = options.access ?? tableAccess();
  const { config } = ctx;
  const thresholds = [...new Set(config.escalation.thresholdDays)].sort((a, b) => a - b);
  const maxThreshold = thresholds[thresholds.length - 1] ?? 0;
  const lead = config.escalation.acknowledgementLeadDays;
  const at = now.toISOString();
  const summary: EscalationSummary = {
    now: at,
    itemsRead: 0,
    itemsReturned: 0,
    queries: 0,
    reads: [],
    overdue: 0,
    fired: 0,
    alreadyFired: 0,
    digests: [],
    failedDigests: 0,
    tasksReminded: 0,
    taskClaims: 0,
  };

  // Dates in the indexes are in each request's own zone: the ranges span every zone's "today".
  const span = todaySpan(zonesInUse(config, now), now);
  const due = await queryIndex(
    access,
    { index: OPEN_INDEX, pk: { name: 'openPk', value: 'OPEN' }, sk: 'openSk', below: `${addCalendarDays(span.latest, maxThreshold)}#~` },
    summary,
  );
  // Acknowledgements owed from ACK_LATE_DAYS ago to `lead` days ahead; the index holds only those not yet sent.
  const ack =
    lead >= 0
      ? await queryIndex(
          access,
          {
            index: ACK_INDEX,
            pk: { name: 'ackPk', value: 'ACK' },
            sk: 'ackSk',
            from: addCalendarDays(span.earliest, -ACK_LATE_DAYS),
            below: `${addCalendarDays(span.latest, lead)}#~`,
          },
          summary,
        )
      : [];

  const byId = new Map<string, Candidate>();
  for (const r of [...due, ...ack]) byId.set(r.requestId, r);

  const consoleLink = links(config).console;
  const fires: Fire[] = [];
  const recipientsOf = (r: Candidate, overdue: boolean) => {
    const base = r.assignee ? [r.assignee] : config.email.staff;
    const all = overdue && config.escalation.overdueToDpo ? [...base, config.organisation.dpo.email] : base;
    return [...new Set(all.map((a) => a.trim().toLowerCase()))];
  };
  const needsAckCheck: Array<{ r: Candidate; fire: Fire }> = [];
  /** The fire for the recipients still owed `key`, or undefined when every one has had it. */
  const owed = (r: Candidate, key: string, line: EscalationLine, recipients: string[]): Fire | undefined => {
    if (r.escalations?.[key]) return undefined;
    const pending = recipients.filter((to) => !r.escalations?.[recipientKey(key, to)]);
    return pending.length ? { line, key, recipients: pending } : undefined;
  };

  for (const r of byId.values()) {
    // While the clock is stopped the due date is not final; the resume recomputes it. A request answered
    // but still open (a restriction in force until lifted) has met its deadline: nothing to chase.
    if (r.pause || !r.openPk || ANSWERED_OPEN_STATUSES.has(r.status)) continue;
    const today = requestToday(config, r, now);
    const daysLeft = daysBetween(today, r.dueDate);
    const base = { requestId: r.requestId, type: r.type, jurisdiction: r.jurisdiction, status: r.status, consoleUrl: consoleLink(r.requestId) };
    if (daysLeft < 0) {
      summary.overdue++;
      const key = `overdue:${today}`;
      const line: EscalationLine = { ...base, date: r.dueDate, daysLeft, what: 'overdue' };
      const fire = owed(r, key, line, recipientsOf(r, true));
      if (fire) fires.push(fire);
      else summary.alreadyFired++;
    } else {
      // Only the nearest threshold crossed: a job that did not run for days sends one line, not three.
      const t = thresholds.find((d) => daysLeft <= d);
      if (t !== undefined) {
        const key = `due:${r.dueDate}:${t}`;
        const line: EscalationLine = { ...base, date: r.dueDate, daysLeft, what: 'due' };
        const fire = owed(r, key, line, recipientsOf(r, false));
        if (fire) fires.push(fire);
        else summary.alreadyFired++;
      }
    }
    if (r.acknowledgeBy) {
      const ackLeft = daysBetween(today, r.acknowledgeBy);
      const key = `ack:${r.acknowledgeBy}`;
      if (ackLeft <= lead && ackLeft >= -ACK_LATE_DAYS) {
        const line: EscalationLine = { ...base, date: r.acknowledgeBy, daysLeft: ackLeft, what: 'acknowledgement' };
        const fire = owed(r, key, line, recipientsOf(r, false));
        if (fire) needsAckCheck.push({ r, fire });
        else summary.alreadyFired++;
      }
    }
  }

  // The receipt email is the acknowledgement (it confirms receipt and explains the process); the
  // workflow stamps acknowledgedAt when it has gone out, so only a request without it is chased.
  for (const { r, fire } of needsAckCheck) if (!r.acknowledgedAt) fires.push(fire);

  // One claim per request, threshold and recipient; a line fired when at least one recipient was claimed.
  const byRecipient = new Map<string, Fire[]>();
  await inPool(fires, options.concurrency ?? 16, async (f) => {
    const r = byId.get(f.line.requestId)!;
    let any = false;
    for (const to of f.recipients) {
      if (await claim(access, r, f.key, to, at)) {
        any = true;
        byRecipient.set(to, [...(byRecipient.get(to) ?? []), f]);
      }
      // The map now exists: later claims need not create it.
      r.escalations ??= {};
    }
    if (any) summary.fired++;
    else summary.alreadyFired++;
  });

  // Follow-up tasks due or overdue (../todos/reminders.ts), each claimed for its owner (or the DPO).
  const tasks = await taskReminders(config, access, now, thresholds, consoleLink);
  summary.queries += tasks.read.queries;
  summary.itemsRead += tasks.read.itemsRead;
  summary.itemsReturned += tasks.read.itemsRead;
  summary.reads.push({ range: 'TODO-DUE', itemsRead: tasks.read.itemsRead, itemsReturned: tasks.read.itemsRead });
  summary.tasksReminded = tasks.fires.length;
  summary.taskClaims = tasks.read.claims;
  const tasksByRecipient = new Map<string, TaskFire[]>();
  for (const f of tasks.fires) tasksByRecipient.set(f.to, [...(tasksByRecipient.get(f.to) ?? []), f]);

  const recipients = [...new Set([...byRecipient.keys(), ...tasksByRecipient.keys()])].sort((a, b) => a.localeCompare(b));
  for (const to of recipients) {
    const list = byRecipient.get(to) ?? [];
    const taskList = tasksByRecipient.get(to) ?? [];
    const lines = list.map((f) => f.line).sort((a, b) => a.daysLeft - b.daysLeft || a.requestId.localeCompare(b.requestId));
    const taskLines = taskList.map((f) => f.line).sort((a, b) => a.daysLeft - b.daysLeft || a.requestId.localeCompare(b.requestId) || a.n - b.n);
    try {
      await ctx.mailer.send(to, escalationDigest(config, lines, taskLines));
      summary.digests.push({ to, requests: lines.length, ...(taskLines.length ? { tasks: taskLines.length } : {}) });
      for (const f of taskList) await rememberTaskReminder(access, f);
    } catch (err) {
      summary.failedDigests++;
      // The error's name only: SES messages such as MessageRejected quote the address.
      logger.error('escalation digest failed', { recipients: 1, requests: lines.length, tasks: taskLines.length, error: (err as Error).name });
      // Only this recipient's claims: the others have their digests.
      for (const f of list) await unclaim(access, f.line.requestId, recipientKey(f.key, to), at);
      for (const f of taskList) await unclaimTaskReminder(access, f);
    }
  }

  logger.info('escalation run', {
    itemsRead: summary.itemsRead,
    fired: summary.fired,
    overdue: summary.overdue,
    digests: summary.digests.length,
  });
  return summary;
}
