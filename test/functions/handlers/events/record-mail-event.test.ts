/** The function subscribed to the mail-events topic, with DynamoDB mocked (aws-sdk-client-mock). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SNSEvent } from 'aws-lambda';
import { subjectHash } from '#commons/tokens';
import { requestRecord, testConfig } from '../../../support/dynalite-harness.ts';
import { readOf } from '../../../support/in-memory-context.ts';

type Handler = (event: SNSEvent, context: Context) => Promise<{ outcomes: Array<{ recorded: boolean; reason?: string }> }>;

const db = mockClient(DynamoDBDocumentClient);
let handler: Handler;
const request = { ...requestRecord({ receivedAt: '2026-11-20T10:00:00Z' }), subjectHash: subjectHash('subject@example.test') };

beforeAll(async () => {
  Object.assign(process.env, { DSAR_CONFIG: JSON.stringify(testConfig()), DSAR_TABLE: 'dsar-requests' });
  handler = (await import('../../../../functions/handlers/events/record-mail-event.ts')).handler as unknown as Handler;
});
beforeEach(() => {
  db.reset();
  db.on(GetCommand).resolves({ Item: request });
  db.on(QueryCommand).resolves({ Items: [] });
  db.on(QueryCommand, readOf(request.requestId)).resolves({ Items: [request] });
  db.on(PutCommand).resolves({});
});
afterAll(() => db.restore());

const context = { functionName: 'record-mail-event', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

const sns = (...messages: string[]): SNSEvent => ({
  Records: messages.map((Message, i) => ({
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:eu-north-1:111111111111:MailEvents:sub',
    Sns: { MessageId: `sns-${i}`, Message, Type: 'Notification', TopicArn: 'arn:aws:sns:eu-north-1:111111111111:MailEvents', Timestamp: '2026-11-20T10:00:06Z' } as SNSEvent['Records'][number]['Sns'],
  })),
});

const sesBounce = JSON.stringify({
  eventType: 'Bounce',
  mail: { messageId: 'ses-msg-1', timestamp: '2026-11-20T10:00:01Z', source: 'privacy@example-video.test', destination: ['subject@example.test'], tags: { requestId: [request.requestId] } },
  bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: '2026-11-20T10:00:05Z', bouncedRecipients: [{ emailAddress: 'subject@example.test', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] },
});

describe('the mail-events function', () => {
  it('appends email.bounced to the request\'s trail, append-only and without the address', async () => {
    const result = await handler(sns(sesBounce), context);

    expect(result.outcomes).toEqual([{ recorded: true, requestId: request.requestId, action: 'email.bounced' }]);
    const put = db.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.TableName).toBe('dsar-requests');
    expect(put.ConditionExpression).toBe('attribute_not_exists(sk)');
    expect(put.Item).toMatchObject({
      pk: `REQ#${request.requestId}`,
      actor: 'system',
      action: 'email.bounced',
      detail: { messageId: 'ses-msg-1', recipient: 'subject', bounceType: 'Permanent' },
    });
    expect(JSON.stringify(put.Item)).not.toContain('@');
  });

  it('skips a message that is not an SES event, and still records the others of the batch', async () => {
    const result = await handler(sns('You have chosen to subscribe to the topic', sesBounce), context);

    expect(result.outcomes).toHaveLength(1);
    expect(db.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('fails the invocation when the trail cannot be written, so SNS delivers again', async () => {
    db.on(PutCommand).rejects(new Error('ProvisionedThroughputExceededException'));

    await expect(handler(sns(sesBounce), context)).rejects.toThrow('ProvisionedThroughputExceededException');
  });
});
