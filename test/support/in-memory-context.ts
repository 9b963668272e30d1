/**
 * Shared pieces of the request and workflow tests: an in-memory request repository with the same
 * semantics as the DynamoDB one (conditional status updates, closed statuses leave the open queue,
 * append-only audit trail), a mailer that records what it sends, a clock the test moves, and an
 * AppContext built from them and the example configuration. No network.
 */
import { readFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { parseConfig, type DsarConfig } from '#commons/config';
import type { ErasureItem } from '#connectors/types';
import { hashCode, hashToken, subjectHash } from '#commons/tokens';
import type { AppContext, Clock } from '#domain/context';
import type { MailTags, Mailer } from '#domain/notifications/mailer';
import type { Email } from '#domain/notifications/compose';
import {
  CLOSED_STATUSES,
  keys,
  type AuditEvent,
  type ConnectorOutcome,
  type DownloadItem,
  type RequestRecord,
  type RequestStatus,
  type TaskKind,
} from '#domain/requests/model';
import { RequestNotFound, StateConflict, type RequestRepository, type SubjectLockClaim, type UpdateConditions } from '#domain/requests/repository';
import type { ErasureRecheckItem, IdempotencyItem, Preview, Verification } from '#domain/requests/model';
import type { TodoStore } from '#domain/todos/store';
import type { RectificationChoice, RectificationStore } from '#domain/rectification/store';
import type { FieldValue } from '#connectors/types';
import { todoNumber, type TodoDueMarker, type TodoItem } from '#domain/todos/model';
import type { SuppressionEntry, SuppressionList } from '#domain/suppression/list';

export const EXAMPLE_CONFIG_PATH = new URL('../../config/example.config.json', import.meta.url);

export function exampleConfigJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
}

export function exampleConfig(): DsarConfig {
  return parseConfig(exampleConfigJson());
}

export const REQUEST_ID = 'dsar_test0000000000001';

/**
 * The input of the repository's read of one request (RequestRepository.find): one Query of the request
 * item and its connector outcome items, to match in mocked clients (`on(QueryCommand, readOf(id))`).
 */
