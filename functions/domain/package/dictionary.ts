/**
 * The field dictionary of one object, as the access report reads it: the connector's defaults
 * (functions/connectors/fields.ts), overridden entry by entry by the configuration's `objects.<object>`
 * `label` and `fields`, and for a field named nowhere a label made from its name (`amount_refunded` ->
 * "Amount refunded"). Origins stay where portability reads them (`origin`, `fieldOrigins`).
 */
import type { ConnectorConfig, FieldEntry, FieldFormat } from '#commons/config';
import { localText } from '#commons/local-text';
import { defaultFields } from '#connectors/fields';

/** Bookkeeping fields of every system: never worth a line in a report a person reads. */
const ALWAYS_HIDDEN = new Set(['id', 'object', 'livemode']);
/**
 * Names of internal keys (`account_id`, `OwnerId`, `meeting_id`): hidden unless the dictionary gives them
 * a label, which is how a connector or the configuration says an id is worth showing (an analytics id).
 */
const ID_NAME = /(^|[._])id$|[a-z]Id$|_id$/;

export interface FieldView {
  label: string;
  hidden: boolean;
  format?: FieldFormat;
  title: boolean;
}

export class ObjectDictionary {
  private readonly fields: Record<string, FieldEntry>;
  readonly label: string;

  constructor(connector: ConnectorConfig | undefined, object: string, private readonly language: string) {
    const defaults = connector ? defaultFields(connector.kind) : {};
    const settings = connector?.objects[object];
    this.fields = { ...defaults.fields, ...defaults.objects?.[object]?.fields, ...settings?.fields };
    const label = settings?.label ?? defaults.objects?.[object]?.label;
    this.label = label ? localText(label, language) : humanize(object);
  }

  private readonly views = new Map<string, FieldView>();

  /** How the report shows the field at `path`; worked out once per path (a report asks for it per record). */
  field(path: string): FieldView {
    let view = this.views.get(path);
    if (!view) {
      view = this.resolve(path);
      this.views.set(path, view);
    }
    return view;
  }

  private resolve(path: string): FieldView {
    const entry = this.fields[path] ?? {};
    const last = path.slice(path.lastIndexOf('.') + 1);
    return {
      label: entry.label ? localText(entry.label, this.language) : humanizePath(path),
      hidden: entry.hidden ?? (ALWAYS_HIDDEN.has(path) || (this.hiddenParent(path) ?? (!entry.label && ID_NAME.test(path)))),
      ...(entry.format ? { format: entry.format } : {}),
      title: entry.title ?? last === 'title',
    };
  }

  /** A field below a hidden one (`metadata.plan` under `metadata`) is hidden with it. */
  private hiddenParent(path: string): boolean | undefined {
    const parts = path.split('.');
    for (let i = parts.length - 1; i > 0; i--) {
      const entry = this.fields[parts.slice(0, i).join('.')];
      if (entry?.hidden !== undefined) return entry.hidden;
    }
    return undefined;
  }
}

/** `amount_refunded`, `amountRefunded`, `hs_email_subject` -> "Amount refunded", "Email subject". */
export function humanize(name: string): string {
  const words = name
    .replace(/^hs_/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}

/** `billing_details.address.city` -> "Billing details, address, city" (`properties.` is HubSpot's wrapper). */
function humanizePath(path: string): string {
  const parts = path.replace(/^properties\./, '').split('.');
  return parts.map((p, i) => (i === 0 ? humanize(p) : humanize(p).toLowerCase())).join(', ');
}
