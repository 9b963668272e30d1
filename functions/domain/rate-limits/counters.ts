/**
 * Fixed-window counters in the request table: one item per key and window, counted with one
 * conditional UpdateItem (ADD while below the limit), so any number of concurrent callers get exactly
 * `limit` allowances per window and never more. The window's start is part of the item's key: a window
 * past its end is never read again, so it counts as empty even where the TTL does not remove it
 * (dynalite keeps expired items; DynamoDB removes them within days of `expiration`).
 */
import { createHash } from 'node:crypto';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { RateWindow } from '#commons/config';
import type { Clock } from '../context.ts';

/** The table's TTL attribute (`TTL_ATTRIBUTE` in infra/table.ts, which the CDK stack enables). */
export const COUNTER_TTL_ATTRIBUTE = 'expiration';

export type Allowance = { allowed: true; count: number } | { allowed: false; retryAfterSeconds: number };

/** The item of one key's window. Its key holds only a hash of what is counted (an IP, an address). */
export function counterKey(scope: string, keyHash: string, windowStartMs: number) {
  return { pk: `RATE#${scope}#${keyHash}`, sk: `W#${new Date(windowStartMs).toISOString()}` };
}

/** A one-way name for a counted value, so no IP or address is stored in clear. */
export function hashKey(kind: string, value: string): string {
  return createHash('sha256').update(`rate:${kind}:${value}`, 'utf8').digest('hex');
}

export class RateCounters {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  /**
   * Takes one allowance from `keyHash`'s current window of `scope`. Refused when the window already
   * holds `limit`; the answer then says how many seconds remain until the next window.
   */
  async take(scope: string, keyHash: string, window: RateWindow): Promise<Allowance> {
    const now = this.clock.now().getTime();
    const length = window.windowSeconds * 1000;
    const start = Math.floor(now / length) * length;
    const end = start + length;
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: counterKey(scope, keyHash, start),
          UpdateExpression: 'ADD #count :one SET #exp = :exp',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count', '#exp': COUNTER_TTL_ATTRIBUTE },
          // Kept a day past the window's end: long enough to read while it matters, then DynamoDB's TTL removes it.
          ExpressionAttributeValues: { ':one': 1, ':limit': window.limit, ':exp': Math.ceil(end / 1000) + 86_400 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { allowed: true, count: Number(out.Attributes?.count ?? 1) };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException') {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((end - now) / 1000)) };
      }
      throw err;
    }
  }
}
