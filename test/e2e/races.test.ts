/**
 * Staff actions racing each other and the workflow, on the real embedded runtime. Each scenario runs
 * on several requests at once (a request per run, all in parallel rather than a long loop): two actions
 * at the same moment, or an action followed at once by another that races the steps the first one set
 * off. Whatever the interleaving, the request must end in a state the winners explain, its audit trail
 * must hold exactly one entry per action that answered 200 (and none for a 409), the subject must get
 * exactly one mail per transition, and no call may answer anything but 200 or a 409 with a message.
 *
 * Stripe rejects every call here, so an approved request waits for staff on the failed connector:
 * that gives the retry / accept-partial decisions something to race on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';

type Act = 'approve' | 'deny' | 'cancel' | 'extend' | 'pause' | 'retry' | 'accept-partial' | 'verify';
/** Where the request waits when the race starts: for its code, for review, or for staff on the failed connector. */
type Stage = 'verification' | 'review' | 'staff';

/** What each action writes on the audit trail when it wins, by the staff member who acted. */
const AUDITED: Record<Act, string> = {
  approve: 'review.approved',
  deny: 'review.denied',
  cancel: 'request.cancelled',
  extend: 'deadline.extended',
  pause: 'deadline.paused',
  retry: 'connectors.retry',
  'accept-partial': 'connectors.accepted_partial',
  verify: 'verification.succeeded',
};

const BODIES: Record<Act, unknown> = {
  approve: {},
  deny: { reason: 'excessive' },
  cancel: { reason: 'withdrawn by the subject' },
  extend: { reason: 'many systems to search' },
  pause: { reason: 'which of your accounts?' },
  retry: {},
  'accept-partial': { reason: 'Stripe is unreachable; billing data follows separately' },
  verify: {},
};

const CLOSED = ['denied', 'completed', 'completed_partial', 'cancelled', 'unverified_closed'];
const CLOSING_MAIL = /was declined|was closed|was cancelled|Your data is ready|We hold no personal data|Your data was erased/;
/**
 * Each scenario runs once per offset: both actions at once, the second 15 or 200 ms late, the first 15 ms
 * late (an `after` scenario waits the offset after the first answer), so the winner is not always the
 * action with the shorter code path and the workflow is caught at different steps.
 */
const OFFSETS_MS: Array<[number, number]> = [
  [0, 0],
  [0, 15],
  [15, 0],
  [0, 200],
];

interface Scenario {
  stage: Stage;
  first: Act;
  second: Act;
  /** The second action starts once the first answered (it races the workflow the first set off), not with it. */
  after?: boolean;
}

const together = (stage: Stage, pairs: Array<[Act, Act]>): Scenario[] => pairs.map(([first, second]) => ({ stage, first, second }));
const SCENARIOS: Scenario[] = [
  ...together('review', [
    ['approve', 'deny'],
    ['approve', 'cancel'],
    ['deny', 'cancel'],
    ['cancel', 'cancel'],
    ['approve', 'approve'],
    ['approve', 'extend'],
    ['cancel', 'extend'],
    ['cancel', 'pause'],
    ['deny', 'pause'],
  ]),
  ...together('staff', [
    ['retry', 'accept-partial'],
    ['retry', 'cancel'],
    ['accept-partial', 'cancel'],
    ['cancel', 'cancel'],
    ['retry', 'retry'],
    ['accept-partial', 'accept-partial'],
    ['accept-partial', 'extend'],
    ['retry', 'pause'],
  ]),
  // Against the workflow's own transitions: planning, collection and the wait for staff; assembly and
  // the completion mail; the denial's closing step.
  { stage: 'verification', first: 'verify', second: 'cancel' },
  { stage: 'verification', first: 'verify', second: 'cancel', after: true },
  { stage: 'review', first: 'approve', second: 'cancel', after: true },
  { stage: 'review', first: 'deny', second: 'cancel', after: true },
  { stage: 'staff', first: 'retry', second: 'cancel', after: true },
  { stage: 'staff', first: 'accept-partial', second: 'cancel', after: true },
  { stage: 'staff', first: 'accept-partial', second: 'pause', after: true },
];

let rt: TestRuntime;
let db: DynamoDBDocumentClient;
let sfn: SFNClient;
let seq = 0;

beforeAll(async () => {
  rt = await startTestRuntime({
    crowd: 3,
    configOverrides: (c) => ({
      ...c,
      connectors: c.connectors.filter((x) => x.kind === 'dynamodb' || x.kind === 's3' || x.id === 'stripe'),
      deadlines: { ...c.deadlines, gdprClockStop: true },
      // 96 requests filed and verified from one address in a minute: far past the per-IP limits, which
      // test/security/rate-limits.test.ts covers; here they would only stop the races from starting.
      rateLimits: { ...c.rateLimits, perClientIp: { intake: { limit: 10_000, windowSeconds: 3600 }, verify: { limit: 10_000, windowSeconds: 3600 }, resend: { limit: 10_000, windowSeconds: 3600 } } },
    }),
  });
  rt.sandboxControl.faults.set('stripe', { failNext: { match: '/v1/', status: 401, count: 1_000_000 } });
  db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  sfn = new SFNClient({});
}, 60_000);

afterAll(async () => {
  db?.destroy();
  sfn?.destroy();
  await rt?.cleanup();
});

interface Prepared {
  id: string;
  /** The subject's verification code, for the `verification` stage. */
  code?: string;
}

/** Staff act; the subject verifies with the mailed code. */
const act = (p: Prepared, action: Act) =>
  action === 'verify'
    ? rt.api('POST', `/v1/requests/${p.id}/verify`, { body: { code: p.code } })
    : rt.api('POST', `/v1/admin/requests/${p.id}/${action}`, { token: rt.staffToken, body: BODIES[action] });

