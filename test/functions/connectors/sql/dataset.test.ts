import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { datasetJsonSchema, objectSettingsOf, parseDataset } from '../../../../functions/connectors/sql/dataset.ts';

const productJson = JSON.parse(readFileSync('config/datasets/product.json', 'utf8')) as Record<string, unknown>;
const minimal = (tables: unknown[]) => ({ name: 'db', tables });
const accounts = { name: 'accounts', category: 'user.account', fields: [{ name: 'id' }, { name: 'email', category: 'user.contact.email', identity: { from: 'email' } }] };

describe('a dataset', () => {
  it('parses the example product dataset with its defaults filled in', () => {
    const dataset = parseDataset(productJson);
    const calls = dataset.tables.find((t) => t.name === 'call_records')!;
    // No schema: the engine's default (PostgreSQL's `public`, MySQL's connection database; dialect.ts).
    expect(calls.schema).toBeUndefined();
    expect(calls.primaryKey).toEqual(['id']);
    expect(calls.erasure).toEqual({ action: 'anonymize' });
  });

  it('gives each table its category and the field origins that differ from the table', () => {
    const settings = objectSettingsOf(parseDataset(productJson));
    expect(settings.accounts).toEqual({ category: 'user.account', origin: 'provided', fieldOrigins: { created_at: 'observed' }, erasure: { action: 'delete' } });
    expect(settings.call_records!.erasure).toEqual({ action: 'anonymize', fields: { account_id: 'null', ip_address: 'null', device: 'redact' } });
  });

  it('refuses a reference to a field no table declares, naming it', () => {
    const meetings = { name: 'meetings', category: 'user.content', fields: [{ name: 'id' }, { name: 'owner_id', references: 'accounts.nope' }] };
    expect(() => parseDataset(minimal([accounts, meetings]))).toThrow(/accounts\.nope is not a declared field/);
  });

  it('refuses a dataset with no identity field, since nothing would lead to the subject', () => {
    expect(() => parseDataset(minimal([{ name: 't', category: 'user', fields: [{ name: 'id' }] }]))).toThrow(/no field is an identity/);
  });

  it('refuses a table name that is not a plain SQL identifier', () => {
    expect(() => parseDataset(minimal([{ ...accounts, name: 'accounts"; drop table x; --' }]))).toThrow(/tables\.0\.name/);
  });

  it('refuses an anonymized table without any masked field, and a masked primary key', () => {
    expect(() => parseDataset(minimal([{ ...accounts, erasure: { action: 'anonymize' } }]))).toThrow(/no field declares a mask/);
    const masked = { ...accounts, fields: [{ name: 'id', mask: { strategy: 'null' } }, accounts.fields[1]] };
    expect(() => parseDataset(minimal([masked]))).toThrow(/primary key and cannot be masked/);
  });

  it('refuses an anonymized table that keeps the field leading to the subject, which the read-back would still find', () => {
    const tickets = { name: 'tickets', category: 'user.content', erasure: { action: 'anonymize' }, fields: [{ name: 'id' }, { name: 'email', identity: { from: 'email' } }, { name: 'body', mask: { strategy: 'null' } }] };
    expect(() => parseDataset(minimal([tickets]))).toThrow(/tickets\.email leads to the subject/);
  });

  it('refuses retention without a legal basis', () => {
    expect(() => parseDataset(minimal([{ ...accounts, erasure: { action: 'retain', retentionPeriod: '1 year' } }]))).toThrow(/legalBasis/);
  });

  it('refuses a category that is not a dotted fideslang-style name', () => {
    expect(() => parseDataset(minimal([{ ...accounts, category: 'User Account' }]))).toThrow(/data category/);
  });
});

describe('the dataset JSON Schema for editors', () => {
  const committed = JSON.parse(readFileSync('config/datasets/dataset.schema.json', 'utf8')) as unknown;

  it('is the one the zod schema emits (run `npm run dataset-schema` after changing dataset.ts)', () => {
    expect(committed).toEqual(datasetJsonSchema());
  });

  it('accepts the example dataset and rejects a field with an unknown key', () => {
    const validate = new Ajv2020({ strict: false }).compile(committed as object);
    expect(validate(productJson)).toBe(true);
    const typo = { ...productJson, tables: [{ ...accounts, fields: [{ name: 'id', catgory: 'user' }] }] };
    expect(validate(typo)).toBe(false);
  });
});
