/**
 * A dataset: what a relational database holds about people, declared once per database (docs/connectors.md,
 * "Writing a dataset"). It names the tables, the fields that identify a subject (an email column, or an id
 * another connector resolves), the references between tables (`meetings.owner_id -> accounts.id`), each
 * field's data category (Fides' fideslang names, so a dataset annotated for Fides can be reused) and origin,
 * and what erasure does per table and field. The planner (plan.ts) walks it; nothing in it is SQL text.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { ORIGINS } from '#commons/origins';
import { localTextSchema, type LocalText } from '#commons/local-text';

/**
 * A plain SQL identifier. Quoting (plan.ts) would make anything safe, but a dataset naming `"; drop` is a
 * mistake better refused when the configuration loads.
 */
const identifier = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a table or column name: letters, digits and _, not starting with a digit, at most 63 characters'));

/**
 * A fideslang data category (`user.contact.email`, `user.financial`, `system.operations`): dot-separated
 * lower-case segments. Any such name is accepted, not only fideslang's: a company may extend the taxonomy
 * as Fides allows; docs/connectors.md maps the example company's categories onto fideslang's.
 */
export const dataCategory = z.string().check(z.regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, 'a data category such as user.contact.email'));

/** `table.column`, as references name their target. */
const columnRef = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'a reference names table.column'));

/** How a field is masked when its table is anonymized. */
export const maskingSchema = z.discriminatedUnion('strategy', [
  z.object({ strategy: z.literal('null') }).check(z.describe('Set the field to NULL (the column must be nullable).')),
  z.object({ strategy: z.literal('fixed'), value: z.string() }).check(z.describe('Replace the field with a fixed string, e.g. "[erased]".')),
  z
    .object({ strategy: z.literal('keyed-hash') })
    .check(z.describe('Replace the field with HMAC-SHA256(key, value) in hex: equal values stay equal (joins and counts still work) and cannot be reversed without the key, which is the `maskingKey` of the connector credentials.')),
]);
export type Masking = z.infer<typeof maskingSchema>;

/** Where a subject's identity enters a table. */
export const identitySchema = z.discriminatedUnion('from', [
  z.object({ from: z.literal('email') }).check(z.describe("The column holds the subject's email, lower-cased (compared with the normalised verified address).")),
  z
    .object({ from: z.literal('connector'), connectorId: z.string().check(z.minLength(1)), attribute: z.string().check(z.minLength(1)) })
    .check(z.describe("The column holds an identifier another connector resolves: the distinct values of `attribute` in the subject's records there.")),
]);
export type Identity = z.infer<typeof identitySchema>;

export const fieldSchema = z.strictObject({
    name: identifier,
    /** fideslang category of the field; the table's when left out. */
    category: z.optional(dataCategory),
    /** Where the value came from; the table's when left out. */
    origin: z.optional(z.enum(ORIGINS)),
    identity: z.optional(identitySchema),
    /**
     * This column holds the key of a row in another table (`accounts.id`): rows whose column matches the
     * subject's keys there are the subject's, and erasure handles them before the rows they point to. With
     * `{ "to": ..., "traverse": false }` the reference only orders erasure: a participant row pointing at
     * the subject's meeting belongs to whoever participated, not to the meeting's owner.
     */
    references: z.optional(z.union([columnRef, z.strictObject({ to: columnRef, traverse: z._default(z.boolean(), true) })])),
    /** How the field is masked when the table's erasure is `anonymize`; fields without one are kept. */
    mask: z.optional(maskingSchema),
});
export type DatasetField = z.infer<typeof fieldSchema>;

export const tableErasureSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('delete') }).check(z.describe("Delete the subject's rows (after the rows that reference them).")),
  z.object({ action: z.literal('anonymize') }).check(z.describe('Keep the rows, masking each field that declares a `mask`.')),
  z
    .object({ action: z.literal('retain'), legalBasis: localTextSchema, retentionPeriod: localTextSchema })
    .check(z.describe('Keep the rows, with the legal basis and the period, which the erasure report states (one string, or one per language: {"en": "...", "nb": "..."}).')),
]);
export type TableErasure = z.infer<typeof tableErasureSchema>;

export const tableSchema = z.strictObject({
    name: identifier,
    /** PostgreSQL schema (`public` when left out); for MySQL the database (the connection's when left out). */
    schema: z.optional(identifier),
    /** Columns that identify a row, for the record id, erasure and read-back. */
    primaryKey: z._default(z.array(identifier).check(z.minLength(1)), ['id']),
    /** Category of fields without their own, and of the table in the access report. */
    category: dataCategory,
    origin: z._default(z.enum(ORIGINS), 'provided'),
    erasure: z._default(tableErasureSchema, { action: 'delete' }),
    /** The columns the export holds; columns not listed are neither read nor exported. */
    fields: z.array(fieldSchema).check(z.minLength(1)),
});
export type DatasetTable = z.infer<typeof tableSchema>;

