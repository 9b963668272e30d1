/**
 * The request table's index projections (infra/table.ts) carry what their readers read: every reader of
 * an index runs on dynalite twice, over the table as defined and over a copy whose indexes carry every
 * attribute, on the same requests; the answers must be the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { subjectHash } from '#commons/tokens';
import type { AppContext } from '#domain/context';
import { escalate } from '#domain/escalation/index';
import { backfillLedger, readLedger } from '#domain/metrics/ledger';
import { listQueue, subjectHistory } from '#domain/requests/queries';
import { sweepSubjectRetention } from '#domain/retention/subjects';
import { keys, type RequestRecord } from '#domain/requests/model';
import { RequestRepository } from '#domain/requests/repository';
import { DynamoSuppressionList } from '#domain/suppression/list';
import { startDynamoDb, type Emulator } from '../../infra/local/emulators.ts';
import { ensureTable, requestTableDefinition } from '../../infra/local/seed.ts';
import { TABLE_INDEXES, projectionOf } from '../../infra/table.ts';
import { RecordingMailer, requestRecord, testConfig } from '../support/dynalite-harness.ts';

interface Side {
  table: string;
  db: DynamoDBDocumentClient;
  ctx: AppContext;
  mailer: RecordingMailer;
}

let emulator: Emulator;
let dir: string;
let raw: DynamoDBClient;
let projected: Side;
let everything: Side;
const NOW = new Date('2026-03-20T09:00:00Z');
/** Every seeded request is the same subject's, hashed as intake hashes the address. */
const SUBJECT = subjectHash('subject@example.test');

async function side(table: string, allAttributes: boolean): Promise<Side> {
  const definition = requestTableDefinition(table);
  if (allAttributes) definition.GlobalSecondaryIndexes = definition.GlobalSecondaryIndexes!.map((i) => ({ ...i, Projection: { ProjectionType: 'ALL' } }));
  await ensureTable(raw, definition);
  await waitUntilTableExists({ client: raw, maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 }, { TableName: table });
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const mailer = new RecordingMailer();
  const unused = () => {
    throw new Error('not used here');
  };
  const ctx = {
    config: testConfig({ email: { from: 'privacy@example-video.test', staff: ['privacy-team@example-video.test'], publicBaseUrl: 'https://privacy.example-video.test', consoleBaseUrl: 'https://console.example-video.test' } }),
    repo: new RequestRepository(db, table),
    mailer,
    sfn: undefined as never,
    s3: undefined as never,
    clock: { now: () => NOW },
    stateMachineArn: unused,
    stagingBucket: unused,
    exportsBucket: unused,
    suppressions: new DynamoSuppressionList(db, table),
  } satisfies AppContext;
  return { table, db, ctx, mailer };
}

