/**
 * What a subject wrote to us (answers to what staff asked, POST /v1/requests/{id}/reply) sits on the
 * request's audit trail as `subject.message`. The words are the subject's personal data, unlike the
 * rest of the trail (who did what when), so they do not outlive the subject's identity on the request:
 * the retention sweep removes them with the email and name, and an erasure removes them from the
 * subject's earlier requests. The event itself stays, marked with when its text was removed.
 */
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './model.ts';

export const SUBJECT_MESSAGE = 'subject.message';

/** Removes the text of every `subject.message` event of the request; returns how many it removed. */
export async function forgetSubjectMessages(db: DynamoDBDocumentClient, table: string, requestId: string, at: string): Promise<number> {
  let removed = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        FilterExpression: '#action = :message AND attribute_exists(#detail.#text)',
        ExpressionAttributeNames: { '#action': 'action', '#detail': 'detail', '#text': 'message' },
        ExpressionAttributeValues: { ':pk': keys.request(requestId).pk, ':evt': keys.auditPrefix, ':message': SUBJECT_MESSAGE },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'REMOVE #detail.#text SET #detail.#removed = :at',
          ExpressionAttributeNames: { '#detail': 'detail', '#text': 'message', '#removed': 'messageRemovedAt' },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      removed++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return removed;
}
