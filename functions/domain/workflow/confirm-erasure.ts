/**
 * ConfirmErasure: after erasing, run `access` again on every connector and compare. Anything still
 * found that no `retain` policy covers means the erasure did not take: the request goes to staff, and
 * those connectors are marked failed so a retry erases them again. Only counts are kept, never data.
 */
import { enabledConnectors } from '#commons/config';
import { policyFor } from '#connectors/policy';
import type { ConnectorRegistry } from '#connectors/registry';
import type { AppContext } from '../context.ts';
import { StateConflict } from '../requests/repository.ts';
import type { ConnectorOutcome, ErasureConfirmation } from '../requests/model.ts';
import { subjectOf } from './collect.ts';

export async function confirmErasure(
  ctx: AppContext,
  registry: ConnectorRegistry,
  requestId: string,
): Promise<{ confirmed: boolean; unconfirmed: string[] }> {
  const { repo, clock } = ctx;
  const request = await repo.get(requestId);
  if (request.type !== 'erasure') throw new Error(`request ${requestId} is not an erasure`);
  const subject = subjectOf(request);
  const connectors = enabledConnectors(ctx.config).filter((c) => request.connectors?.[c.id]?.status !== 'accepted_missing');

  type Check = ErasureConfirmation['connectors'][string];
  const checks = await Promise.all(
    connectors.map(async (config): Promise<readonly [string, Check]> => {
      const connector = registry.get(config.id);
      const verifiable = connector.erasureVerifiable !== false;
      const found: Record<string, number> = {};
      const residual: Record<string, number> = {};
      if (!verifiable) return [config.id, { found, residual, verifiable }] as const;
      try {
        const policy = policyFor(config);
        for await (const record of connector.access(subject, { requestId })) {
          found[record.object] = (found[record.object] ?? 0) + 1;
          if (policy(record.object).action !== 'retain') residual[record.object] = (residual[record.object] ?? 0) + 1;
        }
        return [config.id, { found, residual, verifiable }] as const;
      } catch (err) {
        // A system we cannot read back is not a confirmed erasure.
        return [config.id, { found, residual, verifiable, error: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500) }] as const;
      }
    }),
  );

  const confirmation: ErasureConfirmation = { at: clock.now().toISOString(), confirmed: true, connectors: Object.fromEntries(checks) };
  const unconfirmed = checks.filter(([, c]) => c.error || Object.keys(c.residual).length > 0).map(([id]) => id);
  confirmation.confirmed = unconfirmed.length === 0;

  const outcomes: Record<string, ConnectorOutcome> = { ...request.connectors };
  for (const id of unconfirmed) {
    const check = confirmation.connectors[id]!;
    const left = Object.entries(check.residual).map(([object, n]) => `${n} ${object}`).join(', ');
    // A deletion the vendor finishes on its own schedule may still show: staff are told which, and that
    // retrying the connector submits it again (harmless) and reads it back again.
    const pending = (outcomes[id]?.erasure ?? []).filter((i) => i.completion && check.residual[i.object]);
    const later = pending.length
      ? `; ${pending.map((i) => `${i.object} submitted to ${i.completion!.vendor}, which completes it within ${i.completion!.withinDays} days`).join('; ')}: retry to check again later`
      : '';
    outcomes[id] = {
      ...outcomes[id]!,
      status: 'failed',
      error: check.error
        ? { type: 'ErasureNotConfirmed', message: `could not read back after erasure: ${check.error}` }
        : { type: 'ErasureNotConfirmed', message: `still found after erasure: ${left}${later}` },
    };
  }
  try {
    // Only while the erasure is under way: a replay on a closed (or cancelled) request reads, and changes nothing.
    await repo.update(requestId, { erasureConfirmation: confirmation, connectors: outcomes }, { onlyIf: ['in_progress', 'assembling'] });
  } catch (err) {
    if (err instanceof StateConflict) return { confirmed: confirmation.confirmed, unconfirmed };
    throw err;
  }
  await repo.audit(requestId, 'system', confirmation.confirmed ? 'erasure.confirmed' : 'erasure.not_confirmed', {
    residual: Object.fromEntries(checks.map(([id, c]) => [id, c.residual])),
    ...(unconfirmed.length ? { unconfirmed } : {}),
  });
  return { confirmed: confirmation.confirmed, unconfirmed };
}