export function readOf(requestId: string) {
  return { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': `REQ#${requestId}`, ':prefix': 'META' } };
}
export const OTHER_ID = 'dsar_test0000000000002';

const clone = <T>(v: T): T => structuredClone(v);

/** The follow-up task store (#domain/todos/store) in memory, with the same conditions. */
export class MemoryTodoStore implements TodoStore {
  readonly items = new Map<string, TodoItem>();
  readonly due = new Map<string, TodoDueMarker>();
  constructor(private readonly requests: Map<string, RequestRecord>) {}
  private key = (requestId: string, n: number) => `${requestId}|${n}`;
  async list(requestId: string) {
    return [...this.items.values()].filter((t) => t.requestId === requestId).map(clone);
  }
  async get(requestId: string, n: number) {
    const t = this.items.get(this.key(requestId, n));
    return t ? clone(t) : undefined;
  }
  async create(item: TodoItem) {
    if (this.items.has(this.key(item.requestId, item.n))) return false;
    this.items.set(this.key(item.requestId, item.n), clone(item));
    return true;
  }
  async changeOpen(requestId: string, n: number, set: Partial<TodoItem>, remove: Array<keyof TodoItem> = []) {
    const t = this.items.get(this.key(requestId, n));
    if (!t || t.status !== 'open') throw new StateConflict(`task ${n} of request ${requestId} is not open`);
    const next = { ...t, ...clone(set) };
    for (const f of remove) delete next[f];
    this.items.set(this.key(requestId, n), next);
    return clone(next);
  }
  async markOpen(requestId: string, n: number) {
    const r = this.requests.get(requestId)!;
    r.todosOpen = new Set([...(r.todosOpen ?? []), todoNumber(n)]);
    delete r.todosDoneAt;
  }
  async markFinished(requestId: string, n: number) {
    const r = this.requests.get(requestId)!;
    const left = new Set([...(r.todosOpen ?? [])].filter((x) => x !== todoNumber(n)));
    if (left.size) r.todosOpen = left;
    else delete r.todosOpen;
    return left.size;
  }
  async putDue(marker: TodoDueMarker) {
    this.due.set(marker.sk, clone(marker));
  }
  async deleteDue(dueDate: string, requestId: string, n: number) {
    this.due.delete(`${dueDate}#${requestId}#${todoNumber(n)}`);
  }
}

/** A rectification's current values and staff's choice (#domain/rectification/store) in memory. */
export class MemoryRectificationStore implements RectificationStore {
  readonly currents = new Map<string, Record<string, FieldValue[]>>();
  readonly choices = new Map<string, RectificationChoice>();
  async putCurrent(requestId: string, connectorId: string, values: FieldValue[]) {
    this.currents.set(requestId, { ...this.currents.get(requestId), [connectorId]: clone(values) });
  }
  async current(requestId: string) {
    return clone(this.currents.get(requestId) ?? {});
  }
  async putChoice(requestId: string, choice: RectificationChoice) {
    this.choices.set(requestId, clone(choice));
  }
  async choice(requestId: string) {
    const c = this.choices.get(requestId);
    return c ? clone(c) : undefined;
  }
  readonly aliases = new Map<string, string[]>();
  async putAlias(requestId: string, subjectHash: string) {
    this.aliases.set(requestId, [...new Set([...(this.aliases.get(requestId) ?? []), subjectHash])]);
  }
  async forget(requestId: string, _at: string) {
    const n = Object.keys(this.currents.get(requestId) ?? {}).length + (this.choices.has(requestId) ? 1 : 0);
    this.currents.delete(requestId);
    this.choices.delete(requestId);
    return n;
  }
}

export class MemoryRepo {
  readonly requests = new Map<string, RequestRecord>();
  readonly todos = new MemoryTodoStore(this.requests);
  readonly rectifications = new MemoryRectificationStore();
  readonly events: AuditEvent[] = [];
  readonly tokens = new Map<string, string>();
  readonly downloads = new Map<string, DownloadItem>();
  /** Every update call, in order, as the repository got it. */
  readonly updates: Array<{ id: string; set: Partial<RequestRecord> } & UpdateConditions> = [];
  private seq = 0;

  async create(record: RequestRecord): Promise<void> {
    if (this.requests.has(record.requestId)) throw new Error('ConditionalCheckFailed: request exists');
    this.requests.set(record.requestId, clone(record));
  }

  async find(id: string): Promise<RequestRecord | undefined> {
    const r = this.requests.get(id);
    return r ? clone(r) : undefined;
  }

  async get(id: string): Promise<RequestRecord> {
    const r = await this.find(id);
    if (!r) throw new RequestNotFound(`request ${id} does not exist`);
    return r;
  }

  async update(
    id: string,
    set: Partial<RequestRecord>,
    options: UpdateConditions = {},
  ): Promise<RequestRecord> {
    this.updates.push({ id, set: clone(set), ...options });
    const current = this.requests.get(id);
    if (!current) throw new RequestNotFound(`request ${id} does not exist`);
    if (options.onlyIf?.length && !options.onlyIf.includes(current.status)) {
      throw new StateConflict(`request ${id} is ${current.status}, not ${options.onlyIf.join(' or ')}`);
    }
    const at = (dotted: string) => dotted.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], current);
    for (const field of options.absent ?? []) if (at(field) !== undefined) throw new StateConflict(`request ${id}: ${field} is set`);
    for (const field of options.present ?? []) if (at(field) === undefined) throw new StateConflict(`request ${id}: ${field} is gone`);
    for (const [field, value] of Object.entries(options.match ?? {})) {
      if (JSON.stringify(at(field)) !== JSON.stringify(value)) throw new StateConflict(`request ${id}: ${field} differs`);
    }
    const next: Record<string, unknown> = { ...current };
    for (const [k, v] of Object.entries(set)) if (v !== undefined) next[k] = clone(v);
    next.updatedAt = set.updatedAt ?? new Date().toISOString();
    const removes = new Set(options.remove ?? []);
    if (set.status && CLOSED_STATUSES.has(set.status)) {
      removes.add('openPk');
      removes.add('openSk');
    }
    for (const k of removes) delete next[k];
    this.requests.set(id, next as unknown as RequestRecord);
    return clone(next as unknown as RequestRecord);
  }

  /** Mail claims by `<requestId>|<transition>`, as the repository keeps them (see MailClaim). */
  readonly mailClaims = new Map<string, { leaseUntil: string; sentAt?: string; messageId?: string }>();

  async claimMail(requestId: string, transition: string, now: Date, leaseMs: number): Promise<boolean> {
    const key = `${requestId}|${transition}`;
    const held = this.mailClaims.get(key);
    if (held && (held.sentAt || held.leaseUntil >= now.toISOString())) return false;
    this.mailClaims.set(key, { leaseUntil: new Date(now.getTime() + leaseMs).toISOString() });
    return true;
  }

  async mailClaim(requestId: string, transition: string) {
    const held = this.mailClaims.get(`${requestId}|${transition}`);
    return held ? clone(held) : undefined;
  }

  async markMailSent(requestId: string, transition: string, at: Date, messageId?: string): Promise<void> {
    const key = `${requestId}|${transition}`;
    this.mailClaims.set(key, { ...this.mailClaims.get(key)!, sentAt: at.toISOString(), ...(messageId ? { messageId } : {}) });
  }

  async releaseMail(requestId: string, transition: string): Promise<void> {
    const key = `${requestId}|${transition}`;
    if (!this.mailClaims.get(key)?.sentAt) this.mailClaims.delete(key);
  }

  async audit(requestId: string, actor: string, action: string, detail?: Record<string, unknown>, at = new Date()): Promise<AuditEvent> {
    const iso = at.toISOString();
    const event: AuditEvent = {
      pk: keys.request(requestId).pk,
      sk: `${keys.auditPrefix}${iso}#${String(this.seq++).padStart(6, '0')}`,
      requestId,
      at: iso,
      actor,
      action,
      ...(detail ? { detail: clone(detail) } : {}),
    };
    this.events.push(event);
    return event;
  }

  async auditTrail(requestId: string): Promise<AuditEvent[]> {
    return this.events.filter((e) => e.requestId === requestId).map(clone);
  }

  /** Erasure progress per run, as the repository keeps it: one entry per call, in order. */
  readonly erasureRuns: Array<{ requestId: string; connectorId: string; at: string; items: ErasureItem[] }> = [];

  async recordErasureProgress(requestId: string, connectorId: string, items: ErasureItem[], at = new Date()): Promise<void> {
    this.erasureRuns.push({ requestId, connectorId, at: at.toISOString(), items: clone(items) });
  }

  async erasureProgress(requestId: string, connectorId: string): Promise<ErasureItem[][]> {
    return this.erasureRuns.filter((r) => r.requestId === requestId && r.connectorId === connectorId).map((r) => clone(r.items));
  }

  async putTaskToken(requestId: string, kind: TaskKind, token: string): Promise<void> {
    this.tokens.set(`${requestId}|${kind}`, token);
  }

  async taskToken(requestId: string, kind: TaskKind): Promise<string | undefined> {
    return this.tokens.get(`${requestId}|${kind}`);
  }

  async deleteTaskToken(requestId: string, kind: TaskKind): Promise<void> {
    this.tokens.delete(`${requestId}|${kind}`);
  }

  readonly previews = new Map<string, Preview>();

  async putPreview(requestId: string, preview: Preview): Promise<void> {
    this.previews.set(requestId, clone(preview));
  }

  async preview(requestId: string): Promise<Preview | undefined> {
    const p = this.previews.get(requestId);
    return p ? clone(p) : undefined;
  }

  async putDownload(item: Omit<DownloadItem, 'pk' | 'sk'>): Promise<void> {
    this.downloads.set(item.requestId, { ...keys.download(item.requestId), ...clone(item) });
  }

  async download(requestId: string): Promise<DownloadItem | undefined> {
    const d = this.downloads.get(requestId);
    return d ? clone(d) : undefined;
  }

  async listOpen(options: { dueBefore?: string; limit?: number }): Promise<{ items: RequestRecord[]; cursor?: Record<string, unknown> }> {
    const items = [...this.requests.values()]
      .filter((r) => r.openPk === 'OPEN' && (!options.dueBefore || r.dueDate <= options.dueBefore))
      .sort((a, b) => (a.openSk ?? '').localeCompare(b.openSk ?? ''))
      .slice(0, options.limit ?? 50);
    return { items: items.map(clone) };
  }

  async bySubject(hash: string): Promise<RequestRecord[]> {
    return [...this.requests.values()].filter((r) => r.subjectHash === hash).map(clone);
  }

  // The atomic steps of verification and intake, with the conditions of the DynamoDB repository (whose
  // own tests run them on dynalite, under real concurrency).
  readonly locks = new Map<string, { requestId: string; lockedAt: string }>();
  readonly idempotency = new Map<string, IdempotencyItem>();

  async consumeVerificationAttempt(
    id: string,
    expected: { codeHash: string; limit: number; now: string; statuses: readonly RequestStatus[] },
  ): Promise<RequestRecord> {
    const r = this.requests.get(id);
    const v = r?.verification;
    if (!r || !v || !expected.statuses.includes(r.status) || v.codeHash !== expected.codeHash || v.attempts >= expected.limit || !(v.expiresAt > expected.now)) {
      throw new StateConflict(`request ${id}: no verification attempt left for this code`);
    }
    v.attempts += 1;
    return clone(r);
  }

  async replaceVerificationCode(
    id: string,
    next: Verification,
    expected: { previousSentAt?: string; maxCodes: number; statuses: readonly RequestStatus[] },
  ): Promise<RequestRecord> {
    const r = this.requests.get(id);
    const v = r?.verification;
    const onRecord = expected.previousSentAt === undefined ? !v : v?.sentAt === expected.previousSentAt && v.codesSent === next.codesSent - 1 && v.codesSent < expected.maxCodes;
    if (!r || !expected.statuses.includes(r.status) || !onRecord) throw new StateConflict(`request ${id}: the code on record changed meanwhile`);
    r.verification = clone(next);
    return clone(r);
  }

  async claimSubjectLock(type: string, hash: string, requestId: string, at: string): Promise<SubjectLockClaim> {
    const key = `${type}|${hash}`;
    const held = this.locks.get(key);
    if (!held) this.locks.set(key, { requestId, lockedAt: at });
    if (!held || held.requestId === requestId) return { acquired: true };
    return { acquired: false, holder: held.requestId, lockedAt: held.lockedAt };
  }

  async takeOverSubjectLock(type: string, hash: string, from: string, to: string, at: string): Promise<boolean> {
    const key = `${type}|${hash}`;
    if (this.locks.get(key)?.requestId !== from) return false;
    this.locks.set(key, { requestId: to, lockedAt: at });
    return true;
  }

  async claimIdempotencyKey(keyHash: string, bodyHash: string, requestId: string, at: string): Promise<IdempotencyItem> {
    const existing = this.idempotency.get(keyHash);
    if (existing) return clone(existing);
    const item: IdempotencyItem = { ...keys.idempotency(keyHash), requestId, bodyHash, createdAt: at, expiration: 0 };
    this.idempotency.set(keyHash, item);
    return clone(item);
  }

  /** Re-checks closing erasures owed, by key (a retried close writes the same key). */
  readonly rechecks = new Map<string, Omit<ErasureRecheckItem, 'pk' | 'sk'>>();

  async scheduleErasureRecheck(item: Omit<ErasureRecheckItem, 'pk' | 'sk'>): Promise<void> {
    this.rechecks.set(keys.erasureRecheck(item.dueAt, item.requestId, item.connectorId).sk, clone(item));
  }

  /** The stored record itself (for assertions). */
  stored(id = REQUEST_ID): RequestRecord {
    const r = this.requests.get(id);
    if (!r) throw new Error(`no request ${id} in the memory repo`);
    return r;
  }

  async forgetSubjectMessages(requestId: string, at = new Date()): Promise<number> {
    const mine = this.events.filter((e) => e.requestId === requestId && e.action === 'subject.message' && e.detail && 'message' in e.detail);
    for (const e of mine) {
      delete e.detail!.message;
      e.detail!.messageRemovedAt = at.toISOString();
    }
    return mine.length;
  }

  actions(id = REQUEST_ID): string[] {
    return this.events.filter((e) => e.requestId === id).map((e) => e.action);
  }

  asRepository(): RequestRepository {
    return this as unknown as RequestRepository;
  }
}

