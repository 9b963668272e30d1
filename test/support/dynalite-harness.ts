/**
 * A real dynalite with the request table, a context over it with a recording mailer and a settable
 * clock, and a factory for request records with the engine's own deadlines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseConfig, type DsarConfig, type Jurisdiction, type RequestType } from '#commons/config';
import { computeDeadlines } from '../../functions/domain/deadlines/compute.ts';
import type { AppContext } from '../../functions/domain/context.ts';
import type { Mailer } from '../../functions/domain/notifications/mailer.ts';
import type { Email } from '../../functions/domain/notifications/compose.ts';
import { ackPendingKeys, keys, type RequestRecord, type RequestStatus, CLOSED_STATUSES } from '../../functions/domain/requests/model.ts';
import { RequestRepository } from '../../functions/domain/requests/repository.ts';
import { DynamoSuppressionList } from '../../functions/domain/suppression/list.ts';
import type { TableAccess } from '../../functions/domain/requests/table.ts';
import { startDynamoDb, type Emulator } from '../../infra/local/emulators.ts';
import { ensureTable, requestTableDefinition } from '../../infra/local/seed.ts';

export const TABLE = 'dsar-requests-test';

export function testConfig(overrides: Record<string, unknown> = {}): DsarConfig {
  return parseConfig({
    organisation: {
      name: 'Example Video AS',
      address: 'Eksempelgata 1, 0150 Oslo, Norway',
      country: 'NO',
      timezone: 'Europe/Oslo',
      dpo: { name: 'Data Protection Officer', email: 'dpo@example-video.test' },
      privacyNoticeUrl: 'https://example-video.test/privacy',
    },
    supervisoryAuthority: { name: 'Datatilsynet', address: 'PO Box 8177, 0034 Oslo, Norway', url: 'https://www.datatilsynet.no/' },
    privacyNotice: {
      purposes: ['Operating the service'],
      categories: ['Contact details'],
      recipients: [],
      retention: ['Two years.'],
      sources: ['You.'],
      transfers: 'None.',
      automatedDecisions: 'None.',
      rights: 'Write to us.',
    },
    jurisdictions: { default: 'GDPR', defaultCountry: 'NO' },
    email: {
      from: 'privacy@example-video.test',
      staff: ['privacy-team@example-video.test', 'second@example-video.test'],
      publicBaseUrl: 'https://privacy.example-video.test',
      consoleBaseUrl: 'https://console.example-video.test',
    },
    connectors: [
      { id: 'accounts', kind: 'dynamodb', displayName: 'Accounts', tableName: 'accounts', objectName: 'account', lookup: { partitionKey: 'email' }, keyAttributes: ['id'] },
    ],
    ...overrides,
  });
}

export interface SentMail {
  to: string[];
  email: Email;
}

export class RecordingMailer implements Mailer {
  sent: SentMail[] = [];
  failFor = new Set<string>();
  async send(to: string | string[], email: Email): Promise<string | undefined> {
    const list = Array.isArray(to) ? to : [to];
    if (list.some((t) => this.failFor.has(t))) throw new Error('mail server said no');
    this.sent.push({ to: list, email });
    return `msg-${this.sent.length}`;
  }
}

export interface Harness {
  emulator: Emulator;
  access: TableAccess;
  ctx: AppContext;
  mailer: RecordingMailer;
  clock: { at: Date; now(): Date };
  close(): Promise<void>;
}

export async function startHarness(config: DsarConfig = testConfig()): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'dsar-domain-'));
  const emulator = await startDynamoDb('127.0.0.1', 0, dir);
  const raw = new DynamoDBClient({ endpoint: emulator.url, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await ensureTable(raw, requestTableDefinition(TABLE));
  // dynalite makes a table ACTIVE on the next tick, not within CreateTable.
  await waitUntilTableExists({ client: raw, maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 }, { TableName: TABLE });
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const mailer = new RecordingMailer();
  const clock = { at: new Date('2026-01-01T12:00:00Z'), now() { return this.at; } };
  const unused = () => {
    throw new Error('not used in these tests');
  };
  const ctx = {
    config,
    repo: new RequestRepository(db, TABLE),
    mailer,
    sfn: undefined as never,
    s3: undefined as never,
    clock,
    stateMachineArn: unused,
    stagingBucket: unused,
    exportsBucket: unused,
    suppressions: new DynamoSuppressionList(db, TABLE),
  } satisfies AppContext;
  return {
    emulator,
    access: { db, table: TABLE },
    ctx,
    mailer,
    clock,
    close: async () => {
      raw.destroy();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let seq = 0;

/** What a handler module reads from the environment to reach this harness's table (set before importing it). */
export function handlerEnvironment(h: Harness): Record<string, string> {
  return { DSAR_CONFIG: JSON.stringify(testConfig()), DSAR_TABLE: TABLE, AWS_ENDPOINT_URL_DYNAMODB: h.emulator.url };
}

