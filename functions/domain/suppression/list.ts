/**
 * The marketing suppression list: who objected to marketing or withdrew consent (GDPR Art. 21(2)-(3),
 * Art. 7(3)) or opted out of sale or sharing (CCPA §1798.120, 11 CCR §7026), so that nothing turns
 * marketing back on later: an import of leads, a re-sync from a vendor, a sign-up form.
 *
 * One item per subject, `SUPPRESSION#<hash>` / `MARKETING`, keyed by the hash of the normalised address
 * that the by-subject index uses (`subjectHash`): no address in clear, and a caller holding an address
 * finds its entry with one read. It is not part of any request: retention's hashing of a closed request
 * and an erasure leave it alone, on purpose. Art. 21(3) ("shall no longer be processed for such
 * purposes") and §7026 bind the company after the subject's data is gone, and the only way to honour
 * that when the address comes back in an import is to remember, as a hash, that it must not be marketed
 * to. The hash is all that is kept: no name, no data, no request details (see docs/marketing-opt-out.md).
 *
 * Per system, the time the act step's read-back confirmed the opt-out is kept (`system:<connectorId>`),
 * which is what a later access report says ("you opted out of marketing on <date>").
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { subjectHash } from '#commons/tokens';

export interface SuppressionEntry {
  /** When the first opt-out of this address was recorded. */
  since: string;
  /** The opt-out request that last confirmed it. */
  lastRequestId: string;
  /** Connector id -> when that system's read-back first confirmed the opt-out. */
  systems: Record<string, string>;
}

export interface SuppressionList {
  /** Records that the subject (by the hash of their normalised address) opted out: idempotent, the first time stays. */
  record(hash: string, requestId: string, at: string): Promise<void>;
  /** Records that one system confirmed the opt-out; the first confirmation's time stays. */
  confirm(hash: string, connectorId: string, requestId: string, at: string): Promise<void>;
  get(hash: string): Promise<SuppressionEntry | undefined>;
}

const SYSTEM_PREFIX = 'system:';
export const suppressionKey = (hash: string) => ({ pk: `SUPPRESSION#${hash}`, sk: 'MARKETING' as const });

/** Whether an address (as typed: it is normalised here) is on the list. */
export async function isSuppressed(list: SuppressionList, email: string): Promise<SuppressionEntry | undefined> {
  return list.get(subjectHash(email.trim().toLowerCase()));
}

/** How many addresses one check may carry: an import checks its file in batches of this size. */
export const CHECK_MAX_ADDRESSES = 1000;
/** Reads in flight at once while checking a batch. */
const CHECK_CONCURRENCY = 25;

/**
 * The addresses of a batch that must not be marketed to, with since when (what an import, a sync or a
 * sign-up flow calls before it turns marketing on for anyone). Each address is answered as given;
 * duplicates are looked up once.
 */
export async function suppressedAmong(list: SuppressionList, emails: readonly string[]): Promise<Array<{ email: string; since: string }>> {
  const distinct = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
  const found = new Map<string, string>();
  for (let i = 0; i < distinct.length; i += CHECK_CONCURRENCY) {
    const part = distinct.slice(i, i + CHECK_CONCURRENCY);
    const entries = await Promise.all(part.map((email) => list.get(subjectHash(email))));
    entries.forEach((entry, j) => entry && found.set(part[j]!, entry.since));
  }
  return emails.filter((e) => found.has(e.trim().toLowerCase())).map((email) => ({ email, since: found.get(email.trim().toLowerCase())! }));
}

export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(hash: string, requestId: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: suppressionKey(hash),
        UpdateExpression: 'SET since = if_not_exists(since, :at), lastRequestId = :r',
        ExpressionAttributeValues: { ':at': at, ':r': requestId },
      }),
    );
  }

  async confirm(hash: string, connectorId: string, requestId: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: suppressionKey(hash),
        UpdateExpression: 'SET since = if_not_exists(since, :at), lastRequestId = :r, #s = if_not_exists(#s, :at)',
        ExpressionAttributeNames: { '#s': `${SYSTEM_PREFIX}${connectorId}` },
        ExpressionAttributeValues: { ':at': at, ':r': requestId },
      }),
    );
  }

  async get(hash: string): Promise<SuppressionEntry | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: suppressionKey(hash), ConsistentRead: true }));
    const item = out.Item as Record<string, unknown> | undefined;
    if (!item) return undefined;
    const systems = Object.fromEntries(
      Object.entries(item)
        .filter(([name]) => name.startsWith(SYSTEM_PREFIX))
        .map(([name, value]) => [name.slice(SYSTEM_PREFIX.length), String(value)]),
    );
    return { since: String(item.since), lastRequestId: String(item.lastRequestId), systems };
  }
}
