/**
 * Where a rectification keeps what staff decide with: the current values each system holds (read at the
 * preview, before review) and the corrections and refusals staff chose at approval. Items of the request,
 * never on the request item itself (three indexes copy that in full on every write, issue 18):
 *
 * | item            | pk           | sk                          |
 * |-----------------|--------------|-----------------------------|
 * | current values  | REQ#<id>     | RECTIFY#CURRENT#<connector> |
 * | staff's choice  | REQ#<id>     | RECTIFY#CHOICE              |
 * | address alias   | REQ#<id>     | RECTIFY#ALIAS#<hash>        |
 *
 * The alias is written when a system's email address was corrected: it carries the new address's
 * subject hash and the request's `receivedAt`, so the by-subject index lists the request under the new
 * address too (the repository's `bySubject` reads an alias as the request it names).
 *
 * Both hold the subject's personal data (their phone, address, name as the systems hold them), so they
 * are never logged, and retention empties them with the subject's identity (../retention/subjects.ts).
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requestItems } from '../requests/request-items.ts';
import type { Correction, FieldValue, RectifiableField } from '#connectors/types';

export const RECTIFY_PREFIX = 'RECTIFY#';
const CURRENT_PREFIX = `${RECTIFY_PREFIX}CURRENT#`;
export const rectifyKeys = {
  current: (id: string, connectorId: string) => ({ pk: `REQ#${id}`, sk: `${CURRENT_PREFIX}${connectorId}` }),
  choice: (id: string) => ({ pk: `REQ#${id}`, sk: `${RECTIFY_PREFIX}CHOICE` }),
  alias: (id: string, hash: string) => ({ pk: `REQ#${id}`, sk: `${RECTIFY_PREFIX}ALIAS#${hash}` }),
};

/** A correction staff refused (11 CCR §7023(f): the data is more likely accurate), with the reason the subject is told. */
export interface Refusal {
  field: RectifiableField;
  reason: string;
}

/** What staff chose at approval: per connector the corrections to write, and the fields refused. */
export interface RectificationChoice {
  corrections: Record<string, Correction[]>;
  refusals: Refusal[];
  by: string;
  at: string;
}

export interface RectificationStore {
  putCurrent(requestId: string, connectorId: string, values: FieldValue[], at: string): Promise<void>;
  /** Connector id -> the values read at the preview. */
  current(requestId: string): Promise<Record<string, FieldValue[]>>;
  putChoice(requestId: string, choice: RectificationChoice): Promise<void>;
  choice(requestId: string): Promise<RectificationChoice | undefined>;
  /** Lists the request under another subject hash too (a corrected email address); idempotent. */
  putAlias(requestId: string, subjectHash: string, receivedAt: string): Promise<void>;
  /**
   * Takes the subject's data off every item above (retention): the values, the corrections and
   * refusals, and the alias's hash, which drops it out of the by-subject index. An update, not a delete:
   * the retention job may only change items it found (least privilege). Returns how many items it changed.
   */
  forget(requestId: string, at: string): Promise<number>;
}

export class DynamoRectificationStore implements RectificationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putCurrent(requestId: string, connectorId: string, values: FieldValue[], at: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...rectifyKeys.current(requestId, connectorId), requestId, connectorId, values, at } }));
  }

  async current(requestId: string): Promise<Record<string, FieldValue[]>> {
    const out: Record<string, FieldValue[]> = {};
    // Items retention emptied have no values any more.
    for (const item of await this.items(requestId, CURRENT_PREFIX)) if (item.values) out[item.connectorId as string] = item.values as FieldValue[];
    return out;
  }

  async putChoice(requestId: string, choice: RectificationChoice): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...rectifyKeys.choice(requestId), requestId, ...choice } }));
  }

  async choice(requestId: string): Promise<RectificationChoice | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: rectifyKeys.choice(requestId), ConsistentRead: true }));
    // Emptied by retention: the choice's values are gone with the subject's identity.
    if (!out.Item?.corrections) return undefined;
    const { corrections, refusals, by, at } = out.Item as RectificationChoice;
    return { corrections, refusals, by, at };
  }

  async putAlias(requestId: string, subjectHash: string, receivedAt: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...rectifyKeys.alias(requestId, subjectHash), aliasOf: requestId, subjectHash, receivedAt } }));
  }

  async forget(requestId: string, at: string): Promise<number> {
    const items = (await this.items(requestId, RECTIFY_PREFIX)).filter((i) => !i.forgottenAt);
    for (const item of items) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET forgottenAt = :at REMOVE #values, corrections, refusals, subjectHash',
          ExpressionAttributeNames: { '#values': 'values' },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    }
    return items.length;
  }

  private items(requestId: string, prefix: string): Promise<Array<Record<string, unknown>>> {
    return requestItems(this.db, this.table, requestId, prefix);
  }
}
