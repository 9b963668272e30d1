/**
 * A DynamoDB table of the company's own (the demo's account store), found by a query on an index whose
 * partition key holds the normalised email. It never scans: the table holds everybody else too.
 */
import { DeleteCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbConnectorConfig, RectifyTargets } from '#commons/config';
import { mapAwsError } from './aws-errors.ts';
import { checkTotal } from './completeness.ts';
import { anonymizeValue } from './anonymize.ts';
import { ADDRESS_PARTS, addressFrom, addressOfValue, addressParts, checkCorrections, holdsField, movedTo, systemFieldOf, textOf } from './corrections.ts';
import type {
  Connector,
  ConnectorContext,
  Correction,
  DataRecord,
  ErasureItem,
  ErasureOutcome,
  FieldValue,
  FieldValueData,
  MarketingCapability,
  MarketingStatus,
  ObjectCounts,
  PolicyFor,
  PostalAddress,
  RectifiableField,
  RectificationItem,
  RectifyCapability,
  RestrictCapability,
  Subject,
  SuppressionItem,
} from './types.ts';
import { dynamoDbRestriction, markEach } from './dynamodb-restriction.ts';

export class DynamoDbTableConnector implements Connector {
  readonly id: string;
  readonly marketing?: MarketingCapability;
  readonly rectify?: RectifyCapability;
  readonly restrict?: RestrictCapability;
  constructor(
    readonly config: DynamoDbConnectorConfig,
    private readonly db: DynamoDBDocumentClient,
  ) {
    this.id = config.id;
    // Only a table with a marketing flag markets: the others have nothing to suppress.
    if (config.marketing) {
      const flag = config.marketing;
      this.marketing = {
        suppress: (subject, ctx) => this.suppress(subject, ctx, flag),
        status: (subject, ctx) => this.marketingStatus(subject, ctx, flag),
      };
    }
    // Only a table with a restriction mark can be restricted; without one, staff restrict by hand.
    if (config.restriction) this.restrict = dynamoDbRestriction(config, config.restriction, db, (subject, ctx) => this.items(subject, ctx));
    // Only a table whose configuration names where the fields are can have them corrected.
    if (config.rectify) {
      const targets = config.rectify;
      this.rectify = {
        current: (subject, fields, ctx) => this.currentValues(subject, fields, ctx, targets),
        apply: (subject, corrections, ctx) => this.applyCorrections(subject, corrections, ctx, targets),
      };
    }
  }

  /** The value of `field` on one item, as the configuration says where it is kept. */
  private valueOf(item: Record<string, unknown>, targets: RectifyTargets, field: RectifiableField): FieldValueData | null {
    const target = targets[field];
    if (field !== 'address') return typeof target === 'string' ? textOf(item[target]) : null;
    if (typeof target === 'string') return addressOfValue(item[target]);
    return target ? addressFrom((part) => (target[part] ? item[target[part]] : undefined)) : null;
  }

  private async currentValues(subject: Subject, fields: readonly RectifiableField[], ctx: ConnectorContext, targets: RectifyTargets): Promise<FieldValue[]> {
    const held = fields.filter((f) => holdsField(targets, f));
    const out: FieldValue[] = [];
    if (!held.length) return out;
    for await (const item of this.items(subject, ctx)) {
      for (const field of held) {
        out.push({ object: this.config.objectName, recordId: this.recordId(item), field, systemField: systemFieldOf(targets, field), value: this.valueOf(item, targets, field) });
      }
    }
    return out;
  }

