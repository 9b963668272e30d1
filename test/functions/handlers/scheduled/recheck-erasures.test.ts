/**
 * The erasure re-check's handler, run as EventBridge Scheduler runs it, against a real dynalite: the
 * request table and the `accounts` table its DynamoDB connector reads back, with SES mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { CreateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { RecheckSummary } from '../../../../functions/domain/erasure-recheck/index.ts';
import { handlerEnvironment, putRequest, startHarness, type Harness } from '../../../support/dynalite-harness.ts';
import { lambdaContext } from '../support.ts';

type Handler = (event: unknown, context: Context) => Promise<RecheckSummary>;

let h: Harness;
let handler: Handler;
const ses = mockClient(SESv2Client);

beforeAll(async () => {
  h = await startHarness();
  await h.access.db.send(
    new CreateTableCommand({
      TableName: 'accounts',
      KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }, { AttributeName: 'id', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'email', AttributeType: 'S' }, { AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client: h.access.db, maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 }, { TableName: 'accounts' });
  Object.assign(process.env, handlerEnvironment(h));
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  handler = (await import('../../../../functions/handlers/scheduled/recheck-erasures.ts')).handler as unknown as Handler;
});
afterAll(async () => {
  ses.restore();
  await h?.close();
});

/** A closed erasure whose `accounts` re-check fell due a minute ago. */
async function dueRecheck(): Promise<string> {
  const r = await putRequest(h, { type: 'erasure', status: 'completed', receivedAt: '2026-01-01T10:00:00Z', closedAt: '2026-01-02T10:00:00Z' });
  const objects = [{ object: 'account', vendor: 'Example Vendor', withinDays: 30 }];
  await h.ctx.repo.scheduleErasureRecheck({ requestId: r.requestId, connectorId: 'accounts', dueAt: new Date(Date.now() - 60_000).toISOString(), objects });
  return r.requestId;
}

describe('the erasure re-check job', () => {
  it('reads the subject back through the real connector, audits it, and mails staff only for what is still there', async () => {
    const gone = await dueRecheck();
    let result = await handler({}, lambdaContext());
    expect(result).toMatchObject({ due: 1, confirmed: 1, staffTold: false });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect((await h.ctx.repo.auditTrail(gone)).find((e) => e.action === 'erasure.rechecked')?.detail).toMatchObject({ outcome: 'confirmed' });

    const left = await dueRecheck();
    await h.access.db.send(new PutCommand({ TableName: 'accounts', Item: { email: 'subject@example.test', id: 'acct-1' } }));
    result = await handler({}, lambdaContext());
    expect(result).toMatchObject({ due: 1, stillFound: 1, staffTold: true });
    const sent = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.Destination?.ToAddresses?.sort()).toEqual(['privacy-team@example-video.test', 'second@example-video.test']);
    expect((await h.ctx.repo.auditTrail(left)).find((e) => e.action === 'erasure.rechecked')?.detail).toMatchObject({ outcome: 'still_found', residual: { account: 1 } });
  });
});
