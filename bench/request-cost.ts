/**
 * What one access request with five connectors costs on AWS (issue 7, docs/cost.md).
 *
 * The real embedded runtime (ephemeral ports, temp data folder, crowd of 200) runs with five of the six
 * example connectors (HubSpot disabled by a configuration override). One warm-up request (bob) loads
 * every function; then one access request (alice) runs end to end while counters are on: filed,
 * verified with the mailed code, looked at once by staff, approved, released by staff (access packages
 * wait for release by default), and downloaded by the subject. The
 * script counts, for that request only:
 *
 * - state transitions: the `*StateEntered` events of its execution (GetExecutionHistory through
 *   @aws-sdk/client-sfn at runtime.endpoints.stepfunctions); AWS bills Standard workflows per state entered;
 * - Lambda invocations: the workflow's `TaskScheduled` events (one per Task state run, including the
 *   `.waitForTaskToken` ones, which invoke await-task), each mapped to its function through the ASL's
 *   placeholder, plus one per API call made (each route is one function);
 * - Lambda durations: for workflow tasks, TaskStateEntered to TaskStateExited; for `.waitForTaskToken`
 *   tasks (which wait for a person) an assumption, stated in the output; for API functions the HTTP
 *   round trip measured by this script (an upper bound);
 * - DynamoDB: every command through the process-wide document client (`dynamo()`), with
 *   `ReturnConsumedCapacity: TOTAL` added by a middleware so dynalite reports the capacity units;
 *   global secondary index writes are estimated from the item before and after each write;
 * - S3 requests through `s3Client()` by command, plus the subject's presigned download GET;
 * - SES sends through `sesClient()`.
 *
 * The waits use the SES emulator's mail store and the execution history, never the API, so the counts
 * hold the request's own work only. Then it prices the counts (list prices, see docs/cost.md).
 *
 *   npx tsx bench/request-cost.ts
 *
 * Loopback only; stops by itself (every wait has a deadline).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, s3Client, sesClient, sfnClient } from '#commons/clients';
import { logger } from '#commons/observability';
import { FUNCTIONS } from '../infra/functions.ts';
import { ROOT, TABLE } from '../infra/local/runtime.ts';
import { TABLE_INDEXES as INDEXES, projectionOf } from '../infra/table.ts';
import { startTestRuntime, type TestRuntime } from '../test/support/runtime.ts';

const DISABLED = 'hubspot';
const STAFF_MAILBOX = 'privacy-team@example-video.test';
const PRICES = {
  transition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1e6,
  gbSecond: 0.0000133334,
  wru: 0.625 / 1e6,
  rru: 0.125 / 1e6,
  s3ClassA: 0.005 / 1000,
  s3ClassB: 0.0004 / 1000,
  email: 0.1 / 1000,
  apiCall: 1.0 / 1e6,
};

// ---------------------------------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------------------------------

let counting = false;
const ddbOps = new Map<string, { count: number; units: number; table: string }>();
const s3Ops = new Map<string, number>();
const sesOps = new Map<string, number>();
const sfnOps = new Map<string, number>();
let indexWru = 0;
const indexWrites: string[] = [];

const bump = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

const CAPACITY_OPS = new Set(['GetItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand', 'TransactGetItemsCommand']);
const WRITE_OPS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

type Item = Record<string, unknown>;
/** Each written item as last seen (undefined: absent), to tell what a write changed. */
const lastSeen = new Map<string, Item | undefined>();
let raw: DynamoDBDocumentClient | undefined;
/** Table write units by kind of item (the sort key's prefix: META, EVT, MAIL, ...). */
const tableWruByKind = new Map<string, number>();
const tableWritesByKind = new Map<string, number>();
/** Index write units by index. */
const indexWruByIndex = new Map<string, number>();
/** For writes to request items (META): how often each top-level attribute changed, and which changes cost index writes. */
const metaChanges = new Map<string, number>();
const metaWrites: Array<{ changed: string[]; tableWru: number; kb: number; indexWru: number; removed: string }> = [];
/** The attributes the write being estimated asked to remove (a write that changes nothing else still costs). */
let removing = '';

/** DynamoDB's item size, near enough: attribute names plus values as JSON, in whole KB (at least 1). */
const kb = (item: Item) => Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(item), 'utf8') / 1024));