  /**
   * The update expression of one correction. An address kept part by part is replaced whole: the parts
   * the correction leaves out are removed, so no line of the old address stays beside the new one. The
   * lookup attribute holds the normalised email, so a corrected email is written normalised (the item is
   * then found by the new address, not the old one).
   */
  private updateFor(c: Correction, targets: RectifyTargets): { expression: string; names: Record<string, string>; values: Record<string, unknown> } {
    const target = targets[c.field]!;
    if (c.field === 'address') {
      const parts = addressParts(c.value as PostalAddress);
      if (typeof target === 'string') return { expression: 'SET #f = :v', names: { '#f': target }, values: { ':v': parts } };
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      const removes: string[] = [];
      ADDRESS_PARTS.forEach((part, i) => {
        const attr = target[part];
        if (!attr) return;
        names[`#p${i}`] = attr;
        const value = parts[part];
        if (value === undefined) removes.push(`#p${i}`);
        else {
          values[`:p${i}`] = value;
          sets.push(`#p${i} = :p${i}`);
        }
      });
      return { expression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].join(' ').trim(), names, values };
    }
    const text = (c.value as string).trim();
    const value = c.field === 'email' && target === this.config.lookup.partitionKey ? text.toLowerCase() : text;
    return { expression: 'SET #f = :v', names: { '#f': target as string }, values: { ':v': value } };
  }

  /**
   * Writes each correction to its item. Only the subject's own items (found as access finds them) are
   * written: a record id from anywhere else is `not_found`, never an update of someone else's item.
   */
  private async applyCorrections(subject: Subject, corrections: readonly Correction[], ctx: ConnectorContext, targets: RectifyTargets): Promise<RectificationItem[]> {
    checkCorrections(this.id, corrections, (field) => holdsField(targets, field));
    const mine = new Map<string, Record<string, unknown>>();
    for await (const item of this.items(subject, ctx)) mine.set(this.recordId(item), item);
    // An item an earlier run of this batch already moved to the corrected address is found there.
    const wanted = new Set(corrections.map((c) => c.recordId));
    for (const moved of movedTo(corrections, (c) => mine.has(c.recordId))) {
      for await (const item of this.items(moved, ctx)) if (wanted.has(this.recordId(item))) mine.set(this.recordId(item), item);
    }
    const out: RectificationItem[] = [];
    for (const c of corrections) {
      const done = (status: RectificationItem['status']) => out.push({ object: c.object, recordId: c.recordId, field: c.field, status });
      const item = c.object === this.config.objectName ? mine.get(c.recordId) : undefined;
      if (!item) {
        done('not_found');
        continue;
      }
      const update = this.updateFor(c, targets);
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.config.tableName,
            Key: Object.fromEntries(this.config.keyAttributes.map((k) => [k, item[k]])),
            UpdateExpression: update.expression,
            // Never recreate an item erased meanwhile: an update of a missing key would write a new one.
            ConditionExpression: 'attribute_exists(#k)',
            ExpressionAttributeNames: { ...update.names, '#k': this.config.keyAttributes[0]! },
            ExpressionAttributeValues: Object.keys(update.values).length ? update.values : undefined,
          }),
          { abortSignal: ctx.signal },
        );
        done('corrected');
      } catch (err) {
        if ((err as Error).name === 'ConditionalCheckFailedException') done('not_found');
        else throw mapAwsError(this.id, err);
      }
    }
    return out;
  }

  /** Sets the marketing flag to its opted-out value on each of the subject's items (the time only when it changes). */
  private async suppress(subject: Subject, ctx: ConnectorContext, flag: NonNullable<DynamoDbConnectorConfig['marketing']>): Promise<SuppressionItem[]> {
    const found: Record<string, unknown>[] = [];
    for await (const item of this.items(subject, ctx)) found.push(item);
    if (!found.length) return [];
    const at = new Date().toISOString();
    const suppressed = await markEach(
      this.config,
      this.db,
      found,
      (item) => item[flag.attribute] === flag.optedOutValue,
      {
        UpdateExpression: flag.optedOutAtAttribute ? 'SET #f = :v, #at = :at' : 'SET #f = :v',
        ExpressionAttributeNames: { '#f': flag.attribute, ...(flag.optedOutAtAttribute ? { '#at': flag.optedOutAtAttribute } : {}) },
        ExpressionAttributeValues: { ':v': flag.optedOutValue, ...(flag.optedOutAtAttribute ? { ':at': at } : {}) },
      },
      ctx,
    );
    return [{ object: this.config.objectName, suppressed }];
  }

  private async marketingStatus(subject: Subject, ctx: ConnectorContext, flag: NonNullable<DynamoDbConnectorConfig['marketing']>): Promise<MarketingStatus[]> {
    let optedOut = 0;
    let allowed = 0;
    for await (const item of this.items(subject, ctx)) {
      if (item[flag.attribute] === flag.optedOutValue) optedOut++;
      else allowed++;
    }
    return optedOut + allowed ? [{ object: this.config.objectName, optedOut, allowed }] : [];
  }

  private recordId(item: Record<string, unknown>): string {
    return this.config.keyAttributes.map((k) => String(item[k])).join('#');
  }

  /** One page of the subject's items on the lookup index (or, with `Select: COUNT`, only their number). */
  private async page(subject: Subject, ctx: ConnectorContext, start: Record<string, unknown> | undefined, select?: 'COUNT') {
    const { tableName, lookup } = this.config;
    try {
      return await this.db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: lookup.indexName,
          KeyConditionExpression: '#k = :v',
          ExpressionAttributeNames: { '#k': lookup.partitionKey },
          ExpressionAttributeValues: { ':v': subject.normalizedEmail },
          ...(select ? { Select: select } : {}),
          ExclusiveStartKey: start,
        }),
        { abortSignal: ctx.signal },
      );
    } catch (err) {
      throw mapAwsError(this.id, err);
    }
  }

  private async *items(subject: Subject, ctx: ConnectorContext): AsyncGenerator<Record<string, unknown>> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.page(subject, ctx, start);
      // `Count` is how many items this page matched: fewer items than that is a page cut short.
      const items = out.Items ?? [];
      checkTotal(this.id, 'Query', items.length, out.Count);
      for (const item of items) yield item;
      start = out.LastEvaluatedKey;
    } while (start);
  }

  async *access(subject: Subject, ctx: ConnectorContext): AsyncIterable<DataRecord> {
    for await (const item of this.items(subject, ctx)) {
      yield { object: this.config.objectName, id: this.recordId(item), data: item };
    }
  }

  /** The same query with `Select: COUNT`: DynamoDB answers the number and sends no item. */
  async countOnly(subject: Subject, ctx: ConnectorContext): Promise<ObjectCounts> {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.page(subject, ctx, start, 'COUNT');
      total += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return { [this.config.objectName]: total };
  }

  async erase(subject: Subject, policyFor: PolicyFor, ctx: ConnectorContext): Promise<ErasureOutcome> {
    const object = this.config.objectName;
    const policy = policyFor(object);
    // Collect the keys first: deleting while paging a query over the same index could skip items.
    const found: Record<string, unknown>[] = [];
    for await (const item of this.items(subject, ctx)) found.push(item);
    if (found.length === 0) {
      const item: ErasureItem = { object, action: 'not_found', count: 0 };
      await ctx.erased?.(item);
      return { connectorId: this.id, items: [item] };
    }
    if (policy.action === 'retain') {
      const item: ErasureItem = { object, action: 'retained', count: found.length, legalBasis: policy.legalBasis, retentionPeriod: policy.retentionPeriod };
      await ctx.erased?.(item);
      return { connectorId: this.id, items: [item] };
    }
    const action = policy.action === 'delete' ? 'deleted' : 'anonymized';
    // Items deleted so far: a run that fails part-way still reports them, since a later run no longer
    // finds them (anonymized ones it may find and count again, so those are reported only at the end).
    let done = 0;
    try {
      for (const item of found) {
        const Key = Object.fromEntries(this.config.keyAttributes.map((k) => [k, item[k]]));
        if (policy.action === 'delete') {
          await this.db.send(new DeleteCommand({ TableName: this.config.tableName, Key }), { abortSignal: ctx.signal });
        } else {
          const names: Record<string, string> = {};
          const values: Record<string, unknown> = {};
          const sets: string[] = [];
          const removes: string[] = [];
          Object.entries(policy.fields).forEach(([field, how], i) => {
            names[`#a${i}`] = field;
            if (how === 'null') removes.push(`#a${i}`);
            else {
              values[`:a${i}`] = anonymizeValue(item[field], how);
              sets.push(`#a${i} = :a${i}`);
            }
          });
          await this.db.send(
            new UpdateCommand({
              TableName: this.config.tableName,
              Key,
              UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].join(' ').trim(),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
            }),
            { abortSignal: ctx.signal },
          );
        }
        done++;
      }
    } catch (err) {
      if (done && action === 'deleted') await ctx.erased?.({ object, action, count: done });
      throw mapAwsError(this.id, err);
    }
    const item: ErasureItem = { object, action, count: found.length };
    await ctx.erased?.(item);
    return { connectorId: this.id, items: [item] };
  }
}

