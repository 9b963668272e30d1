/**
 * The items a request keeps beside its own (`REQ#<id>`): its audit trail, connector outcomes, erasure
 * progress, follow-up tasks, a rectification's values. Each kind sorts under its own prefix, so one
 * paged, consistent Query reads a kind; every store reads its kind through this one function.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export async function requestItems<T = Record<string, unknown>>(db: DynamoDBDocumentClient, table: string, requestId: string, prefix: string): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `REQ#${requestId}`, ':prefix': prefix },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