/**
 * What an index holds of an item: undefined when the item lacks the index's keys (sparse), else the table
 * and index keys plus the projected attributes (`include` absent: ALL; empty: KEYS_ONLY).
 */
function indexEntry(index: (typeof INDEXES)[number], item: Item | undefined): Item | undefined {
  if (!item || item[index.partitionKey] === undefined || item[index.sortKey] === undefined) return undefined;
  if (index.include === undefined) return item;
  const attrs = ['pk', 'sk', index.partitionKey, index.sortKey, ...index.include];
  return Object.fromEntries(attrs.filter((a) => item[a] !== undefined).map((a) => [a, item[a]]));
}

async function seeBefore(table: string, key: Item): Promise<void> {
  const id = `${table}\u0000${JSON.stringify(key)}`;
  if (!lastSeen.has(id)) lastSeen.set(id, (await raw!.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item);
}

/** The kind of an item in the one table, from its sort key: `META`, `META#CONN`, `EVT`, `MAIL`, `TASK`, ... */
const kindOf = (key: Item) => (String(key.sk).startsWith('META#CONN#') ? 'META#CONN (connector outcome)' : String(key.sk ?? '?').split('#')[0]!);

/**
 * GSI write units of one table write, from the item before and after it: DynamoDB writes an index only
 * when the item enters or leaves it, its index key changes (a delete and a put), or a projected
 * attribute changes; each such write costs the index entry's size in KB.
 */
async function estimateIndexWrites(table: string, key: Item, tableWru: number): Promise<void> {
  const id = `${table}\u0000${JSON.stringify(key)}`;
  const before = lastSeen.get(id);
  const after = (await raw!.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  lastSeen.set(id, after);
  let units = 0;
  for (const index of INDEXES) {
    const b = indexEntry(index, before);
    const a = indexEntry(index, after);
    let u = 0;
    const sameKey = b && a && b[index.partitionKey] === a[index.partitionKey] && b[index.sortKey] === a[index.sortKey];
    if (!b && a) u = kb(a); // put into the index
    else if (b && !a) u = kb(b); // delete from the index
    else if (b && a && !sameKey) u = kb(b) + kb(a); // delete + put
    else if (b && a && JSON.stringify(b) !== JSON.stringify(a)) u = Math.max(kb(b), kb(a)); // a projected attribute changed
    if (u) {
      indexWru += u;
      units += u;
      indexWrites.push(index.indexName);
      bump(indexWruByIndex, index.indexName, u);
    }
  }
  if (kindOf(key) === 'META') {
    const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
    const changed = before ? [...names].filter((n) => JSON.stringify(before[n]) !== JSON.stringify(after?.[n])).sort() : ['(created)'];
    for (const n of changed) bump(metaChanges, n);
    metaWrites.push({ changed, tableWru, kb: after ? Buffer.byteLength(JSON.stringify(after), 'utf8') / 1024 : 0, indexWru: units, removed: removing });
  }
}

function installCounters(): void {
  raw = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '?';
      if (!counting) return next(args);
      const input = args.input as Item;
      if (CAPACITY_OPS.has(name) && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'TOTAL';
      const isItemWrite = (name === 'PutItemCommand' || name === 'UpdateItemCommand' || name === 'DeleteItemCommand') && input.TableName === TABLE;
      const itemKey = isItemWrite ? (name === 'PutItemCommand' ? { pk: (input.Item as Item).pk, sk: (input.Item as Item).sk } : (input.Key as Item)) : undefined;
      // An item first written now may have existed before counting began: read it as it was.
      if (itemKey) await seeBefore(String(input.TableName), itemKey);
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number; TableName?: string } | Array<{ CapacityUnits?: number; TableName?: string }> }).ConsumedCapacity;
      const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
      const table = String(input.TableName ?? list[0]?.TableName ?? Object.keys((input.RequestItems as Item | undefined) ?? {})[0] ?? '?');
      const units = list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
      const k = `${name} ${table}`;
      const entry = ddbOps.get(k) ?? { count: 0, units: 0, table };
      entry.count++;
      entry.units += units;
      ddbOps.set(k, entry);
      if (WRITE_OPS.has(name) && table === TABLE) {
        const key = name === 'PutItemCommand' ? (input.Item as Item) : (input.Key as Item | undefined);
        const kind = key ? kindOf(key) : name;
        bump(tableWruByKind, kind, units);
        bump(tableWritesByKind, kind);
      }
      if (itemKey && itemKey.pk !== undefined) {
        const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
        const remove = /REMOVE (.*)$/.exec(String(input.UpdateExpression ?? ''))?.[1] ?? '';
        removing = remove ? remove.split(', ').map((n) => names[n.trim()] ?? n.trim()).join(' ') : '';
        await estimateIndexWrites(table, itemKey, units);
      }
      if (name === 'BatchWriteItemCommand' || name === 'TransactWriteItemsCommand') indexWrites.push(`(not estimated: ${name})`);
      return out;
    },
    { step: 'initialize', name: 'benchCountDynamoDb' },
  );
  const simple = (m: Map<string, number>) => (next: (args: any) => Promise<any>, context: { commandName?: string }) => async (args: unknown) => {
    if (counting) bump(m, context.commandName ?? '?');
    return next(args);
  };
  s3Client().middlewareStack.add(simple(s3Ops) as never, { step: 'initialize', name: 'benchCountS3' });
  sesClient().middlewareStack.add(simple(sesOps) as never, { step: 'initialize', name: 'benchCountSes' });
  sfnClient().middlewareStack.add(simple(sfnOps) as never, { step: 'initialize', name: 'benchCountSfn' });
}

