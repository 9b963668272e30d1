/**
 * The first of the two streaming passes over the staged records: for every object, how many records go
 * into this package, which columns its CSV needs, and (for the access report) its first REPORT_ROWS
 * records. The second pass (records-pass.ts) writes data.json and the CSVs from one more read. Nothing
 * here grows with the number of records, only with the number of distinct field paths (which `ColumnSet`
 * caps) and the report's fixed number of rows.
 */
import type { Origin } from '#commons/config';
import { readStaged } from '../staging/reader.ts';
import { ColumnSet } from './flatten.ts';
import { FolderNames } from './paths.ts';
import type { AssembleInput, PackageSource } from './types.ts';
import { Redaction } from './redaction.ts';
import { RecordFilter, connectorConfig, objectMeta, type RecordView } from './view.ts';

/** Records per object the access report shows; the rest are in data.json and the CSV. */
export const REPORT_ROWS = 500;

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
  /** The first REPORT_ROWS records, kept from this pass so the report needs no read of its own (access only). */
  preview: RecordView[];
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
    const redaction = new Redaction(input.withheld ?? [], source.connectorId, staged.object);
    // Staff withheld the whole object before release: the package does not name it.
    if (redaction.wholeObject) continue;
    const meta = objectMeta(connector, source.displayName, staged.object);
    const filter = new RecordFilter(meta, mode, redaction);
    const columns = new ColumnSet();
    let count = 0;
    const preview: RecordView[] = [];
    const keep = mode === 'access' ? REPORT_ROWS : 0;
    for await (const record of readStaged(input.s3, input.stagingBucket, staged.stagingKey)) {
      const view = filter.apply(record);
      if (!view) continue;
      count += 1;
      columns.add(view.data);
      if (preview.length < keep) preview.push(view);
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
      preview,
    });
  }
  return { connectorId: source.connectorId, displayName: source.displayName, objects };
}