export const datasetSchema = z
  .strictObject({
    /** Lets editors validate the file against dataset.schema.json. */
    $schema: z.optional(z.string()),
    name: identifier,
    description: z.optional(z.string()),
    tables: z.array(tableSchema).check(z.minLength(1)),
  })
  .check(z.superRefine((dataset, ctx) => {
    const tables = new Map(dataset.tables.map((t) => [t.name, t]));
    if (tables.size !== dataset.tables.length) ctx.addIssue({ code: 'custom', path: ['tables'], message: 'a table is declared twice' });
    let identities = 0;
    dataset.tables.forEach((table, ti) => {
      const names = new Set(table.fields.map((f) => f.name));
      if (names.size !== table.fields.length) ctx.addIssue({ code: 'custom', path: ['tables', ti, 'fields'], message: `a field of ${table.name} is declared twice` });
      table.primaryKey.forEach((key, ki) => {
        if (!names.has(key)) ctx.addIssue({ code: 'custom', path: ['tables', ti, 'primaryKey', ki], message: `primary key ${key} is not among the fields of ${table.name}` });
      });
      if (table.erasure.action === 'anonymize' && !table.fields.some((f) => f.mask)) {
        ctx.addIssue({ code: 'custom', path: ['tables', ti, 'erasure'], message: `${table.name} is anonymized but no field declares a mask` });
      }
      // The read-back after erasure finds rows through these fields: left as they were, the subject's
      // anonymized rows would still be the subject's, and the erasure would never be confirmed.
      if (table.erasure.action === 'anonymize') {
        table.fields.forEach((f, fi) => {
          if ((f.identity || referenceOf(f)?.traverse) && !f.mask) {
            ctx.addIssue({ code: 'custom', path: ['tables', ti, 'fields', fi, 'mask'], message: `${table.name}.${f.name} leads to the subject, so an anonymized ${table.name} must mask it` });
          }
        });
      }
      table.fields.forEach((field, fi) => {
        if (field.identity) identities++;
        if (field.mask && table.primaryKey.includes(field.name)) {
          ctx.addIssue({ code: 'custom', path: ['tables', ti, 'fields', fi, 'mask'], message: `${table.name}.${field.name} is part of the primary key and cannot be masked` });
        }
        if (!field.references) return;
        const to = referenceOf(field)!.to;
        const [target, column] = to.split('.') as [string, string];
        const referenced = tables.get(target);
        if (!referenced || !referenced.fields.some((f) => f.name === column)) {
          ctx.addIssue({ code: 'custom', path: ['tables', ti, 'fields', fi, 'references'], message: `${to} is not a declared field` });
        }
      });
    });
    if (identities === 0) ctx.addIssue({ code: 'custom', path: ['tables'], message: 'no field is an identity: nothing would lead to the subject' });
  }));
export type Dataset = z.infer<typeof datasetSchema>;

/** A field's reference in its long form, or undefined when it has none. */
export function referenceOf(field: DatasetField): { to: string; traverse: boolean } | undefined {
  if (!field.references) return undefined;
  return typeof field.references === 'string' ? { to: field.references, traverse: true } : field.references;
}

export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** Validates a dataset; the message lists every problem with its path. */
export function parseDataset(input: unknown, source = 'dataset'): Dataset {
  const result = datasetSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DatasetError(`invalid ${source}:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/** The JSON Schema editors validate dataset files with (committed as dataset.schema.json; a test keeps it current). */
export function datasetJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(datasetSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://github.com/dsar-orchestrator/schemas/dataset.schema.json',
    title: 'DSAR orchestrator dataset',
    description: 'What a relational database holds about people: tables, identity fields, references, data categories (fideslang), origins and erasure policy.',
  };
}

/** How a mask reads in the erasure policy the workflow and report use (its `anonymize` field rules). */
const POLICY_MASK = { null: 'null', fixed: 'redact', 'keyed-hash': 'hash' } as const;

type Origin = (typeof ORIGINS)[number];
type ObjectPolicy =
  | { action: 'delete' }
  | { action: 'anonymize'; fields: Record<string, (typeof POLICY_MASK)[keyof typeof POLICY_MASK]> }
  | { action: 'retain'; legalBasis: LocalText; retentionPeriod: LocalText };

/**
 * Each table as the configuration's `objects` describe it: the category and per-field origins the access
 * report and portability rules read, and the erasure policy the read-back checks what it still finds against.
 */
export function objectSettingsOf(dataset: Dataset): Record<string, { category: string; origin: Origin; fieldOrigins: Record<string, Origin>; erasure: ObjectPolicy }> {
  return Object.fromEntries(
    dataset.tables.map((t) => [
      t.name,
      {
        category: t.category,
        origin: t.origin,
        fieldOrigins: Object.fromEntries(t.fields.filter((f) => f.origin && f.origin !== t.origin).map((f) => [f.name, f.origin!])),
        erasure:
          t.erasure.action === 'anonymize'
            ? { action: 'anonymize', fields: Object.fromEntries(t.fields.filter((f) => f.mask).map((f) => [f.name, POLICY_MASK[f.mask!.strategy]])) }
            : t.erasure,
      },
    ]),
  );
}