/**
 * At most this many requests are being filed, verified and approved at once. The races are between the
 * two actions on one request; filing all 96 requests in the same instant only loads the one process that
 * runs every function, until a filing outlives its Lambda timeout on a busy machine.
 */
const PREPARING_AT_ONCE = 12;
let preparing = 0;
const waiting: Array<() => void> = [];
async function gated<T>(work: () => Promise<T>): Promise<T> {
  if (preparing >= PREPARING_AT_ONCE) await new Promise<void>((r) => waiting.push(r));
  preparing++;
  try {
    return await work();
  } finally {
    preparing--;
    waiting.shift()?.();
  }
}

/** A request of its own subject, waiting at `stage`. */
function prepare(stage: Stage): Promise<Prepared> {
  return gated(() => prepareNow(stage));
}

async function prepareNow(stage: Stage): Promise<Prepared> {
  const email = `race-${++seq}@example.test`;
  if (stage === 'verification') {
    const id = (await rt.api('POST', '/v1/requests', { body: { type: 'access', email } })).body.requestId as string;
    return { id, code: await rt.codeFor(id, email) };
  }
  const id = await rt.fileAndVerify(email, 'access');
  if (stage === 'staff') {
    await rt.approve(id, 'access');
    await rt.waitForStatus(id, 'awaiting_staff', 30_000);
  }
  return { id };
}

/** The status the winners leave the request in once the workflow has done what they set off. */
function expectedStatus(stage: Stage, wins: Record<Act, number>): string {
  if (wins.cancel) return 'cancelled';
  if (wins.deny) return 'denied';
  // The package is assembled without Stripe and waits for staff to release it (release: staff, the
  // example's setting): it holds no record, but it is still a package, which says what is missing and why.
  if (wins['accept-partial']) return 'awaiting_release';
  // Approved or retried: collection runs again, Stripe fails again, and staff are asked again.
  if (wins.approve || wins.retry) return 'awaiting_staff';
  if (wins.verify) return 'awaiting_review';
  return { verification: 'awaiting_verification', review: 'awaiting_review', staff: 'awaiting_staff' }[stage];
}

/** Waits until the request's workflow execution has ended, so every mail it would send is out. */
async function executionEnded(id: string): Promise<void> {
  const record = (await db.send(new GetCommand({ TableName: rt.tables.requests, Key: { pk: `REQ#${id}`, sk: 'META' }, ConsistentRead: true }))).Item!;
  for (;;) {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn: record.executionArn }));
    if (out.status !== 'RUNNING') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function race(s: Scenario, [firstLate, secondLate]: [number, number]): Promise<string> {
  const prepared = await prepare(s.stage);
  const { id } = prepared;
  const answers = s.after
    ? [await act(prepared, s.first)].concat(await pause(firstLate + secondLate).then(() => act(prepared, s.second)))
    : await Promise.all([pause(firstLate).then(() => act(prepared, s.first)), pause(secondLate).then(() => act(prepared, s.second))]);
  const label = `${s.first} ${s.after ? 'then' : 'with'} ${s.second} on ${id}: ${answers.map((a) => `${a.status} ${a.body?.error?.code ?? ''} ${a.body?.error?.message ?? ''}`).join(', ')}`;

  for (const a of answers) {
    expect([200, 409], label).toContain(a.status);
    if (a.status === 409) expect(a.body.error.message, label).toEqual(expect.any(String));
  }
  if (s.after) expect(answers[0]!.status, label).toBe(200);
  const wins = Object.fromEntries(Object.keys(AUDITED).map((k) => [k, 0])) as Record<Act, number>;
  [s.first, s.second].forEach((a, i) => {
    if (answers[i]!.status === 200) wins[a]++;
  });

  const final = await rt.waitForStatus(id, expectedStatus(s.stage, wins), 30_000).catch((err: Error) => {
    throw new Error(`${label}: ${err.message}`);
  });
  const closed = CLOSED.includes(final.request.status);
  if (closed) await executionEnded(id);
  const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;

  // Exactly one audit entry per winning action, by staff (or the subject); none for a loser.
  for (const a of new Set([s.first, s.second])) {
    expect(detail.audit.filter((e: any) => e.action === AUDITED[a] && e.actor !== 'system'), `${label}: ${AUDITED[a]}`).toHaveLength(wins[a]);
  }
  // The record agrees with itself: closed exactly when it says so, offering nothing that would answer 409.
  expect(Boolean(detail.request.closedAt), label).toBe(closed);
  if (closed) expect(detail.actions.filter((x: string) => x !== 'download'), label).toEqual([]);
  // One mail per transition: the closing one once if it closed, an extension notice once if extended.
  const mails = (await rt.mails()).filter((m) => m.subject.includes(id));
  expect(mails.filter((m) => CLOSING_MAIL.test(m.subject)), label).toHaveLength(closed ? 1 : 0);
  expect(mails.filter((m) => m.subject.startsWith('We need more time')), label).toHaveLength(wins.extend);
  return label;
}

describe('staff actions racing each other and the workflow', () => {
  it(`end in a legal state with one audit entry per winner and one mail per transition (${SCENARIOS.length} scenarios x ${OFFSETS_MS.length} runs)`, async () => {
    const runs = SCENARIOS.flatMap((s) => OFFSETS_MS.map((offset) => () => race(s, offset)));
    const labels = await Promise.all(runs.map((run) => run()));
    expect(labels).toHaveLength(runs.length);
  }, 240_000);
});
