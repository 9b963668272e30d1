/**
 * The thread between staff and the subject. What staff write to the subject (`staff.message`, mailed to
 * the verified address) and what the subject writes back (answers on their status page, POST
 * /v1/requests/{id}/reply) sit on the request's audit trail as events, read back in order as one thread.
 * The words are about the subject (and the subject's own words are their personal data), unlike the
 * rest of the trail (who did what when), so they do not outlive the subject's identity on the request:
 * the retention sweep removes them with the email and name, and an erasure removes them from the
 * subject's earlier requests. The event itself stays, marked with when its text was removed.
 *
 * A message may ask the subject something (`question`): the request is then marked as waiting for the
 * subject (`awaitingSubject`) until they answer, for requests whose law does not let the clock stop
 * (./message-subject.ts sends it).
 */
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys, type AuditEvent } from './model.ts';

export const SUBJECT_MESSAGE = 'subject.message';
export const STAFF_MESSAGE = 'staff.message';

/** The same bound as the subject's reply (POST /v1/requests/{id}/reply). */
export const MESSAGE_MAX_LENGTH = 4000;

export interface ThreadEntry {
  at: string;
  from: 'staff' | 'subject';
  /** The staff member who wrote it (absent for the subject). */
  by?: string;
  /** Absent once the retention sweep or an erasure removed the words (`removedAt` says when). */
  text?: string;
  removedAt?: string;
  /** A staff message that asked the subject something. */
  question?: boolean;
}

/** The thread read off a request's trail, oldest first (the trail's own order). */
export function threadOf(trail: readonly Pick<AuditEvent, 'at' | 'actor' | 'action' | 'detail'>[]): ThreadEntry[] {
  const out: ThreadEntry[] = [];
  for (const e of trail) {
    if (e.action !== STAFF_MESSAGE && e.action !== SUBJECT_MESSAGE) continue;
    const text = typeof e.detail?.message === 'string' ? e.detail.message : undefined;
    const removedAt = typeof e.detail?.messageRemovedAt === 'string' ? e.detail.messageRemovedAt : undefined;
    out.push({
      at: e.at,
      from: e.action === STAFF_MESSAGE ? 'staff' : 'subject',
      ...(e.action === STAFF_MESSAGE ? { by: e.actor, question: e.detail?.question === true } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(removedAt ? { removedAt } : {}),
    });
  }
  return out;
}

/** Removes the text of every message of the thread (`subject.message`, `staff.message`); returns how many it removed. */
export async function forgetSubjectMessages(db: DynamoDBDocumentClient, table: string, requestId: string, at: string): Promise<number> {
  let removed = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        FilterExpression: '#action IN (:message, :staff) AND attribute_exists(#detail.#text)',
        ExpressionAttributeNames: { '#action': 'action', '#detail': 'detail', '#text': 'message' },
        ExpressionAttributeValues: { ':pk': keys.request(requestId).pk, ':evt': keys.auditPrefix, ':message': SUBJECT_MESSAGE, ':staff': STAFF_MESSAGE },
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