export class RecordingMailer implements Mailer {
  readonly sent: Array<{ to: string[]; email: Email; tags?: MailTags }> = [];
  failNext = 0;

  async send(to: string | string[], email: Email, tags?: MailTags): Promise<string | undefined> {
    if (this.failNext > 0) {
      this.failNext--;
      const err = new Error('SES is throttling');
      err.name = 'TooManyRequestsException';
      throw err;
    }
    this.sent.push({ to: Array.isArray(to) ? to : [to], email, ...(tags ? { tags } : {}) });
    return `msg-${this.sent.length}`;
  }

  to(address: string): Email[] {
    return this.sent.filter((m) => m.to.includes(address)).map((m) => m.email);
  }
}

export class FixedClock implements Clock {
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const NOW = new Date('2026-03-02T10:00:00.000Z');

export interface TestContext extends AppContext {
  repo: RequestRepository;
  suppressions: MemorySuppressionList;
  memory: MemoryRepo;
  mail: RecordingMailer;
  fixedClock: FixedClock;
}

export function testContext(config: DsarConfig = exampleConfig()): TestContext {
  const memory = new MemoryRepo();
  const mail = new RecordingMailer();
  const fixedClock = new FixedClock(NOW);
  return {
    config,
    repo: memory.asRepository(),
    memory,
    mailer: mail,
    mail,
    sfn: new SFNClient({}),
    s3: new S3Client({ forcePathStyle: true }),
    clock: fixedClock,
    fixedClock,
    stateMachineArn: () => 'arn:aws:states:eu-north-1:123456789012:stateMachine:dsar',
    stagingBucket: () => 'dsar-staging',
    exportsBucket: () => 'dsar-exports',
    documentsBucket: () => 'dsar-documents',
    suppressions: new MemorySuppressionList(),
  };
}

/** The suppression list in memory, with the semantics of DynamoSuppressionList (first times stay). */
export class MemorySuppressionList implements SuppressionList {
  readonly entries = new Map<string, SuppressionEntry>();
  async record(hash: string, requestId: string, at: string): Promise<void> {
    const e = this.entries.get(hash);
    this.entries.set(hash, { since: e?.since ?? at, lastRequestId: requestId, systems: { ...e?.systems } });
  }
  async confirm(hash: string, connectorId: string, requestId: string, at: string): Promise<void> {
    await this.record(hash, requestId, at);
    const e = this.entries.get(hash)!;
    e.systems[connectorId] ??= at;
  }
  async get(hash: string): Promise<SuppressionEntry | undefined> {
    const e = this.entries.get(hash);
    return e && structuredClone(e);
  }
}

export const SUBJECT_EMAIL = 'Alice@Example.com';

/** A request as intake stores it, with the given overrides. */
export function requestRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  const requestId = overrides.requestId ?? REQUEST_ID;
  const iso = NOW.toISOString();
  return {
    ...keys.request(requestId),
    requestId,
    type: 'access',
    status: 'awaiting_verification',
    subject: { email: SUBJECT_EMAIL, normalizedEmail: SUBJECT_EMAIL.toLowerCase(), name: 'Alice Example' },
    subjectHash: subjectHash(SUBJECT_EMAIL.toLowerCase()),
    jurisdiction: 'GDPR',
    country: 'NO',
    receivedAt: iso,
    receivedDate: '2026-03-02',
    receivedYear: '2026',
    dueDate: '2026-04-02',
    extendedDueDate: '2026-06-02',
    acknowledgeBy: null,
    statusTokenHash: '',
    openPk: 'OPEN',
    openSk: `2026-04-02#${requestId}`,
    createdAt: iso,
    updatedAt: iso,
    ...overrides,
  };
}

