/**
 * What of a staged record goes into a package: everything for access (Art. 15), and for portability
 * (Art. 20) only what the subject provided or what was observed about their use, never what the company
 * inferred or derived. Origins come from configuration (object origin, per-field `fieldOrigins`), and a
 * connector may mark a whole record with an origin where it knows better.
 */
import type { ConnectorConfig, DsarConfig, Origin } from '#commons/config';
import type { DataRecord } from '#connectors/types';
import type { Redaction } from './redaction.ts';
import type { PackageType } from './types.ts';

export interface ObjectMeta {
  category: string;
  origin: Origin;
  fieldOrigins: Record<string, Origin>;
}

export interface RecordView {
  id: string;
  data: Record<string, unknown>;
  origin?: Origin;
}

const PORTABLE: ReadonlySet<Origin> = new Set(['provided', 'observed']);

export function isPortable(origin: Origin): boolean {
  return PORTABLE.has(origin);
}

export function connectorConfig(config: DsarConfig, connectorId: string): ConnectorConfig | undefined {
  return config.connectors.find((c) => c.id === connectorId);
}

/** Category and origin of an object: its configuration, else the system's name and `provided`. */
export function objectMeta(connector: ConnectorConfig | undefined, displayName: string, object: string): ObjectMeta {
  const settings = connector?.objects[object];
  return {
    category: settings?.category ?? displayName,
    origin: settings?.origin ?? 'provided',
    fieldOrigins: settings?.fieldOrigins ?? {},
  };
}

/** Applies the package's rules to records of one object; built once per object. */
export class RecordFilter {
  /** Paths that have a rule somewhere below them, so only those subtrees are walked. */
  private readonly ruledParents = new Set<string>();
  private readonly hasPortableField: boolean;

  constructor(
    private readonly meta: ObjectMeta,
    private readonly mode: PackageType,
    /** What staff withheld of this object before release, applied after the package's own rules. */
    private readonly redaction?: Redaction,
  ) {
    for (const path of Object.keys(meta.fieldOrigins)) {
      const parts = path.split('.');
      for (let i = 1; i < parts.length; i++) this.ruledParents.add(parts.slice(0, i).join('.'));
    }
    this.hasPortableField = Object.values(meta.fieldOrigins).some(isPortable);
  }

  /**
   * Where one field of a record came from: the record's own origin when the connector set one, else the
   * nearest `fieldOrigins` rule on the path or above it, else the object's origin.
   */
  originOf(path: string, recordOrigin?: Origin): Origin {
    if (recordOrigin) return recordOrigin;
    const parts = path.split('.');
    for (let i = parts.length; i > 0; i--) {
      const rule = this.meta.fieldOrigins[parts.slice(0, i).join('.')];
      if (rule) return rule;
    }
    return this.meta.origin;
  }

  /** The record as it goes into the package, or undefined when nothing of it belongs there. */
  apply(record: DataRecord): RecordView | undefined {
    const view = this.select(record);
    if (!view || !this.redaction || this.redaction.empty) return view;
    return this.redaction.apply(view);
  }

  private select(record: DataRecord): RecordView | undefined {
    const view: RecordView = { id: String(record.id), data: record.data ?? {} };
    if (record.origin) view.origin = record.origin;
    if (this.mode === 'access') return view;

    const origin = record.origin ?? this.meta.origin;
    if (!isPortable(origin) && !this.hasPortableField) return undefined;
    const data = this.filter(record.data ?? {}, '', isPortable(origin));
    // A record of inferred data that holds no explicitly provided field has nothing to port.
    if (!isPortable(origin) && Object.keys(data).length === 0) return undefined;
    view.data = data;
    return view;
  }

  private filter(obj: Record<string, unknown>, prefix: string, keepByDefault: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const rule = this.meta.fieldOrigins[path];
      const keep = rule ? isPortable(rule) : keepByDefault;
      if (this.ruledParents.has(path) && isPlainObject(value)) {
        const inner = this.filter(value, path, keep);
        if (Object.keys(inner).length > 0 || (keep && Object.keys(value).length === 0)) out[key] = inner;
      } else if (keep) {
        out[key] = value;
      }
    }
    return out;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
