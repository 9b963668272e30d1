/**
 * The demo account store's items of one address (table `demo-accounts`, index `by-email`), read as the
 * end-to-end tests check what a request did to the account store.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';

export async function accountItems(email: string) {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const out = await db.send(new QueryCommand({ TableName: 'demo-accounts', IndexName: 'by-email', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': email } }));
  return out.Items ?? [];
}
