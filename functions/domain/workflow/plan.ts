/**
 * PlanConnectors: which connectors the Map runs, and whether each collects or erases. First time: every
 * enabled connector. After staff asked for a retry: the ones marked pending again. Only small
 * descriptors go into the state payload.
 *
 * Before an erasure it also resolves, once, the identifiers some systems are found by (the account id
 * naming the call-history folder, the Google Analytics user id): the erasing Map runs in parallel, and
 * once the account store is erased nothing else could find them. Before a marketing opt-out it puts the
 * subject's address hash on the suppression list (../suppression/list.ts).
 */
import { enabledConnectors, type RequestType } from '#commons/config';
import { resolveIdentifiers, type ConnectorRegistry } from '#connectors/registry';
import type { AppContext } from '../context.ts';
import type { ConnectorOutcome } from '../requests/model.ts';
import { subjectOf } from './collect.ts';

export interface ConnectorTask {
  requestId: string;
  connectorId: string;
  /** `collect` reads (access, portability); the others are the act phase, named for what it does. */
  mode: 'collect' | 'erase' | 'suppress' | 'restrict' | 'rectify';
}

/**
 * The two functions a Map iteration may invoke, as the workflow definition hands them to PlanConnectors
 * (their ARNs): the plan names one per connector, so the iteration needs no routing state, and each
 * function keeps its own grants (collect stages records; only act may change a vendor's data).
 */
export interface Workers {
  collect: string;
  act: string;
}

/** The plan with each connector's function: `collect` reads; every other mode is the act step's. */
export function withWorkers(plan: { connectors: ConnectorTask[] }, workers: Workers): { connectors: Array<ConnectorTask & { worker: string }> } {
  return { connectors: plan.connectors.map((c) => ({ ...c, worker: c.mode === 'collect' ? workers.collect : workers.act })) };
}

/** What the Map does for each type; the act step itself dispatches on the stored type, not on this. */
const MODES: Record<RequestType, ConnectorTask['mode']> = {
  access: 'collect',
  portability: 'collect',
  erasure: 'erase',
  marketing_opt_out: 'suppress',
  restriction: 'restrict',
  rectification: 'rectify',
};

export async function planConnectors(ctx: AppContext, registry: ConnectorRegistry, requestId: string): Promise<{ connectors: ConnectorTask[] }> {
  const { repo, config } = ctx;
  let request = await repo.get(requestId);
  const mode = MODES[request.type];
  if (mode === 'erase' && !request.identifiers) {
    const identifiers = await resolveIdentifiers(registry, config, subjectOf(request), { requestId });
    request = await repo.update(requestId, { identifiers });
    await repo.audit(requestId, 'system', 'erasure.identifiers_resolved', {
      systems: Object.fromEntries(Object.entries(identifiers).map(([id, attrs]) => [id, Object.fromEntries(Object.entries(attrs).map(([a, v]) => [a, v.length]))])),
    });
  }
  if (mode === 'suppress') {
    // On the list before any system changes, so an import running meanwhile already skips the address;
    // recording again (a retry) keeps the first time.
    await ctx.suppressions.record(request.subjectHash, requestId, ctx.clock.now().toISOString());
    await repo.audit(requestId, 'system', 'suppression.recorded', {});
  }
  const outcomes: Record<string, ConnectorOutcome> = { ...request.connectors };
  const planned: ConnectorTask[] = [];
  for (const c of enabledConnectors(config)) {
    const previous = outcomes[c.id];
    if (previous && previous.status !== 'pending') continue;
    outcomes[c.id] = {
      connectorId: c.id,
      status: 'pending',
      records: 0,
      objects: {},
      stagingKeys: {},
      attempts: (previous?.attempts ?? 0) + 1,
    };
    planned.push({ requestId, connectorId: c.id, mode });
  }
  // Conditional like every status write of the workflow: a request cancelled meanwhile stays cancelled.
  // The status is in_progress already (the condition says so): setting it again would only rewrite the
  // request's metrics fact.
  await repo.update(requestId, { connectors: outcomes }, { onlyIf: ['in_progress'] });
  await repo.audit(requestId, 'system', 'connectors.planned', { connectors: planned.map((p) => p.connectorId) });
  return { connectors: planned };
}
