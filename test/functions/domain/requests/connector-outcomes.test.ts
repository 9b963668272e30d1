/**
 * The connectors' outcomes live in items of their own next to the request item (keys.connectorOutcome),
 * on dynalite: the request reads with them in one query, a write puts only the outcomes that changed, and
 * nothing is written when the request's own conditions fail.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys, type ConnectorOutcome } from '#domain/requests/model';
import { StateConflict } from '#domain/requests/repository';
import { putRequest, startHarness, TABLE, type Harness } from '../../../support/dynalite-harness.ts';

let h: Harness;
let writes: Array<{ command: string; sk: string }> = [];

beforeEach(async () => {
  h = await startHarness();
  const send = h.access.db.send.bind(h.access.db);
  h.access.db.send = ((command: { constructor: { name: string }; input: { Item?: { sk: string }; Key?: { sk: string } } }, ...rest: unknown[]) => {
    if ([PutCommand.name, UpdateCommand.name, DeleteCommand.name].includes(command.constructor.name)) {
      writes.push({ command: command.constructor.name, sk: String(command.input.Item?.sk ?? command.input.Key?.sk) });
    }
    return (send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
  }) as typeof h.access.db.send;
  writes = [];
});
afterEach(async () => h?.close());

const outcome = (connectorId: string, status: ConnectorOutcome['status'], records = 0): ConnectorOutcome => ({
  connectorId,
  status,
  records,
  objects: records ? { thing: records } : {},
  stagingKeys: records ? { thing: `staging/x/${connectorId}/thing.jsonl` } : {},
  attempts: 1,
});

async function rawRequestItem(requestId: string): Promise<Record<string, unknown>> {
  return (await h.access.db.send(new GetCommand({ TableName: TABLE, Key: keys.request(requestId), ConsistentRead: true }))).Item!;
}

describe("the connectors' outcomes", () => {
  it('are kept as items of their own, not on the request item, and read back with the request', async () => {
    const r = await putRequest(h, { status: 'in_progress', receivedAt: '2026-01-05T10:00:00Z' });

    const updated = await h.ctx.repo.update(r.requestId, { connectors: { accounts: outcome('accounts', 'pending'), calls: outcome('calls', 'pending') } }, { onlyIf: ['in_progress'] });

    expect(await rawRequestItem(r.requestId)).not.toHaveProperty('connectors');
    const items = await h.access.db.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': `REQ#${r.requestId}`, ':p': keys.connectorOutcomePrefix } }));
    expect(items.Items!.map((i) => i.sk)).toEqual(['META#CONN#accounts', 'META#CONN#calls']);
    expect(updated.connectors).toEqual({ accounts: outcome('accounts', 'pending'), calls: outcome('calls', 'pending') });
    expect((await h.ctx.repo.get(r.requestId)).connectors).toEqual(updated.connectors);
  });

  it('rewrite only the outcomes that changed, and the request item without them', async () => {
    const r = await putRequest(h, { status: 'in_progress', receivedAt: '2026-01-05T10:00:00Z' });
    await h.ctx.repo.update(r.requestId, { connectors: { accounts: outcome('accounts', 'pending'), calls: outcome('calls', 'pending') } });
    writes = [];

    await h.ctx.repo.update(r.requestId, { connectors: { accounts: outcome('accounts', 'pending'), calls: outcome('calls', 'succeeded', 60) } }, { onlyIf: ['in_progress'] });

    expect(writes).toEqual([
      { command: 'UpdateCommand', sk: 'META' },
      { command: 'PutCommand', sk: 'META#CONN#calls' },
    ]);
    expect((await h.ctx.repo.get(r.requestId)).connectors!.calls).toEqual(outcome('calls', 'succeeded', 60));
  });

  it('stay as they were, and are carried along, when a write changes other fields', async () => {
    const r = await putRequest(h, { status: 'in_progress', receivedAt: '2026-01-05T10:00:00Z' });
    await h.ctx.repo.update(r.requestId, { connectors: { accounts: outcome('accounts', 'succeeded', 3) } });
    writes = [];

    const updated = await h.ctx.repo.update(r.requestId, { status: 'assembling' }, { onlyIf: ['in_progress'] });

    expect(writes.filter((w) => w.sk.startsWith('META#CONN#'))).toEqual([]);
    expect(updated.connectors).toEqual({ accounts: outcome('accounts', 'succeeded', 3) });
  });

  it('are not written when the request is no longer in the status the write expects', async () => {
    const r = await putRequest(h, { status: 'cancelled', receivedAt: '2026-01-05T10:00:00Z', closedAt: '2026-01-06T10:00:00Z' });
    writes = [];

    await expect(h.ctx.repo.update(r.requestId, { connectors: { accounts: outcome('accounts', 'failed') } }, { onlyIf: ['in_progress'] })).rejects.toBeInstanceOf(StateConflict);

    expect(writes.filter((w) => w.sk.startsWith('META#CONN#'))).toEqual([]);
    expect((await h.ctx.repo.get(r.requestId)).connectors).toBeUndefined();
  });

  it('read a map an older version kept on the request item, and move it off with the next write of outcomes', async () => {
    const r = await putRequest(h, { status: 'in_progress', receivedAt: '2026-01-05T10:00:00Z' });
    await h.access.db.send(
      new UpdateCommand({ TableName: TABLE, Key: keys.request(r.requestId), UpdateExpression: 'SET connectors = :c', ExpressionAttributeValues: { ':c': { accounts: outcome('accounts', 'succeeded', 2), calls: outcome('calls', 'failed') } } }),
    );
    expect((await h.ctx.repo.get(r.requestId)).connectors).toEqual({ accounts: outcome('accounts', 'succeeded', 2), calls: outcome('calls', 'failed') });

    const current = await h.ctx.repo.get(r.requestId);
    await h.ctx.repo.update(r.requestId, { connectors: { ...current.connectors, calls: outcome('calls', 'pending') } });

    expect(await rawRequestItem(r.requestId)).not.toHaveProperty('connectors');
    expect((await h.ctx.repo.get(r.requestId)).connectors).toEqual({ accounts: outcome('accounts', 'succeeded', 2), calls: outcome('calls', 'pending') });
  });
});
