import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DsarConfig } from '#commons/config';
import { ConnectorRegistry, identifierDependencies, resolveIdentifiers } from '#connectors/registry';
import type { Connector, ConnectorContext, DataRecord, Subject } from '#connectors/types';
import { exampleConfig } from '../../support/in-memory-context.ts';

const subject: Subject = { email: 'Alice@Example.com', normalizedEmail: 'alice@example.com' };
const noCredentials = async (): Promise<Record<string, string>> => ({});

let reads: Array<{ subject: Subject; requestId: string }>;
let accountRecords: DataRecord[];
let failReads: number;

/** A real registry whose account store is a fake connector reading `accountRecords`. */
function registryWithFakeAccounts(config: DsarConfig = exampleConfig()): ConnectorRegistry {
  const registry = new ConnectorRegistry(config, noCredentials);
  const accounts = {
    id: 'accounts',
    async *access(s: Subject, c: ConnectorContext) {
      reads.push({ subject: s, requestId: c.requestId });
      if (failReads > 0) {
        failReads--;
        throw new Error('table unavailable');
      }
      yield* accountRecords;
    },
    async erase() {
      throw new Error('not used');
    },
  } as unknown as Connector;
  vi.spyOn(registry, 'get').mockImplementation((id) => {
    if (id !== 'accounts') throw new Error(`unexpected connector ${id}`);
    return accounts;
  });
  return registry;
}

beforeEach(() => {
  reads = [];
  failReads = 0;
  accountRecords = [
    { object: 'account', id: '1', data: { accountId: 'acc-1', gaUserId: 'ga-1' } },
    { object: 'account', id: '2', data: { accountId: 'acc-2', gaUserId: 'ga-1' } },
    { object: 'account', id: '3', data: { accountId: '', gaUserId: 42 } },
  ];
});

describe('identifierDependencies', () => {
  it('finds the ids the example’s call history and Google Analytics (user id and client id) take from the account store', () => {
    expect(identifierDependencies(exampleConfig())).toEqual([
      { connectorId: 'accounts', attribute: 'accountId' },
      { connectorId: 'accounts', attribute: 'gaUserId' },
      { connectorId: 'accounts', attribute: 'gaClientId' },
    ]);
  });

  it('ignores disabled connectors', () => {
    const config = exampleConfig();
    config.connectors.find((c) => c.id === 'calls')!.enabled = false;

    expect(identifierDependencies(config)).toEqual([
      { connectorId: 'accounts', attribute: 'gaUserId' },
      { connectorId: 'accounts', attribute: 'gaClientId' },
    ]);
  });

  it('lists an identifier two connectors need once', () => {
    const config = exampleConfig();
    const calls = config.connectors.find((c) => c.id === 'calls')!;
    config.connectors.push({ ...calls, id: 'recordings' });

    expect(identifierDependencies(config)).toHaveLength(3);
  });
});

describe('resolveIdentifiers', () => {
  it('asks the registry for each dependency and returns them as the subject keeps them', async () => {
    const identifier = vi.fn(async (_s: Subject, connectorId: string, attribute: string) => [`${connectorId}.${attribute}`]);
    const registry = { identifier } as unknown as ConnectorRegistry;

    const out = await resolveIdentifiers(registry, exampleConfig(), subject, { requestId: 'dsar_r1' });

    expect(out).toEqual({ accounts: { accountId: ['accounts.accountId'], gaUserId: ['accounts.gaUserId'], gaClientId: ['accounts.gaClientId'] } });
    expect(identifier).toHaveBeenCalledWith(subject, 'accounts', 'accountId', { requestId: 'dsar_r1' });
  });

  it('resolves to nothing when no connector depends on another', async () => {
    const config = exampleConfig();
    config.connectors = config.connectors.filter((c) => c.id !== 'calls' && c.id !== 'google-analytics');

    const out = await resolveIdentifiers(registryWithFakeAccounts(config), config, subject, { requestId: 'dsar_r1' });

    expect(out).toEqual({});
    expect(reads).toHaveLength(0);
  });

  it('reads the distinct non-empty string values from the real registry’s source connector', async () => {
    const registry = registryWithFakeAccounts();

    const out = await resolveIdentifiers(registry, exampleConfig(), subject, { requestId: 'dsar_r1' });

    expect(out).toEqual({ accounts: { accountId: ['acc-1', 'acc-2'], gaUserId: ['ga-1'], gaClientId: [] } });
  });
});

describe('ConnectorRegistry.identifier', () => {
  it('uses identifiers the subject already carries without reading the source system', async () => {
    const registry = registryWithFakeAccounts();
    const known: Subject = { ...subject, identifiers: { accounts: { accountId: ['acc-kept'] } } };

    const values = await registry.identifier(known, 'accounts', 'accountId', { requestId: 'dsar_r1' });

    expect(values).toEqual(['acc-kept']);
    expect(reads).toHaveLength(0);
  });

  it('reads the source system for an attribute the carried identifiers lack', async () => {
    const registry = registryWithFakeAccounts();
    const known: Subject = { ...subject, identifiers: { accounts: { accountId: ['acc-kept'] } } };

    const values = await registry.identifier(known, 'accounts', 'gaUserId', { requestId: 'dsar_r1' });

    expect(values).toEqual(['ga-1']);
    expect(reads).toHaveLength(1);
  });

  it('looks an identifier up once per request', async () => {
    const registry = registryWithFakeAccounts();

    const [a, b] = await Promise.all([
      registry.identifier(subject, 'accounts', 'accountId', { requestId: 'dsar_r1' }),
      registry.identifier(subject, 'accounts', 'accountId', { requestId: 'dsar_r1' }),
    ]);
    const c = await registry.identifier(subject, 'accounts', 'accountId', { requestId: 'dsar_r1' });

    expect(a).toEqual(['acc-1', 'acc-2']);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(reads).toHaveLength(1);
  });

  it('looks it up again for another request, which sees the system as it is then', async () => {
    const registry = registryWithFakeAccounts();
    await registry.identifier(subject, 'accounts', 'accountId', { requestId: 'dsar_r1' });
    accountRecords = [];

    const values = await registry.identifier(subject, 'accounts', 'accountId', { requestId: 'dsar_r2' });

    expect(values).toEqual([]);
    expect(reads.map((r) => r.requestId)).toEqual(['dsar_r1', 'dsar_r2']);
  });

  it('does not keep a failed lookup: the next call reads again', async () => {
    const registry = registryWithFakeAccounts();
    failReads = 1;
    await expect(registry.identifier(subject, 'accounts', 'accountId', { requestId: 'dsar_r1' })).rejects.toThrow('table unavailable');

    const values = await registry.identifier(subject, 'accounts', 'accountId', { requestId: 'dsar_r1' });

    expect(values).toEqual(['acc-1', 'acc-2']);
    expect(reads).toHaveLength(2);
  });
});