// ---------------------------------------------------------------------------------------------------
// One request, end to end, without touching the API for waiting
// ---------------------------------------------------------------------------------------------------

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  return events;
}

interface ApiCall {
  fn: string;
  ms: number;
}

async function accessRequest(rt: TestRuntime, sfn: SFNClient, email: string, name: string): Promise<{ requestId: string; api: ApiCall[]; events: HistoryEvent[]; s3DownloadGets: number }> {
  const api: ApiCall[] = [];
  const timed = async (fn: string, call: () => Promise<{ status: number; body: any; headers: Headers }>) => {
    const t0 = performance.now();
    const res = await call();
    api.push({ fn, ms: performance.now() - t0 });
    if (res.status >= 400) throw new Error(`${fn} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res;
  };
  const filed = await timed('create-request', () => rt.api('POST', '/v1/requests', { body: { type: 'access', email, name } }));
  const requestId = filed.body.requestId as string;
  const executionArn = rt.stateMachineArn.replace(':stateMachine:', ':execution:') + `:${requestId}`;
  const code = await rt.codeFor(requestId, email);
  await timed('verify-request', () => rt.api('POST', `/v1/requests/${requestId}/verify`, { body: { code } }));
  // await-task's last act for a review is the staff mail: after it, the workflow waits for staff.
  await until('the staff review mail', async () => (await rt.mails(STAFF_MAILBOX)).find((m) => m.subject.includes(requestId) && m.subject.includes('review')), 30_000);
  await timed('admin-get-request', () => rt.api('GET', `/v1/admin/requests/${requestId}`, { token: rt.staffToken }));
  await timed('admin-act', () => rt.api('POST', `/v1/admin/requests/${requestId}/approve`, { token: rt.staffToken, body: {} }));
  // Access packages wait for staff release (the default): read the status past the counters, then release.
  await until(
    'the package to await release',
    async () => ((await raw!.send(new GetCommand({ TableName: TABLE, Key: { pk: `REQ#${requestId}`, sk: 'META' }, ConsistentRead: true }))).Item?.status === 'awaiting_release' ? true : undefined),
    120_000,
  );
  await timed('admin-act', () => rt.api('POST', `/v1/admin/requests/${requestId}/release`, { token: rt.staffToken, body: {} }));
  const events = await until(
    'the execution to finish',
    async () => {
      const ev = await history(sfn, executionArn);
      const end = ev.find((e) => /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(e.type ?? ''));
      if (!end) return undefined;
      if (end.type !== 'ExecutionSucceeded') throw new Error(`execution ended ${end.type}`);
      return ev;
    },
    120_000,
  );
  const ready = await until('the download mail', async () => (await rt.mails(email)).find((m) => m.subject.includes('Your data is ready') && m.subject.includes(requestId)), 30_000);
  const link = /(http\S+\/v1\/downloads\/\S+)/.exec(ready.body.text ?? '')?.[1];
  if (!link) throw new Error('no download link in the mail');
  const path = link.slice(rt.apiUrl.length).replace(/[).,]+$/, '');
  const redirect = await timed('download', () => rt.api('GET', path));
  const location = redirect.headers.get('location');
  let s3DownloadGets = 0;
  if (location) {
    const zip = await fetch(location);
    await zip.arrayBuffer();
    if (!zip.ok) throw new Error(`presigned download answered ${zip.status}`);
    s3DownloadGets = 1;
  }
  return { requestId, api, events, s3DownloadGets };
}

