/**
 * The act step of a rectification, for one connector: writes the corrections staff chose for that
 * system (`Connector.rectify.apply`), then reads the fields back (`rectify.current`) and succeeds only
 * when every corrected field shows the chosen value. A field that reads back otherwise fails the step as
 * `RectificationNotConfirmed`, which goes to staff like any failed connector; a record that disappeared
 * meanwhile (erased, merged) is reported as not found. A system without the capability has nothing the
 * subject can correct: recorded as not applicable.
 *
 * Writing the same value twice is harmless, so a throttled run is waited out and run again (throttle.ts),
 * and the ASL Retry and staff retries may repeat it. A corrected email address is also read back under
 * the new address (the system now finds the subject by it), and the new address's hash becomes an alias
 * of the request, so the request and its audit trail stay found under either address.
 */
import { logger } from '#commons/observability';
import { subjectHash } from '#commons/tokens';
import type { ConnectorRegistry } from '#connectors/registry';
import { sameFieldValue } from '#connectors/corrections';
import type { Correction, FieldValue, RectificationItem, Subject } from '#connectors/types';
import type { AppContext } from '../context.ts';
import type { RequestRecord } from '../requests/model.ts';
import { normalizeEmail } from '../requests/model.ts';
import { requestToWorkOn, subjectOf } from './collect.ts';
import type { CollectResult } from './reconcile.ts';
import { throttledResult, type ThrottledResult, type ThrottleProgress } from './throttle.ts';

/** The read-back shows another value than staff chose for a corrected field. */
export class RectificationNotConfirmed extends Error {
  override name = 'RectificationNotConfirmed';
}

const sameSpot = (a: Pick<Correction, 'object' | 'recordId' | 'field'>, b: Pick<Correction, 'object' | 'recordId' | 'field'>) =>
  a.object === b.object && a.recordId === b.recordId && a.field === b.field;

/** The subject as a system finds them once their address there is the corrected one. */
function underNewAddress(subject: Subject, email: string): Subject {
  return { ...subject, email, normalizedEmail: normalizeEmail(email) };
}

export async function rectifyWithConnector(
  ctx: AppContext,
  registry: ConnectorRegistry,
  requestId: string,
  connectorId: string,
  progress: ThrottleProgress = {},
  read?: RequestRecord,
): Promise<CollectResult | ThrottledResult> {
  const request = await requestToWorkOn(ctx, requestId, connectorId, { type: 'rectification', refusing: 'correct', read });
  const rectify = registry.get(connectorId).rectify;
  if (!rectify) {
    logger.info('connector has nothing to correct', { requestId, connectorId });
    return { connectorId, status: 'succeeded', records: 0, objects: {}, stagingKeys: {}, rectification: { applies: false, items: [] } };
  }
  const choice = await ctx.repo.rectifications.choice(requestId);
  if (!choice) throw new Error(`request ${requestId} has no corrections chosen by staff; refusing to correct`);
  const corrections = choice.corrections[connectorId] ?? [];
  if (!corrections.length) {
    return { connectorId, status: 'succeeded', records: 0, objects: {}, stagingKeys: {}, rectification: { applies: true, items: [], confirmedAt: ctx.clock.now().toISOString() } };
  }
  const subject = subjectOf(request);
  const newEmail = corrections.find((c) => c.field === 'email')?.value as string | undefined;
  const fields = [...new Set(corrections.map((c) => c.field))];
  let applied: RectificationItem[];
  let readBack: FieldValue[];
  try {
    // A retry after the address was corrected finds the records under the new address only.
    applied = await rectify.apply(subject, corrections, { requestId });
    if (newEmail && applied.some((i) => i.status === 'not_found')) {
      const again = await rectify.apply(underNewAddress(subject, newEmail), corrections.filter((c) => applied.some((i) => sameSpot(i, c) && i.status === 'not_found')), { requestId });
      applied = applied.map((i) => again.find((a) => sameSpot(a, i) && a.status === 'corrected') ?? i);
    }
    readBack = await rectify.current(subject, fields, { requestId });
    if (newEmail) readBack = [...readBack, ...(await rectify.current(underNewAddress(subject, newEmail), fields, { requestId }))];
  } catch (err) {
    const throttled = await throttledResult(ctx, requestId, connectorId, err, progress);
    if (throttled) return throttled;
    throw err;
  }
  const unconfirmed: string[] = [];
  const items: RectificationItem[] = corrections.map((c) => {
    const shown = readBack.filter((v) => sameSpot(v, c));
    const status = applied.find((i) => sameSpot(i, c))?.status ?? 'not_found';
    if (!shown.length) return { object: c.object, recordId: c.recordId, field: c.field, status: 'not_found' };
    if (!shown.some((v) => sameFieldValue(c.field, v.value, c.value))) unconfirmed.push(`${c.field} of ${c.object} ${c.recordId}`);
    return { object: c.object, recordId: c.recordId, field: c.field, status: status === 'not_found' ? 'corrected' : status };
  });
  // Field names and record ids only: the values are the subject's data.
  if (unconfirmed.length) throw new RectificationNotConfirmed(`after the correction, ${connectorId} still shows another value for ${unconfirmed.join(', ')}`);
  if (newEmail && items.some((i) => i.field === 'email' && i.status === 'corrected')) {
    await ctx.repo.rectifications.putAlias(requestId, subjectHash(normalizeEmail(newEmail)), request.receivedAt);
  }
  const confirmedAt = ctx.clock.now().toISOString();
  const objects: Record<string, number> = {};
  for (const item of items) if (item.status === 'corrected') objects[item.object] = (objects[item.object] ?? 0) + 1;
  const records = Object.values(objects).reduce((n, x) => n + x, 0);
  logger.info('connector corrected the subject\'s fields', { requestId, connectorId, fields, records });
  return { connectorId, status: 'succeeded', records, objects, stagingKeys: {}, rectification: { applies: true, items, confirmedAt } };
}
