/**
 * The first streaming pass over the staged records: for every object, how many records go into this
 * package and which columns its CSV needs. Everything after it (data.json, CSVs, report) streams the
 * staged objects again, so nothing here grows with the number of records, only with the number of
 * distinct field paths (which `ColumnSet` caps).
 */
import type { Origin } from '#commons/config';
import { readStaged } from '../staging/reader.ts';
import { ColumnSet } from './flatten.ts';
import { FolderNames } from './paths.ts';
import type { AssembleInput, PackageSource } from './types.ts';
import { RecordFilter, connectorConfig, objectMeta } from './view.ts';

export interface PlannedObject {
  object: string;
  stagingKey: string;
  category: string;
  origin: Origin;
  filter: RecordFilter;
  /** Records that go into this package. */
  count: number;
  columns: string[];
  /** Whether some paths did not get a column of their own and share the `_other` cell. */
  overflow: boolean;
  /** Entry name of the object's CSV in the ZIP. */
  csvPath: string;
}

export interface PlannedSystem {
  connectorId: string;
  displayName: string;
  objects: PlannedObject[];
}

export async function planPackage(input: AssembleInput): Promise<PlannedSystem[]> {
  const mode = input.request.type;
  const folders = new FolderNames();
  const systems: PlannedSystem[] = [];
  for (const source of input.sources) systems.push(await planSystem(input, source, mode, folders.take(source.connectorId, 'system', '')));
  return systems;
}

async function planSystem(input: AssembleInput, source: PackageSource, mode: AssembleInput['request']['type'], folder: string): Promise<PlannedSystem> {
  const connector = connectorConfig(input.config, source.connectorId);
  const files = new FolderNames();
  const objects: PlannedObject[] = [];
  for (const staged of source.objects) {
    // Nothing was staged for an empty object; reading its key would fail.
    if (staged.count <= 0) continue;
    const meta = objectMeta(connector, source.displayName, staged.object);
    const filter = new RecordFilter(meta, mode);
    const columns = new ColumnSet();
    let count = 0;
    for await (const record of readStaged(input.s3, input.stagingBucket, staged.stagingKey)) {
      const view = filter.apply(record);
      if (!view) continue;
      count += 1;
      columns.add(view.data);
    }
    // Portability leaves out objects with nothing provided or observed in them.
    if (count === 0) continue;
    objects.push({
      object: staged.object,
      stagingKey: staged.stagingKey,
      category: meta.category,
      origin: meta.origin,
      filter,
      count,
      columns: columns.columns,
      overflow: columns.overflow,
      csvPath: `csv/${folder}/${files.take(staged.object, 'object', '.csv')}`,
    });
  }
  return { connectorId: source.connectorId, displayName: source.displayName, objects };
}