// ---------------------------------------------------------------------------------------------------
// Which function each Task state invokes, from the ASL
// ---------------------------------------------------------------------------------------------------

function taskFunctions(): Map<string, { fn: string; memoryMb: number; callback: boolean }> {
  const asl = JSON.parse(readFileSync(join(ROOT, 'statemachines', 'dsar.asl.json'), 'utf8')) as { States: Record<string, any> };
  const byPlaceholder = new Map(FUNCTIONS.filter((f) => f.placeholder).map((f) => [f.placeholder!, f]));
  const out = new Map<string, { fn: string; memoryMb: number; callback: boolean }>();
  const walk = (states: Record<string, any>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task') {
        // WorkWithConnector invokes the function the plan named (FunctionName.$): for an access request, collect.
        const ref = s.Parameters?.['FunctionName.$'] ? '${CollectFunctionArn}' : String(s.Parameters?.FunctionName ?? s.Resource ?? '');
        const spec = byPlaceholder.get(/\$\{(\w+)\}/.exec(ref)?.[1] ?? '');
        if (spec) out.set(name, { fn: spec.id, memoryMb: spec.memoryMb, callback: String(s.Resource).endsWith('.waitForTaskToken') });
      }
      if (s.Type === 'Map') walk((s.ItemProcessor ?? s.Iterator).States);
      if (s.Type === 'Parallel') for (const b of s.Branches) walk(b.States);
    }
  };
  walk(asl.States);
  return out;
}

// ---------------------------------------------------------------------------------------------------

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
const usd = (n: number) => `$${n < 0.01 ? n.toFixed(7) : n.toFixed(4)}`;