/** What a connector that failed for good (503 after its retries) leaves on its request. */
export function failedOutcome(connectorId: string): ConnectorOutcome {
  return {
    connectorId,
    status: 'failed',
    records: 0,
    objects: {},
    stagingKeys: {},
    attempts: 1,
    error: { type: 'ConnectorUnavailable', message: '503' },
  };
}

/** The key unit tests hash codes with (vitest.config.ts points DSAR_CODE_KEY_FILE at it). */
export const TEST_CODE_KEY = readFileSync(new URL('./code-key.test-only', import.meta.url), 'utf8').trim();

/** A verification state for `code`, sent now, expiring after the configured TTL. */
export function verificationFor(requestId: string, code: string, overrides: Partial<RequestRecord['verification']> = {}): Verification {
  return {
    codeHash: hashCode(requestId, code, Buffer.from(TEST_CODE_KEY)),
    scheme: 'hmac-sha256',
    codesSent: 1,
    attempts: 0,
    sentAt: NOW.toISOString(),
    expiresAt: new Date(NOW.getTime() + 15 * 60_000).toISOString(),
    ...overrides,
  };
}

export { hashToken };

/** The first link in a mail's text that carries a `token` parameter, and the request it names (path or `id`). */
export function tokenLinkIn(email: Email): { url: URL; token: string; names: (id: string) => boolean } {
  const match = email.text.split(/\s+/).find((w) => /^https?:\/\//.test(w) && /[?&]token=/.test(w));
  if (!match) throw new Error(`no link with a token in: ${email.text}`);
  const url = new URL(match);
  return {
    url,
    token: url.searchParams.get('token')!,
    names: (id) => url.pathname.split('/').includes(id) || url.searchParams.get('id') === id,
  };
}

/** The link in a mail's text that starts with `prefix`. */
export function linkIn(email: Email, prefix: string): URL {
  const match = email.text.split(/\s+/).find((w) => w.startsWith(prefix));
  if (!match) throw new Error(`no link starting with ${prefix} in: ${email.text}`);
  return new URL(match);
}
