import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '#commons/config';
import { identifierDependencies } from '#connectors/registry';
import { policyFor } from '#connectors/policy';

const example = JSON.parse(readFileSync('config/example.config.json', 'utf8')) as { connectors: Array<Record<string, unknown>> };
const withConnector = (connector: Record<string, unknown>) => ({ ...example, connectors: [...example.connectors.filter((c) => c.kind !== 'postgres'), connector] });
const base = { id: 'product-db', kind: 'postgres', displayName: 'Product database', credentials: 'product-db' };

describe('a postgres connector in the configuration', () => {
  it('reads its dataset from the file it names and makes each table an object with its category, origins and erasure', () => {
    const config = parseConfig(withConnector({ ...base, dataset: 'config/datasets/product.json' }));
    const c = config.connectors.find((x) => x.id === 'product-db')!;
    if (c.kind !== 'postgres') throw new Error('not postgres');
    expect(c.dataset.tables.map((t) => t.name)).toContain('call_records');
    expect(c.batchSize).toBe(500);
    expect(c.objects.support_tickets).toMatchObject({ category: 'user.content', erasure: { action: 'anonymize', fields: { requester_email: 'hash', body: 'redact' } } });
    // The dataset gives the reasons per language; the connector records the English one for staff.
    expect(c.objects.audit_log!.erasure).toMatchObject({ action: 'retain', retentionPeriod: { en: '1 year', nb: 'Ett år' } });
    expect(policyFor(c)('audit_log')).toMatchObject({ action: 'retain', retentionPeriod: '1 year' });
  });

  it('lets an objects entry of the configuration win over the dataset', () => {
    const config = parseConfig(withConnector({ ...base, dataset: 'config/datasets/product.json', objects: { accounts: { category: 'Account' } } }));
    const accounts = config.connectors.find((x) => x.id === 'product-db')!.objects.accounts!;
    expect(accounts.category).toBe('Account');
    expect(accounts.erasure).toEqual({ action: 'delete' });
  });

  it('refuses an erasure policy in objects, since the dataset is where erasure is declared', () => {
    const objects = { accounts: { category: 'Account', erasure: { action: 'retain', legalBasis: 'x', retentionPeriod: '1 year' } } };
    expect(() => parseConfig(withConnector({ ...base, dataset: 'config/datasets/product.json', objects }))).toThrow(/objects\.accounts\.erasure: declare erasure in the dataset/);
  });

  it('parses its own output again, as the functions do with the configuration the stack bundles', () => {
    const once = parseConfig(withConnector({ ...base, dataset: 'config/datasets/product.json' }));
    expect(parseConfig(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('names the connector and the file when the dataset cannot be read', () => {
    expect(() => parseConfig(withConnector({ ...base, dataset: 'config/datasets/missing.json' }))).toThrow(ConfigError);
    expect(() => parseConfig(withConnector({ ...base, dataset: 'config/datasets/missing.json' }))).toThrow(/"product-db".*missing\.json/);
  });

  it('refuses an invalid inline dataset with the path of the problem', () => {
    expect(() => parseConfig(withConnector({ ...base, dataset: { name: 'x', tables: [] } }))).toThrow(/connectors\.\d+\.dataset\.tables/);
  });

  it('has an identity another connector resolves resolved before an erasure', () => {
    const dataset = { name: 'x', tables: [{ name: 'events', category: 'user.behavior', fields: [{ name: 'id' }, { name: 'user_id', identity: { from: 'connector', connectorId: 'accounts', attribute: 'accountId' } }] }] };
    expect(identifierDependencies(parseConfig(withConnector({ ...base, dataset })))).toContainEqual({ connectorId: 'accounts', attribute: 'accountId' });
  });
});

describe('labels for a postgres connector in the configuration', () => {
  it("keeps the dataset's origins for an objects entry that gives only the category, a label and field labels", () => {
    const objects = { call_records: { category: 'user.behavior', label: { en: 'Call records', nb: 'Samtaleoppføringer' }, fields: { device: { label: 'Device' } } } };
    const config = parseConfig(withConnector({ ...base, dataset: 'config/datasets/product.json', objects }));
    const calls = config.connectors.find((x) => x.id === 'product-db')!.objects.call_records!;
    expect(calls).toMatchObject({ origin: 'observed', label: { nb: 'Samtaleoppføringer' }, fields: { device: { label: 'Device' } } });
    const accounts = parseConfig(withConnector({ ...base, dataset: 'config/datasets/product.json', objects: { accounts: { category: 'user.account', label: 'Account' } } }));
    expect(accounts.connectors.find((x) => x.id === 'product-db')!.objects.accounts!.fieldOrigins).toEqual({ created_at: 'observed' });
  });

  it('lets an entry that names an origin override the dataset, as before', () => {
    const config = parseConfig(withConnector({ ...base, dataset: 'config/datasets/product.json', objects: { call_records: { category: 'user.behavior', origin: 'provided' } } }));
    expect(config.connectors.find((x) => x.id === 'product-db')!.objects.call_records!.origin).toBe('provided');
  });
});
