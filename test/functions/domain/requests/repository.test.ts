import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OPEN_INDEX, STATUS_INDEX, SUBJECT_INDEX } from '#domain/requests/model';
import { RequestNotFound, RequestRepository, StateConflict } from '#domain/requests/repository';
import { REQUEST_ID, readOf, requestRecord } from '../../../support/in-memory-context.ts';
import type { RequestRecord } from '#domain/requests/model';

const ddb = mockClient(DynamoDBDocumentClient);
const repo = new RequestRepository(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'dsar-table');
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

// Any query finds nothing unless a test says otherwise (a request's read and its outcomes are queries).
beforeEach(() => ddb.on(QueryCommand).resolves({ Items: [] }));
afterEach(() => ddb.reset());

/** The request read (one Query of the request item and its outcomes), as the repository asks it. */
const REQUEST_READ = { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)' };

/**
 * The table answers each request read with the open request of that key (the queue reads its page in
 * full). Set after any catch-all answer to QueryCommand: the later answer wins where both match.
 */
function tableHoldsRequests(extra: (requestId: string) => Partial<RequestRecord> = () => ({})): void {
  ddb.on(QueryCommand, REQUEST_READ).callsFake((input: { ExpressionAttributeValues: { ':pk': string } }) => {
    const requestId = input.ExpressionAttributeValues[':pk'].slice('REQ#'.length);
    return { Items: [requestRecord({ requestId, type: 'erasure', openSk: `2026-04-01#${requestId}`, ...extra(requestId) })] };
  });
}

