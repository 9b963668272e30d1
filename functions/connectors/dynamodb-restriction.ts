/**
 * The restrict capability of a DynamoDB table of the company's own (GDPR Art. 18): a configured mark
 * (`restriction: {attribute, restrictedValue, restrictedAtAttribute}`) on each of the subject's items,
 * which the company's own processes honour. Setting writes the mark and its time; lifting removes both;
 * the status reads them back. Every write is conditional on the item still existing, so an item erased
 * meanwhile is not recreated as a bare key with a mark on it.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbConnectorConfig } from '#commons/config';
import { mapAwsError } from './aws-errors.ts';
import type { ConnectorContext, RestrictCapability, RestrictionItem, RestrictionStatus, Subject } from './types.ts';

type Mark = NonNullable<DynamoDbConnectorConfig['restriction']>;
/** An UpdateCommand without its table, key and condition, which markEach adds. */
export type ItemUpdate = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key' | 'ConditionExpression'>;
type Items = (subject: Subject, ctx: ConnectorContext) => AsyncIterable<Record<string, unknown>>;

export function dynamoDbRestriction(config: DynamoDbConnectorConfig, mark: Mark, db: DynamoDBDocumentClient, items: Items): RestrictCapability {
  const isMarked = (item: Record<string, unknown>) => item[mark.attribute] === mark.restrictedValue;

  /** Writes `update` on every item of the subject not yet in the wanted state; counts those in it after. */
  async function each(subject: Subject, ctx: ConnectorContext, wanted: boolean, update: ItemUpdate): Promise<RestrictionItem[]> {
    const found: Record<string, unknown>[] = [];
    for await (const item of items(subject, ctx)) found.push(item);
    if (!found.length) return [];
    const records = await markEach(config, db, found, (item) => isMarked(item) === wanted, update, ctx);
    return [{ object: config.objectName, records }];
  }

  return {
    set: (subject, ctx) =>
      each(subject, ctx, true, {
        UpdateExpression: 'SET #m = :v, #at = :at',
        ExpressionAttributeNames: { '#m': mark.attribute, '#at': mark.restrictedAtAttribute },
        ExpressionAttributeValues: { ':v': mark.restrictedValue, ':at': new Date().toISOString() },
      }),
    lift: (subject, ctx) =>
      each(subject, ctx, false, {
        UpdateExpression: 'REMOVE #m, #at',
        ExpressionAttributeNames: { '#m': mark.attribute, '#at': mark.restrictedAtAttribute },
      }),
    async status(subject, ctx): Promise<RestrictionStatus[]> {
      let restricted = 0;
      let unrestricted = 0;
      for await (const item of items(subject, ctx)) {
        if (isMarked(item)) restricted++;
        else unrestricted++;
      }
      return restricted + unrestricted ? [{ object: config.objectName, restricted, unrestricted }] : [];
    },
  };
}

/**
 * Writes `update` on each of `found` that is not yet `inState`, on the condition that the item still
 * exists, and counts the items in that state after: the restriction mark here, the marketing flag
 * (dynamodb-table.ts). An item gone since the query is no longer a record of the subject: it is neither
 * recreated as a bare key with a mark on it nor counted.
 */
export async function markEach(
  config: DynamoDbConnectorConfig,
  db: DynamoDBDocumentClient,
  found: readonly Record<string, unknown>[],
  inState: (item: Record<string, unknown>) => boolean,
  update: ItemUpdate,
  ctx: ConnectorContext,
): Promise<number> {
  let count = 0;
  for (const item of found) {
    if (!inState(item)) {
      try {
        await db.send(
          new UpdateCommand({
            ...update,
            TableName: config.tableName,
            Key: Object.fromEntries(config.keyAttributes.map((k) => [k, item[k]])),
            ConditionExpression: 'attribute_exists(#k)',
            ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#k': config.keyAttributes[0]! },
          }),
          { abortSignal: ctx.signal },
        );
      } catch (err) {
        if ((err as Error).name === 'ConditionalCheckFailedException') continue;
        throw mapAwsError(config.id, err);
      }
    }
    count++;
  }
  return count;
}
