/**
 * The erasure policy of a connector's objects, read from configuration alone. Kept apart from the
 * registry so domain code that only needs a policy (the erasure report, the re-check planner, which
 * every workflow function bundles) does not pull in the connector implementations and their drivers.
 */
import { appliedPolicy, type ConnectorConfig, type ErasurePolicy } from '#commons/config';
import type { PolicyFor } from './types.ts';

/** The erasure policy of an object: its own, else the connector's default. */
export function policyFor(config: ConnectorConfig): PolicyFor {
  return (object: string): ErasurePolicy => appliedPolicy(config.objects[object]?.erasure ?? config.erasure);
}
