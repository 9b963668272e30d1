/**
 * Our own copy of the subject: a closed request keeps the subject's email and name (and the identifiers
 * an erasure resolved) only as long as the records policy says (24 months after closure by default, the
 * CCPA record-keeping period), then they are replaced by salted hashes. Everything else on the record stays: the dates, decisions and counts
 * are the evidence that the request was answered, and feed the yearly metrics.
 *
 * Closed requests carry `purgePk`/`purgeAfter`, a sparse index, so the sweep reads only what is due.
 * DynamoDB's TTL would delete the whole record instead of hashing two fields, so on AWS the same sweep
 * runs on a schedule, as it does in the embedded runtime.
 */
import { createHash, randomBytes } from 'node:crypto';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DsarConfig } from '#commons/config';
import { forgetSubjectMessages } from '../requests/messages.ts';
import { DynamoRectificationStore } from '../rectification/store.ts';
import { keys, PURGE_INDEX, type RequestRecord } from '../requests/model.ts';

/** When a request closed at `closedAt` gives up its subject fields. */
export function purgeAfter(config: DsarConfig, closedAt: string): string {
  const d = new Date(closedAt);
  d.setUTCMonth(d.getUTCMonth() + config.records.subjectRetentionMonths);
  return d.toISOString();
}

/** The attributes a closing request gets, so the sweep finds it when its time comes. */
export function retentionFields(config: DsarConfig, closedAt: string): Pick<RequestRecord, 'purgePk' | 'purgeAfter'> {
  return { purgePk: 'PURGE', purgeAfter: purgeAfter(config, closedAt) };
}

function saltedHash(salt: string, value: string): string {
  return createHash('sha256').update(`${salt}:${value}`, 'utf8').digest('hex');
}

function hashIdentifiers(salt: string, identifiers: NonNullable<RequestRecord['identifiers']>): NonNullable<RequestRecord['identifiers']> {
  return Object.fromEntries(
    Object.entries(identifiers).map(([connectorId, attributes]) => [
      connectorId,
      Object.fromEntries(Object.entries(attributes).map(([attribute, values]) => [attribute, values.map((v) => saltedHash(salt, `identifier:${v}`))])),
    ]),
  );
}

export async function sweepSubjectRetention(
  db: DynamoDBDocumentClient,
  table: string,
  now: Date,
): Promise<{ purged: number; read: number; trails: number }> {
  let purged = 0;
  let read = 0;
  /** Audit trails read to remove the subject's messages. */
  let trails = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: PURGE_INDEX,
        KeyConditionExpression: 'purgePk = :p AND purgeAfter <= :now',
        ExpressionAttributeValues: { ':p': 'PURGE', ':now': now.toISOString() },
        ExclusiveStartKey: start,
      }),
    );
    read += page.Count ?? 0;
    for (const item of (page.Items ?? []) as RequestRecord[]) {
      // Follow-up tasks still open (../todos) may need the subject's address (to finish a partial
      // answer): the request waits for them, and the next sweep after the last one takes it.
      if (item.todosOpen?.size) continue;
      const salt = randomBytes(16).toString('hex');
      const hashed = saltedHash(salt, item.subject.normalizedEmail);
      // The identifiers an erasure resolved (account id, Google Analytics user id) point at the person as
      // surely as the email: their values become salted hashes too, keeping only how many there were.
      const identifiers = item.identifiers ? hashIdentifiers(salt, item.identifiers) : undefined;
      // An agent who filed is a person too: their name and organisation go, their address becomes a
      // salted hash; how they acted and the permission's digest stay as evidence (the document itself
      // is expired by the documents bucket's lifecycle).
      const agent = item.agent
        ? { name: '', email: saltedHash(salt, `agent:${item.agent.email.trim().toLowerCase()}`), relationship: item.agent.relationship, permission: item.agent.permission }
        : undefined;
      // What the subject wrote to us goes with their identity (./messages.ts). First: the update below
      // takes the request out of the purge index, so a failure after it would leave the text for good;
      // removing it twice is harmless. Only a request the subject wrote to (or one from before that was
      // recorded) has its trail read: no query per purged request.
      if (item.subjectMessages !== false) {
        await forgetSubjectMessages(db, table, item.requestId, now.toISOString());
        trails++;
      }
      // A rectification's current values and the corrections staff chose are the subject's data (their
      // phone, address, name as each system held them): they go with the identity, first for the same reason.
      if (item.type === 'rectification') await new DynamoRectificationStore(db, table).forget(item.requestId, now.toISOString());
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.request(item.requestId),
            // Only these fields change; the name is removed, the email becomes the salted hash.
            UpdateExpression: `SET #subject = :subject, subjectHash = :hash, subjectSalt = :salt, subjectPurgedAt = :now${identifiers ? ', identifiers = :ids' : ''}${agent ? ', #agent = :agent' : ''} REMOVE purgePk, purgeAfter`,
            ConditionExpression: 'attribute_exists(purgePk) AND attribute_not_exists(todosOpen)',
            // Both are reserved words in DynamoDB expressions.
            ExpressionAttributeNames: { '#subject': 'subject', ...(agent ? { '#agent': 'agent' } : {}) },
            ExpressionAttributeValues: {
              ':subject': { email: hashed, normalizedEmail: hashed },
              ':hash': saltedHash(salt, `subject:${item.subject.normalizedEmail}`),
              ':salt': salt,
              ':now': now.toISOString(),
              ...(identifiers ? { ':ids': identifiers } : {}),
              ...(agent ? { ':agent': agent } : {}),
            },
          }),
        );
        purged++;
      } catch (err) {
        // Another sweep got there first.
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { purged, read, trails };
}