describe('RequestRepository', () => {
  it('creates a request only if none has its key', async () => {
    ddb.on(PutCommand).resolves({});

    await repo.create(requestRecord());

    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put.Item).toMatchObject({ pk: `REQ#${REQUEST_ID}`, sk: 'META' });
  });

  it("stores the preview as an item of its own, with no index key, and reads it back without the table's keys", async () => {
    ddb.on(PutCommand).resolves({});
    const preview = { at: '2026-03-02T10:06:00.000Z', connectors: { hubspot: { status: 'counted' as const, records: 12, objects: { notes: 12 } } } };

    await repo.putPreview(REQUEST_ID, preview);

    const item = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item).toEqual({ pk: `REQ#${REQUEST_ID}`, sk: 'PREVIEW', requestId: REQUEST_ID, ...preview });
    ddb.on(GetCommand).resolves({ Item: item });
    expect(await repo.preview(REQUEST_ID)).toEqual(preview);
    ddb.on(GetCommand).resolves({});
    expect(await repo.preview(REQUEST_ID)).toBeUndefined();
  });

  it('updates only from the given statuses and takes a closed request out of the open queues and the ack-pending index', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: requestRecord({ status: 'completed' }) });

    await repo.update(REQUEST_ID, { status: 'completed' }, { onlyIf: ['assembling', 'in_progress'] });

    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_exists(#pk) AND #status IN (:s0, :s1)');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':s0': 'assembling', ':s1': 'in_progress' });
    expect(input.UpdateExpression).toMatch(/REMOVE #r0, #r1, #r2, #r3, #r4$/);
    expect(['#r0', '#r1', '#r2', '#r3', '#r4'].map((n) => input.ExpressionAttributeNames![n]).sort()).toEqual(['ackPk', 'ackSk', 'openPk', 'openSk', 'queueStatus']);
  });

  it('takes an acknowledged request out of the ack-pending index and leaves it in the open queue', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: requestRecord({ status: 'in_progress' }) });

    await repo.update(REQUEST_ID, { acknowledgedAt: '2026-03-02T10:00:00.000Z' });

    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.UpdateExpression).toMatch(/REMOVE #r0, #r1$/);
    expect(['#r0', '#r1'].map((n) => input.ExpressionAttributeNames![n]).sort()).toEqual(['ackPk', 'ackSk']);
  });

  it('reports a lost condition as StateConflict naming the current status', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(QueryCommand, REQUEST_READ).resolves({ Items: [requestRecord({ status: 'denied' })] });

    const err = await repo.update(REQUEST_ID, { status: 'in_progress' }, { onlyIf: ['awaiting_review'] }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(StateConflict);
    expect((err as Error).message).toContain('is denied');
  });

  it('reports an update of a missing request as RequestNotFound', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(repo.update(REQUEST_ID, { status: 'in_progress' })).rejects.toBeInstanceOf(RequestNotFound);
  });

  it('raises RequestNotFound from get for an unknown id', async () => {

    await expect(repo.get('dsar_nothere000')).rejects.toBeInstanceOf(RequestNotFound);
  });

  it('appends audit events that can never overwrite one another', async () => {
    ddb.on(PutCommand).resolves({});

    const a = await repo.audit(REQUEST_ID, 'dana', 'review.approved', { type: 'access' }, new Date('2026-01-01T00:00:00Z'));
    const b = await repo.audit(REQUEST_ID, 'dana', 'review.approved', undefined, new Date('2026-01-01T00:00:00Z'));

    expect(a.sk).not.toBe(b.sk);
    expect(a.sk.startsWith('EVT#2026-01-01T00:00:00.000Z#')).toBe(true);
    expect(ddb.commandCalls(PutCommand).every((c) => c.args[0].input.ConditionExpression === 'attribute_not_exists(sk)')).toBe(true);
  });

  it('reads the whole audit trail over pages', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ action: 'a' }], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
      .resolvesOnce({ Items: [{ action: 'b' }] });

    const trail = await repo.auditTrail(REQUEST_ID);

    expect(trail.map((e) => e.action)).toEqual(['a', 'b']);
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'x', sk: 'y' });
  });

  it('keeps each erase run’s progress as its own item under the request, never overwriting another run’s', async () => {
    ddb.on(PutCommand).resolves({});
    const at = new Date('2026-01-01T00:00:00Z');

    await repo.recordErasureProgress(REQUEST_ID, 'salesforce', [{ object: 'Lead', action: 'deleted', count: 1 }], at);
    await repo.recordErasureProgress(REQUEST_ID, 'salesforce', [{ object: 'Contact', action: 'deleted', count: 1 }], at);

    const puts = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Item!.pk)).toEqual([`REQ#${REQUEST_ID}`, `REQ#${REQUEST_ID}`]);
    expect(puts.every((p) => String(p.Item!.sk).startsWith('ERASED#salesforce#2026-01-01T00:00:00.000Z#'))).toBe(true);
    expect(puts[0]!.Item!.sk).not.toBe(puts[1]!.Item!.sk);
    expect(puts.every((p) => p.ConditionExpression === 'attribute_not_exists(sk)')).toBe(true);
    expect(puts[0]!.Item).toMatchObject({ requestId: REQUEST_ID, connectorId: 'salesforce', items: [{ object: 'Lead', action: 'deleted', count: 1 }] });
  });

  it('reads a connector’s erase progress by its own prefix, over pages, one list per run', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ items: [{ object: 'Lead', action: 'deleted', count: 1 }] }], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
      .resolvesOnce({ Items: [{ items: [{ object: 'Contact', action: 'deleted', count: 2 }] }] });

    const runs = await repo.erasureProgress(REQUEST_ID, 'stripe');

    expect(runs).toEqual([[{ object: 'Lead', action: 'deleted', count: 1 }], [{ object: 'Contact', action: 'deleted', count: 2 }]]);
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    // The trailing '#' keeps another connector whose id starts the same ('stripe-eu') out.
    expect(input).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `REQ#${REQUEST_ID}`, ':prefix': 'ERASED#stripe#' },
      ConsistentRead: true,
    });
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'x', sk: 'y' });
  });

  it('lists the open queue from its index, up to and including the due date asked for', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    await repo.listOpen({ dueBefore: '2026-04-01' });

    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input.IndexName).toBe(OPEN_INDEX);
    expect(input.ExpressionAttributeValues).toEqual({ ':open': 'OPEN', ':before': '2026-04-01#~' });
    expect('2026-04-01#dsar_zzzz' < '2026-04-01#~').toBe(true);
  });

  it('reads exactly the missing rows when the queue is not filtered, then those requests in full, and gives the last row as the position', async () => {
    const entry = (n: number) => ({ pk: `REQ#dsar_aaaaaaaa${n}`, sk: 'META', openPk: 'OPEN', openSk: `2026-03-1${n}#dsar_aaaaaaaa${n}`, status: 'in_progress' });
    ddb.on(QueryCommand).resolves({ Items: [entry(1), entry(2)], ScannedCount: 2, LastEvaluatedKey: { pk: 'REQ#dsar_aaaaaaaa2', sk: 'META', openPk: 'OPEN', openSk: '2026-03-12#dsar_aaaaaaaa2' } });
    tableHoldsRequests();

    const page = await repo.listOpen({ limit: 2 });

    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input.Limit).toBe(2);
    expect(input.FilterExpression).toBeUndefined();
    expect(ddb.commandCalls(QueryCommand).slice(1).map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      { ':pk': 'REQ#dsar_aaaaaaaa1', ':prefix': 'META' },
      { ':pk': 'REQ#dsar_aaaaaaaa2', ':prefix': 'META' },
    ]);
    expect(page.items.map((r) => [r.requestId, r.type])).toEqual([
      ['dsar_aaaaaaaa1', 'erasure'],
      ['dsar_aaaaaaaa2', 'erasure'],
    ]);
    expect(page.after).toBe('2026-03-12#dsar_aaaaaaaa2');
  });

  it('filters type and jurisdiction in the query and reads on across DynamoDB pages until the page is full', async () => {
    const match = (n: number) => requestRecord({ requestId: `dsar_match000${n}`, type: 'erasure', openSk: `2026-04-0${n}#dsar_match000${n}` });
    ddb
      .on(QueryCommand)
      // DynamoDB applies the filter after Limit: a first step can match nothing although more lies on.
      .resolvesOnce({ Items: [], ScannedCount: 200, LastEvaluatedKey: { pk: 'REQ#dsar_other0200', sk: 'META', openPk: 'OPEN', openSk: '2026-03-30#dsar_other0200' } })
      .resolvesOnce({ Items: [match(1)], ScannedCount: 200, LastEvaluatedKey: { pk: 'REQ#dsar_other0400', sk: 'META', openPk: 'OPEN', openSk: '2026-04-01#dsar_other0400' } })
      .resolvesOnce({ Items: [match(2), match(3), match(4)], ScannedCount: 200, LastEvaluatedKey: { pk: 'x', sk: 'y', openPk: 'OPEN', openSk: '2026-04-09#dsar_other0600' } });

    tableHoldsRequests();

    const page = await repo.listOpen({ limit: 3, filter: { type: 'erasure', jurisdiction: 'GDPR' } });

    // The index queries (the page's requests are then read one by one).
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input).filter((c) => c.IndexName);
    expect(calls).toHaveLength(3);
    expect(calls[0]!.IndexName).toBe(OPEN_INDEX);
    expect(calls[0]!.FilterExpression).toBe('#q_type = :q_type AND #q_jurisdiction = :q_jurisdiction');
    expect(calls[0]!.ExpressionAttributeNames).toEqual({ '#q_type': 'type', '#q_jurisdiction': 'jurisdiction' });
    expect(calls[0]!.ExpressionAttributeValues).toMatchObject({ ':q_type': 'erasure', ':q_jurisdiction': 'GDPR' });
    expect(calls[1]!.ExclusiveStartKey).toMatchObject({ openSk: '2026-03-30#dsar_other0200' });
    expect(calls[2]!.ExclusiveStartKey).toMatchObject({ openSk: '2026-04-01#dsar_other0400' });
    expect(page.items.map((r) => r.requestId)).toEqual(['dsar_match0001', 'dsar_match0002', 'dsar_match0003']);
    // The fourth match did not fit: the next page starts right after the third, not after DynamoDB's key.
    expect(page.after).toBe('2026-04-03#dsar_match0003');
  });

  it('reads a status filter from that status\'s partition of the status index, then the page\'s requests in full', async () => {
    const entry = (n: number) => ({ pk: `REQ#dsar_match000${n}`, sk: 'META', queueStatus: 'awaiting_review', openSk: `2026-04-0${n}#dsar_match000${n}`, type: 'erasure', jurisdiction: 'GDPR' });
    ddb.on(QueryCommand).resolves({ Items: [entry(1), entry(2)], ScannedCount: 2 });
    tableHoldsRequests(() => ({ status: 'awaiting_review' }));

    const page = await repo.listOpen({ limit: 5, after: '2026-04-01#dsar_match0000', filter: { status: 'awaiting_review', type: 'erasure' } });

    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      IndexName: STATUS_INDEX,
      KeyConditionExpression: 'queueStatus = :status',
      FilterExpression: '#q_type = :q_type',
      ExclusiveStartKey: { pk: 'REQ#dsar_match0000', sk: 'META', queueStatus: 'awaiting_review', openSk: '2026-04-01#dsar_match0000' },
    });
    expect(page.items.map((r) => [r.requestId, r.status])).toEqual([
      ['dsar_match0001', 'awaiting_review'],
      ['dsar_match0002', 'awaiting_review'],
    ]);
  });

  it('starts a page after the given position with the full index key, and ends without a position when the index ends', async () => {
    ddb.on(QueryCommand).resolves({ Items: [requestRecord()], ScannedCount: 1 });
    tableHoldsRequests();

    const page = await repo.listOpen({ limit: 5, after: '2026-03-20#dsar_test0000000000002', filter: { type: 'access' } });

    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExclusiveStartKey).toEqual({
      pk: 'REQ#dsar_test0000000000002',
      sk: 'META',
      openPk: 'OPEN',
      openSk: '2026-03-20#dsar_test0000000000002',
    });
    expect(page.items).toHaveLength(1);
    expect(page.after).toBeUndefined();
  });

  it('returns a short page with a position once it has read its budget of items, so one call stays bounded', async () => {
    ddb.on(QueryCommand).resolves({ Items: [], ScannedCount: 1_000, LastEvaluatedKey: { pk: 'REQ#dsar_far00000', sk: 'META', openPk: 'OPEN', openSk: '2027-01-01#dsar_far00000' } });

    const page = await repo.listOpen({ limit: 25, filter: { jurisdiction: 'LGPD' } });

    expect(ddb.commandCalls(QueryCommand)).toHaveLength(5);
    expect(page).toEqual({ items: [], after: '2027-01-01#dsar_far00000' });
  });

  it('finds a subject’s requests by the hash index, newest first, reading them in full and leaving out one hashed since', async () => {
    const hash = requestRecord().subjectHash;
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'REQ#dsar_newer0001', sk: 'META' }, { pk: 'REQ#dsar_older0001', sk: 'META' }, { pk: 'REQ#dsar_purged001', sk: 'META' }] });
    tableHoldsRequests((requestId) => (requestId === 'dsar_purged001' ? { subjectHash: 'salted-since' } : { subjectHash: hash }));

    const found = await repo.bySubject(hash);

    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ IndexName: SUBJECT_INDEX, ScanIndexForward: false, ExpressionAttributeValues: { ':h': hash } });
    expect(found.map((r) => r.requestId)).toEqual(['dsar_newer0001', 'dsar_older0001']);
    expect(found[0]).toMatchObject({ status: expect.any(String), subject: expect.any(Object) });
  });

  it('reads the alias a corrected email address left as the request it names, once', async () => {
    const corrected = requestRecord({ requestId: 'dsar_corrected01', type: 'rectification' });
    const later = requestRecord({ requestId: 'dsar_later000001' });
    // The by-subject index carries keys only: the later request under the new address, and the alias.
    ddb.on(QueryCommand, { IndexName: 'by-subject' }).resolves({ Items: [{ pk: later.pk, sk: 'META', subjectHash: 'new' }, { pk: 'REQ#dsar_corrected01', sk: 'RECTIFY#ALIAS#new', subjectHash: 'new' }] });
    ddb.on(QueryCommand, readOf('dsar_later000001')).resolves({ Items: [{ ...later, subjectHash: 'new' }] });
    ddb.on(QueryCommand, readOf('dsar_corrected01')).resolves({ Items: [corrected] });

    expect((await repo.bySubject('new')).map((r) => r.requestId)).toEqual(['dsar_later000001', 'dsar_corrected01']);
  });
});
