/**
 * Discovery (the preview before approval): how many of the subject's records each object of a system
 * holds, without exporting anything. A connector that can count at the vendor does (`countOnly`); any other
 * runs its own `access` lookup into a counting sink, which keeps no record and writes nothing, so the
 * numbers are those collect would export, found the same way.
 */
import type { Connector, ConnectorContext, ObjectCounts, Subject } from './types.ts';

export async function discover(connector: Connector, subject: Subject, ctx: ConnectorContext): Promise<ObjectCounts> {
  if (connector.countOnly) return connector.countOnly(subject, ctx);
  const counts: ObjectCounts = {};
  for await (const record of connector.access(subject, ctx)) counts[record.object] = (counts[record.object] ?? 0) + 1;
  return counts;
}

/** Every object's count added up. */
export function totalOf(counts: ObjectCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