/** The same requests on both sides, written through the repository as the workflow writes them. */
async function seed(s: Side): Promise<void> {
  const open = (id: string, extra: Omit<Parameters<typeof requestRecord>[0], 'receivedAt'>) => requestRecord({ id, receivedAt: '2026-02-20T10:00:00Z', ...extra });
  const records: RequestRecord[] = [
    open('dsar_proj00000001', { status: 'awaiting_review', dueDate: '2026-03-21' }),
    open('dsar_proj00000002', { status: 'in_progress', type: 'erasure', dueDate: '2026-03-22', assignee: 'kari@example-video.test' }),
    open('dsar_proj00000003', { status: 'in_progress', jurisdiction: 'CCPA', country: 'US', dueDate: '2026-03-10' }),
    open('dsar_proj00000004', { status: 'awaiting_verification', dueDate: '2026-04-15' }),
    open('dsar_proj00000005', { status: 'awaiting_review', type: 'erasure', dueDate: '2026-03-19' }),
  ];
  for (const r of records) await s.ctx.repo.create({ ...r, subjectHash: SUBJECT, locale: 'nb', verification: { codeHash: 'h', codesSent: 1, attempts: 0, expiresAt: '2026-02-21T10:00:00Z', sentAt: '2026-02-20T10:00:00Z' } });
  // Hot attributes rewritten after the index entries were made: the full read must see them.
  await s.ctx.repo.update('dsar_proj00000001', { updatedAt: NOW.toISOString(), connectors: { accounts: { connectorId: 'accounts', status: 'succeeded', records: 3, objects: { account: 3 }, stagingKeys: {}, attempts: 1 } } });
  await s.ctx.repo.update('dsar_proj00000002', { updatedAt: NOW.toISOString(), pause: { since: '2026-03-01', at: '2026-03-01T10:00:00Z', by: 'kari@example-video.test', reason: 'asked for more' } });
  // Closed requests: the closed list and, past their retention, the retention sweep.
  const closed = (id: string, extra: Partial<RequestRecord>): RequestRecord => {
    const base = requestRecord({ id, receivedAt: '2025-01-10T10:00:00Z', status: 'completed', closedAt: '2025-02-01T10:00:00Z' });
    return { ...base, subjectHash: SUBJECT, purgePk: 'PURGE', purgeAfter: '2026-02-01T10:00:00.000Z', ...extra } as RequestRecord;
  };
  await s.ctx.repo.create(closed('dsar_proj00000006', { identifiers: { accounts: { id: ['acc-1'] } }, subjectMessages: false } as Partial<RequestRecord>));
  await s.ctx.repo.create(
    closed('dsar_proj00000007', {
      status: 'denied',
      type: 'erasure',
      assignee: 'kari@example-video.test',
      purgeAfter: '2027-02-01T10:00:00.000Z',
      agent: { name: 'Agent Smith', email: 'agent@example.test', relationship: 'authorised_agent', permission: { key: 'k', contentType: 'application/pdf', bytes: 1, sha256: 'x' } },
    }),
  );
  await s.ctx.repo.create(closed('dsar_proj00000008', { todosOpen: new Set(['001']) } as Partial<RequestRecord>));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dsar-projections-'));
  emulator = await startDynamoDb('127.0.0.1', 0, dir);
  raw = new DynamoDBClient({ endpoint: emulator.url, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  projected = await side('projected', false);
  everything = await side('everything', true);
  await seed(projected);
  await seed(everything);
});

afterAll(async () => {
  raw?.destroy();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a reader on both sides and gives both answers. */
async function both<T>(read: (s: Side) => Promise<T>): Promise<[T, T]> {
  return [await read(projected), await read(everything)];
}

describe('the request table’s indexes', () => {
  it('each declare a projection narrower than every attribute, the same in CloudFormation and locally', () => {
    const local = requestTableDefinition('t').GlobalSecondaryIndexes!;
    for (const index of TABLE_INDEXES) {
      expect(projectionOf(index).ProjectionType, index.indexName).not.toBe('ALL');
      expect(local.find((i) => i.IndexName === index.indexName)!.Projection).toEqual(projectionOf(index));
    }
  });

  it('carry no attribute that is rewritten on every change of a request', () => {
    for (const index of TABLE_INDEXES) {
      for (const hot of ['updatedAt', 'connectors', 'transition', 'verification', 'package', 'closing']) expect(index.include ?? [], `${index.indexName} carries ${hot}`).not.toContain(hot);
    }
  });

  it('answer the staff queue, filtered and not, as an index with every attribute would', async () => {
    const queries = [{}, { status: 'awaiting_review' as const }, { type: 'erasure' as const }, { assignee: 'kari@example-video.test' }, { jurisdiction: 'CCPA' as const }, { overdue: true }, { limit: 2 }];
    for (const q of queries) {
      const [a, b] = await both((s) => listQueue(s.ctx, q));
      expect(a, JSON.stringify(q)).toEqual(b);
      expect(a.items.length, JSON.stringify(q)).toBeGreaterThan(0);
    }
    const [page] = await both((s) => listQueue(s.ctx, {}));
    // In full: the hot attributes written after the entry was made, and the subject.
    expect(page.items.find((r) => r.requestId === 'dsar_proj00000001')).toMatchObject({ connectors: { accounts: { records: 3 } }, subject: { email: 'subject@example.test' } });
  });

  it('answer the closed list and the search by address as an index with every attribute would', async () => {
    for (const q of [{ state: 'closed' as const }, { state: 'closed' as const, type: 'erasure' as const }, { status: 'denied' as const }, { email: 'subject@example.test' }]) {
      const [a, b] = await both((s) => listQueue(s.ctx, q));
      expect(a, JSON.stringify(q)).toEqual(b);
    }
    const [found] = await both((s) => listQueue(s.ctx, { email: 'subject@example.test' }));
    expect(found.items).toHaveLength(8);
    const [a, b] = await both((s) => subjectHistory(s.ctx, 'dsar_proj00000001'));
    expect(a).toEqual(b);
    expect(a.items).toHaveLength(8);
  });

  it('give the escalation job what it decides and writes from', async () => {
    const [a, b] = await both((s) => escalate(s.ctx, { now: NOW, access: { db: s.db, table: s.table } }));
    expect({ ...a, digests: a.digests.length }).toEqual({ ...b, digests: b.digests.length });
    expect(a.fired).toBeGreaterThan(0);
    expect(projected.mailer.sent.map((m) => [m.to, m.email.subject, m.email.text])).toEqual(everything.mailer.sent.map((m) => [m.to, m.email.subject, m.email.text]));
  });

  it('give the retention sweep what it hashes and what tells it to wait', async () => {
    const [a, b] = await both((s) => sweepSubjectRetention(s.db, s.table, NOW));
    expect(a).toEqual(b);
    expect(a.purged).toBe(1);
    // Salts are random: compare what was hashed, removed and kept, not the hashes.
    const shape = (r: Record<string, unknown>) => JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === 'string' && /^[0-9a-f]{32,}$/.test(v) ? '<hash>' : v)));
    for (const id of ['dsar_proj00000006', 'dsar_proj00000007', 'dsar_proj00000008']) {
      const [x, y] = await both(async (s) => (await s.db.send(new GetCommand({ TableName: s.table, Key: keys.request(id), ConsistentRead: true }))).Item!);
      expect(shape(x), id).toEqual(shape(y));
    }
  });

  it('give the metrics ledger’s backfill every request of the year in full', async () => {
    const [a, b] = await both(async (s) => ({ written: await backfillLedger(2026, s), rows: (await readLedger(2026, s)).rows }));
    expect(a).toEqual(b);
    expect(a.written).toBe(5);
  });
});
