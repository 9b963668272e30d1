/**
 * The act step of a restriction (GDPR Art. 18), for one connector. Which pass runs is the request's
 * stored phase (`restriction.phase`), never the state payload: `set` marks the subject's data restricted
 * (`Connector.restrict.set`), `lift`, after staff told the subject (Art. 18(3)), removes the mark. Either
 * is then read back (`restrict.status`, a separate read) and succeeds only when every markable record of
 * the subject is as asked; otherwise it fails as `RestrictionNotConfirmed`, for staff like any failed
 * connector (retry, accept as missing, cancel).
 *
 * What the system cannot mark is staff's: a system without the capability that holds the subject's data
 * (counted as the preview counts), or records the capability reports `unmarkable` (a Salesforce Contact
 * with no Individual), gets a follow-up task "restrict (or lift the restriction) in <system> by hand".
 * Both passes are idempotent, so throttling is waited out and run again (throttle.ts), and a retry adds
 * no second task (each has its ref).
 */
import { connectorName } from '#commons/config';
import { logger } from '#commons/observability';
import { discover, totalOf } from '#connectors/discovery';
import type { ConnectorRegistry } from '#connectors/registry';
import type { Connector, Subject } from '#connectors/types';
import type { AppContext } from '../context.ts';
import type { RestrictionOutcome, RestrictionPhase } from '../restriction/model.ts';
import type { RequestRecord } from '../requests/model.ts';
import { addTodo } from '../todos/index.ts';
import { requestToWorkOn, subjectOf } from './collect.ts';
import type { CollectResult } from './reconcile.ts';
import { throttledResult, type ThrottledResult, type ThrottleProgress } from './throttle.ts';

/** The read-back found records of the subject not as the pass asked (still free after `set`, still marked after `lift`). */
export class RestrictionNotConfirmed extends Error {
  override name = 'RestrictionNotConfirmed';
}

/** The follow-up task kind for what a system cannot mark itself. */
export const RESTRICTION_TODO = 'restriction-by-hand';

/** The phase a restriction request's act step runs in: the stored one, `set` until staff lift it. */
export function restrictionPhase(request: Pick<RequestRecord, 'restriction'>): RestrictionPhase {
  return request.restriction?.phase ?? 'set';
}

export async function restrictWithConnector(
  ctx: AppContext,
  registry: ConnectorRegistry,
  requestId: string,
  connectorId: string,
  progress: ThrottleProgress = {},
  read?: RequestRecord,
): Promise<CollectResult | ThrottledResult> {
  const request = await requestToWorkOn(ctx, requestId, connectorId, { type: 'restriction', refusing: 'restrict', read });
  const phase = restrictionPhase(request);
  const connector = registry.get(connectorId);
  const subject = subjectOf(request);
  let outcome: RestrictionOutcome;
  try {
    outcome = connector.restrict ? await markAndReadBack(connector, subject, phase, requestId, () => ctx.clock.now()) : await byHandOnly(connector, subject, phase, requestId);
  } catch (err) {
    const throttled = await throttledResult(ctx, requestId, connectorId, err, progress);
    if (throttled) return throttled;
    throw err;
  }
  if (outcome.byHand > 0) {
    const todo = await addTodo(ctx, requestId, {
      kind: RESTRICTION_TODO,
      ref: `restriction:${phase}:${connectorId}`,
      title: handTitle(phase, connectorName(ctx.config, connectorId), outcome.byHand),
    });
    outcome = { ...outcome, todo: todo.n };
  }
  const objects: Record<string, number> = {};
  for (const item of outcome.items) objects[item.object] = (objects[item.object] ?? 0) + item.records;
  const records = outcome.items.reduce((n, i) => n + i.records, 0);
  logger.info(phase === 'set' ? 'connector restricted the subject' : 'connector lifted the restriction', { requestId, connectorId, objects, byHand: outcome.byHand });
  return { connectorId, status: 'succeeded', records, objects, stagingKeys: {}, restriction: outcome };
}

async function markAndReadBack(connector: Connector, subject: Subject, phase: RestrictionPhase, requestId: string, now: () => Date): Promise<RestrictionOutcome> {
  const restrict = connector.restrict!;
  const ctx = { requestId };
  const items = phase === 'set' ? await restrict.set(subject, ctx) : await restrict.lift(subject, ctx);
  const status = await restrict.status(subject, ctx);
  const wrong = status.filter((s) => (phase === 'set' ? s.unrestricted : s.restricted) > 0);
  if (wrong.length) {
    const what = phase === 'set' ? 'not restricted' : 'still restricted';
    throw new RestrictionNotConfirmed(
      `after ${phase === 'set' ? 'restricting' : 'lifting'}, ${connector.id} has records ${what} in ${wrong.map((s) => `${s.object} (${phase === 'set' ? s.unrestricted : s.restricted} of ${s.restricted + s.unrestricted})`).join(', ')}`,
    );
  }
  const byHand = status.reduce((n, s) => n + (s.unmarkable ?? 0), 0);
  return { phase, applies: true, items, status, byHand, confirmedAt: now().toISOString() };
}

/** A system with no way to mark a restriction: staff do it by hand when it holds anything of the subject. */
async function byHandOnly(connector: Connector, subject: Subject, phase: RestrictionPhase, requestId: string): Promise<RestrictionOutcome> {
  const held = totalOf(await discover(connector, subject, { requestId }));
  return { phase, applies: false, items: [], byHand: held };
}

function handTitle(phase: RestrictionPhase, system: string, records: number): string {
  const what = `${records} ${records === 1 ? 'record' : 'records'}`;
  return phase === 'set'
    ? `Restrict the subject's data in ${system} by hand (GDPR Art. 18; ${what} it cannot mark itself)`
    : `Lift the restriction in ${system} by hand (the subject was told; ${what})`;
}