export interface RequestSeed {
  id?: string;
  type?: RequestType;
  status?: RequestStatus;
  jurisdiction?: Jurisdiction;
  country?: string;
  receivedAt: string;
  assignee?: string;
  closedAt?: string;
  decision?: RequestRecord['decision'];
  /** Overrides the computed due date (and the queue key with it). */
  dueDate?: string;
}

/** A request record as intake would store it, with the engine's deadlines. */
export function requestRecord(seed: RequestSeed): RequestRecord {
  const id = seed.id ?? `dsar_test${String(++seq).padStart(8, '0')}`;
  const jurisdiction = seed.jurisdiction ?? 'GDPR';
  const d = computeDeadlines({ jurisdiction, country: seed.country ?? (jurisdiction === 'GDPR' ? 'NO' : undefined), receivedAt: seed.receivedAt });
  const status = seed.status ?? 'in_progress';
  const dueDate = seed.dueDate ?? d.dueDate;
  const open = !CLOSED_STATUSES.has(status);
  return {
    ...keys.request(id),
    requestId: id,
    type: seed.type ?? 'access',
    status,
    subject: { email: 'subject@example.test', normalizedEmail: 'subject@example.test', name: 'Sam Subject' },
    subjectHash: `hash-${id}`,
    jurisdiction,
    country: d.country,
    receivedAt: seed.receivedAt,
    receivedDate: d.receivedDate,
    receivedYear: d.receivedDate.slice(0, 4),
    dueDate,
    extendedDueDate: d.extendedDueDate,
    acknowledgeBy: d.acknowledgeBy,
    statusTokenHash: 'x',
    ...(open ? { openPk: 'OPEN' as const, openSk: `${dueDate}#${id}`, queueStatus: status } : {}),
    ...(open && d.acknowledgeBy ? ackPendingKeys(d.acknowledgeBy, id) : {}),
    ...(seed.assignee ? { assignee: seed.assignee } : {}),
    ...(seed.closedAt ? { closedAt: seed.closedAt } : {}),
    ...(seed.decision ? { decision: seed.decision } : {}),
    createdAt: seed.receivedAt,
    updatedAt: seed.receivedAt,
  };
}

export async function putRequest(h: Harness, seed: RequestSeed, acknowledged = true): Promise<RequestRecord> {
  // The receipt step stamps acknowledgedAt (and audits it) once the acknowledgement has gone out.
  const { ackPk, ackSk, ...rest } = requestRecord(seed);
  // As the receipt step leaves it: acknowledged requests are out of the ack-pending index.
  const r: RequestRecord = acknowledged ? { ...rest, acknowledgedAt: seed.receivedAt } : { ...rest, ...(ackPk ? { ackPk, ackSk } : {}) };
  await h.ctx.repo.create(r);
  if (acknowledged) await h.ctx.repo.audit(r.requestId, 'system', 'request.acknowledged', { dueDate: r.dueDate }, new Date(seed.receivedAt));
  return r;
}
