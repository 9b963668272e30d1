/**
 * Escalation benchmark: an in-memory dynalite holding 100,000 open requests (1% due within the next
 * week, the rest spread over the following 12 weeks; one in ten under CCPA, with its acknowledgement
 * audited, so none is in the ack-pending index), then one escalation run with a mailer that only
 * counts. It prints how many items the queries read against how many requests were due, beside the
 * target (items read / items due <= 1.1), and the wall time. Nothing is asserted: timings depend on the
 * machine.
 *
 *   npx tsx bench/escalation.ts [requests]     (default 100,000)
 */
import type { AddressInfo, Server } from 'node:net';
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// @ts-expect-error untyped package
import dynalite from 'dynalite';
import { parseConfig } from '#commons/config';
import { readFileSync } from 'node:fs';
import { addCalendarDays } from '../functions/domain/deadlines/calendar.ts';
import { escalate } from '../functions/domain/escalation/index.ts';
import { RequestRepository } from '../functions/domain/requests/repository.ts';
import { DynamoSuppressionList } from '../functions/domain/suppression/list.ts';
import { keys } from '../functions/domain/requests/model.ts';
import type { AppContext } from '../functions/domain/context.ts';
import type { Mailer } from '../functions/domain/notifications/mailer.ts';
import { ensureTable, requestTableDefinition } from '../infra/local/seed.ts';

const TOTAL = Number(process.argv[2] ?? 100_000);
const TABLE = 'bench-requests';
const TODAY = '2026-03-02';
const NOW = new Date(`${TODAY}T11:00:00Z`);

// Without a path dynalite keeps the table in memory: the figures are the job's, not the disk's.
const server: Server = dynalite({ createTableMs: 0 });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const raw = new DynamoDBClient({ endpoint: url, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 10 });
const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
await ensureTable(raw, requestTableDefinition(TABLE));
await waitUntilTableExists({ client: raw, maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 }, { TableName: TABLE });

/** Deterministic: request i is due soon when i % 100 === 0. */
function item(i: number): Record<string, unknown>[] {
  const id = `dsar_bench${i.toString(36).padStart(8, '0')}`;
  const soon = i % 100 === 0;
  const dueDate = addCalendarDays(TODAY, soon ? (i / 100) % 8 : 8 + ((i * 7919) % 84));
  const ccpa = i % 10 === 3;
  const receivedDate = addCalendarDays(dueDate, ccpa ? -45 : -30);
  const request = {
    ...keys.request(id),
    requestId: id,
    type: 'access',
    status: 'in_progress',
    subject: { email: `person${i}@example.test`, normalizedEmail: `person${i}@example.test` },
    subjectHash: `h${i}`,
    jurisdiction: ccpa ? 'CCPA' : 'GDPR',
    country: ccpa ? 'US' : 'NO',
    receivedAt: `${receivedDate}T10:00:00Z`,
    receivedDate,
    dueDate,
    extendedDueDate: addCalendarDays(receivedDate, 90),
    acknowledgeBy: ccpa ? addCalendarDays(receivedDate, 14) : null,
    statusTokenHash: 'x',
    // The receipt step stamps this when the acknowledgement has gone out.
    acknowledgedAt: `${receivedDate}T10:00:01Z`,
    openPk: 'OPEN',
    openSk: `${dueDate}#${id}`,
    createdAt: `${receivedDate}T10:00:00Z`,
    updatedAt: `${receivedDate}T10:00:00Z`,
  };
  if (!ccpa) return [request];
  const acknowledged = { pk: request.pk, sk: `EVT#${receivedDate}T10:00:01.000Z#0000`, requestId: id, at: `${receivedDate}T10:00:01Z`, actor: 'system', action: 'request.acknowledged' };
  return [request, acknowledged];
}

const seedStart = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      let requests: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
      batch = [];
      while (requests.length) {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests as never } }));
        requests = (out.UnprocessedItems?.[TABLE] ?? []) as Record<string, unknown>[];
      }
    };
    while (next < TOTAL) {
      for (const it of item(next++)) {
        batch.push(it);
        if (batch.length === 25) await flush();
      }
    }
    if (batch.length) await flush();
  }),
);
const seedMs = performance.now() - seedStart;

let mails = 0;
const mailer: Mailer = { send: async () => `m${++mails}` };
const config = parseConfig(JSON.parse(readFileSync(new URL('../config/example.config.json', import.meta.url), 'utf8')));
const unused = () => {
  throw new Error('unused');
};
const ctx: AppContext = {
  config,
  repo: new RequestRepository(db, TABLE),
  suppressions: new DynamoSuppressionList(db, TABLE),
  mailer,
  sfn: undefined as never,
  s3: undefined as never,
  clock: { now: () => NOW },
  stateMachineArn: unused,
  stagingBucket: unused,
  exportsBucket: unused,
};

const dueSoon = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 100 === 0).length;
const t0 = performance.now();
const first = await escalate(ctx, { now: NOW, access: { db, table: TABLE } });
const firstMs = performance.now() - t0;
const t1 = performance.now();
const second = await escalate(ctx, { now: new Date(NOW.getTime() + 3_600_000), access: { db, table: TABLE } });
const secondMs = performance.now() - t1;

const row = (label: string, value: string | number) => console.log(`| ${label.padEnd(48)} | ${String(value).padStart(12)} |`);
console.log(`\nEscalation over ${TOTAL.toLocaleString('en')} open requests (seeded in ${(seedMs / 1000).toFixed(1)} s)\n`);
console.log(`| ${'figure'.padEnd(48)} | ${'value'.padStart(12)} |\n|${'-'.repeat(50)}|${'-'.repeat(14)}|`);
row('open requests in the table', TOTAL);
row('due within 7 days (seeded)', dueSoon);
const RANGE_NAMES = ['due window (open-by-due)', 'acknowledgements owed (ack-pending)', 'follow-up tasks due (TODO-DUE)'];
for (const [i, r] of first.reads.entries()) row(`items read, ${RANGE_NAMES[i] ?? r.range}`, r.itemsRead);
row('items read, total (ScannedCount)', first.itemsRead);
row('items returned (Count)', first.itemsReturned);
row('items read / items due (target <= 1.1)', (first.itemsRead / dueSoon).toFixed(2));
row('thresholds fired', first.fired);
row('digest emails sent', first.digests.length);
row('wall time, first run (ms)', firstMs.toFixed(0));
row('second run: thresholds fired', second.fired);
row('second run: wall time (ms)', secondMs.toFixed(0));
console.log(`\nmails counted: ${mails}`);

raw.destroy();
await new Promise<void>((r) => server.close(() => r()));