async function main(): Promise<void> {
  const rt = await startTestRuntime({
    crowd: 200,
    escalationIntervalMs: 0,
    retentionIntervalMs: 0,
    configOverrides: (c) => ({ ...c, connectors: c.connectors.map((x) => (x.id === DISABLED ? { ...x, enabled: false } : x)) }),
  });
  logger.setLogLevel('WARN'); // the steps' INFO lines would drown the tables
  const watchdog = setTimeout(() => {
    console.error('request-cost benchmark: gave up after 5 minutes');
    process.exit(2);
  }, 300_000);
  watchdog.unref();
  const sfn = new SFNClient({ endpoint: rt.endpoints.stepfunctions, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  try {
    const enabled = rt.config.connectors.filter((c) => c.enabled).map((c) => c.id);
    console.log(`Connectors enabled (${enabled.length}): ${enabled.join(', ')}; ${DISABLED} disabled.`);
    installCounters();
    await accessRequest(rt, sfn, 'bob@example.com', 'Bob Berg'); // warm-up, not counted

    const mailsBefore = (await rt.mails()).length;
    counting = true;
    const run = await accessRequest(rt, sfn, 'alice@example.com', 'Alice Andersen');
    counting = false;
    const emailsCaught = (await rt.mails()).length - mailsBefore;

    // ---- state transitions and workflow invocations ----
    const events = run.events;
    const entered = events.filter((e) => e.type?.endsWith('StateEntered'));
    const byType = new Map<string, number>();
    for (const e of entered) bump(byType, e.type!);
    const tasks = taskFunctions();
    const invocations = new Map<string, { count: number; ms: number; memoryMb: number; assumed: number }>();
    const openSince = new Map<string, number[]>();
    const t = (e: HistoryEvent) => new Date(e.timestamp!).getTime();
    let lastEntered = '';
    for (const e of events) {
      if (e.type === 'TaskStateEntered') {
        lastEntered = e.stateEnteredEventDetails!.name!;
        const list = openSince.get(lastEntered) ?? [];
        list.push(t(e));
        openSince.set(lastEntered, list);
      }
      if (e.type === 'TaskScheduled') {
        const spec = tasks.get(lastEntered);
        const fn = spec?.fn ?? `? (${lastEntered})`;
        const inv = invocations.get(fn) ?? { count: 0, ms: 0, memoryMb: spec?.memoryMb ?? 512, assumed: 0 };
        inv.count++;
        invocations.set(fn, inv);
      }
      if (e.type === 'TaskStateExited') {
        const name = e.stateExitedEventDetails!.name!;
        const spec = tasks.get(name);
        const start = openSince.get(name)?.shift();
        if (spec && !spec.callback && start !== undefined) invocations.get(spec.fn)!.ms += Math.max(1, Math.ceil(t(e) - start));
      }
    }
    // await-task's state lasts until a person acts; its own run is like record-receipt's (read, write, one mail).
    const receipt = invocations.get('record-receipt');
    const assumedAwaitMs = receipt ? Math.ceil(receipt.ms / receipt.count) : 100;
    const awaitTask = invocations.get('await-task');
    if (awaitTask) {
      awaitTask.assumed = awaitTask.count;
      awaitTask.ms = awaitTask.count * assumedAwaitMs;
    }
    const apiSpecs = new Map(FUNCTIONS.map((f) => [f.id, f]));
    const apiInv = new Map<string, { count: number; ms: number; memoryMb: number }>();
    for (const c of run.api) {
      const inv = apiInv.get(c.fn) ?? { count: 0, ms: 0, memoryMb: apiSpecs.get(c.fn)?.memoryMb ?? 512 };
      inv.count++;
      inv.ms += Math.ceil(c.ms);
      apiInv.set(c.fn, inv);
    }

    console.log(`\nAccess request ${run.requestId} (alice), ${enabled.length} connectors.\n`);
    console.log(`State transitions (state-entered events): ${entered.length}`);
    console.log(table(['event', 'count'], [...byType.entries()].map(([k, v]) => [k, String(v)])));

    let gbs = 0;
    let lambdaCalls = 0;
    const lambdaRows: string[][] = [];
    for (const [fn, inv] of [...invocations.entries(), ...apiInv.entries()] as Array<[string, { count: number; ms: number; memoryMb: number; assumed?: number }]>) {
      const g = (inv.ms / 1000) * (inv.memoryMb / 1024);
      gbs += g;
      lambdaCalls += inv.count;
      lambdaRows.push([fn, apiInv.has(fn) && !invocations.has(fn) ? 'API' : 'workflow', String(inv.count), String(inv.memoryMb), `${inv.ms}${inv.assumed ? ' (assumed)' : ''}`, g.toFixed(4)]);
    }
    console.log(`\nLambda invocations: ${lambdaCalls} (workflow: TaskScheduled events; API: one per call made)`);
    console.log(table(['function', 'kind', 'invocations', 'MB', 'billed ms (sum)', 'GB-s'], lambdaRows));
    console.log(`Total GB-s: ${gbs.toFixed(4)}. await-task's run is assumed to last as long as record-receipt's (${assumedAwaitMs} ms); API durations are the HTTP round trips measured here.`);

    // ---- DynamoDB ----
    let wru = 0;
    let rru = 0;
    let writes = 0;
    let reads = 0;
    const ddbRows = [...ddbOps.entries()].sort().map(([k, v]) => {
      const isWrite = WRITE_OPS.has(k.split(' ')[0]!);
      if (isWrite) {
        wru += v.units;
        writes += v.count;
      } else {
        rru += v.units;
        reads += v.count;
      }
      return [k.split(' ')[0]!, v.table, isWrite ? 'write' : 'read', String(v.count), String(v.units)];
    });
    console.log(`\nDynamoDB: ${writes} write requests (${wru} WRU on the tables, plus about ${indexWru} WRU on global secondary indexes), ${reads} read requests (${rru} RRU)`);
    console.log(table(['command', 'table', 'kind', 'requests', 'capacity units (dynalite)'], ddbRows));
    const idx = new Map<string, number>();
    for (const i of indexWrites) bump(idx, i);
    console.log(`Index writes estimated: ${[...idx.entries()].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
    const projectionLabel = (i: (typeof INDEXES)[number]) => {
      const p = projectionOf(i);
      return p.NonKeyAttributes ? `${p.ProjectionType} ${p.NonKeyAttributes.length}` : p.ProjectionType;
    };
    console.log('\nWrite units by where they land (table: dynalite\'s ConsumedCapacity by item kind; indexes: estimated):');
    console.log(
      table(
        ['where', 'WRU', 'writes'],
        [
          ...[...tableWruByKind.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => [`table, ${k} items`, String(v), String(tableWritesByKind.get(k) ?? 0)]),
          ...INDEXES.map((i) => [`index ${i.indexName} (${projectionLabel(i)})`, String(indexWruByIndex.get(i.indexName) ?? 0), String(idx.get(i.indexName) ?? 0)]),
        ],
      ),
    );
    console.log(`\nWrites to the request item (META): ${metaWrites.length}; attributes changed, by how many of those writes changed them:`);
    console.log([...metaChanges.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', '));
    console.log(table(['#', 'item KB after', 'table WRU', 'index WRU', 'attributes changed', 'asked to remove'], metaWrites.map((w, n) => [String(n + 1), w.kb.toFixed(1), String(w.tableWru), String(w.indexWru), w.changed.join(' '), w.removed])));

    // ---- S3, SES, SFN API ----
    const classA = ['PutObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand', 'CopyObjectCommand', 'ListObjectsV2Command', 'ListObjectsCommand'];
    const free = ['DeleteObjectCommand', 'DeleteObjectsCommand', 'AbortMultipartUploadCommand'];
    let a = 0;
    let b = run.s3DownloadGets;
    for (const [k, v] of s3Ops) {
      if (classA.includes(k)) a += v;
      else if (!free.includes(k)) b += v;
    }
    console.log(`\nS3 requests: ${[...s3Ops.entries()].map(([k, v]) => `${k.replace('Command', '')} ${v}`).join(', ')}, presigned download GET ${run.s3DownloadGets}`);
    console.log(`  class A (PUT, POST, LIST, multipart): ${a}; class B (GET, HEAD): ${b}`);
    const emails = [...sesOps.values()].reduce((s, v) => s + v, 0);
    console.log(`SES: ${[...sesOps.entries()].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'} (the SES emulator caught ${emailsCaught} mails)`);
    console.log(`Step Functions API calls (not billed for Standard workflows): ${[...sfnOps.entries()].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`API Gateway calls: ${run.api.length} (${run.api.map((c) => c.fn).join(', ')})`);

    // ---- cost ----
    const cost = {
      'Step Functions transitions': entered.length * PRICES.transition,
      'Lambda requests': lambdaCalls * PRICES.lambdaRequest,
      'Lambda compute (arm64)': gbs * PRICES.gbSecond,
      'DynamoDB writes (tables + indexes)': (wru + indexWru) * PRICES.wru,
      'DynamoDB reads': rru * PRICES.rru,
      'S3 class A': a * PRICES.s3ClassA,
      'S3 class B': b * PRICES.s3ClassB,
      SES: emails * PRICES.email,
      'API Gateway HTTP API': run.api.length * PRICES.apiCall,
    };
    const total = Object.values(cost).reduce((s, v) => s + v, 0);
    console.log('\nCost at list prices (us-east-1 / eu-north-1 as known to the author; check the pricing pages):');
    console.log(table(['item', 'per request', 'per 1,000 requests', 'share'], [...Object.entries(cost).map(([k, v]) => [k, usd(v), usd(v * 1000), `${((v / total) * 100).toFixed(1)}%`]), ['**total**', usd(total), usd(total * 1000), '100%']]));
    // Sensitivity: at low volume most invocations start cold, and AWS bills the init phase.
    const initMs = 500;
    let coldGbs = 0;
    for (const inv of [...invocations.values(), ...apiInv.values()]) coldGbs += inv.count * (initMs / 1000) * (inv.memoryMb / 1024);
    console.log(`If every invocation also paid a ${initMs} ms cold start (billed init): +${coldGbs.toFixed(3)} GB-s = +${usd(coldGbs * PRICES.gbSecond)} per request, ${usd((total + coldGbs * PRICES.gbSecond) * 1000)} per 1,000 requests.`);
    console.log('Measured on a 2-vCPU machine that other work shared; local durations include emulator and interpreter overhead.');
  } finally {
    clearTimeout(watchdog);
    sfn.destroy();
    raw?.destroy();
    await rt.cleanup();
  }
}

await main();
