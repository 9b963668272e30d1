/**
 * The marketing capability (a marketing opt-out's act step): HubSpot and Salesforce against their
 * sandboxes, the account store's flag against a mocked DynamoDB. Each suppresses, reads back, and is safe
 * to run again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTableConnector } from '#connectors/dynamodb-table';
import { createSaasConnector } from '#connectors/saas';
import { startSandboxes, type Sandboxes } from '../../../infra/local/sandboxes/index.ts';
import { ACCOUNTS_CONFIG, countRequests, ctx, depsFor, saasConfig, subjectOf, watchRequests } from './support.ts';

const BOB_EMAIL = 'bob@example.com';

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes({ crowd: 50 });
});
afterAll(() => sb.close());
afterEach(() => sb.faults.reset());

const saas = (kind: 'hubspot' | 'salesforce' | 'stripe') => createSaasConnector(saasConfig(kind, sb.urls[kind], {}), depsFor(sb));

/** Salesforce rows of a type whose Email (or, for an Individual, whose Contact's) is the address. */
function salesforceRows(object: 'Contact' | 'Lead' | 'Individual', email: string): Array<Record<string, unknown>> {
  const rows = [...sb.stores.salesforce.objects.get(object)!.values()] as Array<Record<string, unknown>>;
  if (object !== 'Individual') return rows.filter((r) => String(r.Email).toLowerCase() === email);
  const ids = new Set(salesforceRows('Contact', email).map((c) => c.IndividualId));
  return rows.filter((r) => ids.has(r.Id));
}

describe('HubSpot marketing capability', () => {
  it('unsubscribes alice from every subscription type she is in, and reads it back', async () => {
    const hubspot = saas('hubspot');
    expect(await hubspot.marketing!.status(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'subscription_preferences', optedOut: 0, allowed: 2 }]);

    const { result, count } = await countRequests('/communication-preferences/v3/unsubscribe', () => hubspot.marketing!.suppress(subjectOf('Alice@Example.com'), ctx));

    expect(result).toEqual([{ object: 'subscription_preferences', suppressed: 2 }]);
    expect(count).toBe(2);
    expect(sb.stores.hubspot.preferences.get('alice@example.com')!.map((s) => s.status)).toEqual(['NOT_SUBSCRIBED', 'NOT_SUBSCRIBED']);
    expect(await hubspot.marketing!.status(subjectOf('alice@example.com'), ctx)).toEqual([{ object: 'subscription_preferences', optedOut: 2, allowed: 0 }]);
  });

  it('does not unsubscribe twice (HubSpot refuses it): a second run writes nothing and still counts the types', async () => {
    const hubspot = saas('hubspot');
    await hubspot.marketing!.suppress(subjectOf('alice@example.com'), ctx);

    const { result, count } = await countRequests('/communication-preferences/v3/unsubscribe', () => hubspot.marketing!.suppress(subjectOf('alice@example.com'), ctx));

    expect(count).toBe(0);
    expect(result).toEqual([{ object: 'subscription_preferences', suppressed: 2 }]);
  });

  it('takes HubSpot’s 400 for a type unsubscribed between its read and its write as done', async () => {
    const email = BOB_EMAIL;
    const subscribed = () => sb.stores.hubspot.preferences.get(email)!.filter((s) => s.status === 'SUBSCRIBED');
    expect(subscribed().length).toBeGreaterThan(0);
    const hubspot = saas('hubspot');

    // The subject's own unsubscribe link wins the race: the type is out before the connector's POST lands.
    const items = await watchRequests((url) => {
      if (url.includes('/communication-preferences/v3/unsubscribe')) for (const s of subscribed()) s.status = 'NOT_SUBSCRIBED';
    }, () => hubspot.marketing!.suppress(subjectOf(email), ctx));

    expect(items).toEqual([{ object: 'subscription_preferences', suppressed: 2 }]);
    expect(await hubspot.marketing!.status(subjectOf(email), ctx)).toEqual([{ object: 'subscription_preferences', optedOut: 2, allowed: 0 }]);
  });

  it('touches no one else and finds nothing to suppress for carol', async () => {
    const before = JSON.stringify([...sb.stores.hubspot.preferences].filter(([email]) => email !== 'alice@example.com'));
    await saas('hubspot').marketing!.suppress(subjectOf('alice@example.com'), ctx);

    expect(JSON.stringify([...sb.stores.hubspot.preferences].filter(([email]) => email !== 'alice@example.com'))).toBe(before);
    expect(await saas('hubspot').marketing!.suppress(subjectOf('carol@example.com'), ctx)).toEqual([]);
    expect(await saas('hubspot').marketing!.status(subjectOf('carol@example.com'), ctx)).toEqual([]);
  });
});

describe('Salesforce marketing capability', () => {
  it('sets HasOptedOutOfEmail on alice’s Contact and HasOptedOutSolicit on her Individual, leaving her converted Lead alone', async () => {
    const salesforce = saas('salesforce');
    expect(await salesforce.marketing!.status(subjectOf('alice@example.com'), ctx)).toEqual([
      { object: 'Contact', optedOut: 0, allowed: 1 },
      { object: 'Individual', optedOut: 0, allowed: 1 },
    ]);

    const items = await salesforce.marketing!.suppress(subjectOf('alice@example.com'), ctx);

    expect(items).toEqual([{ object: 'Contact', suppressed: 1 }, { object: 'Individual', suppressed: 1 }]);
    expect(salesforceRows('Contact', 'alice@example.com').map((c) => c.HasOptedOutOfEmail)).toEqual([true]);
    expect(salesforceRows('Individual', 'alice@example.com').map((i) => i.HasOptedOutSolicit)).toEqual([true]);
    // Salesforce refuses changes to a converted Lead; its Contact carries the preference.
    expect(salesforceRows('Lead', 'alice@example.com').map((l) => [l.IsConverted, l.HasOptedOutOfEmail])).toEqual([[true, false]]);
    expect(await salesforce.marketing!.status(subjectOf('alice@example.com'), ctx)).toEqual([
      { object: 'Contact', optedOut: 1, allowed: 0 },
      { object: 'Individual', optedOut: 1, allowed: 0 },
    ]);
  });

  it('writes nothing when run again', async () => {
    const salesforce = saas('salesforce');
    await salesforce.marketing!.suppress(subjectOf('alice@example.com'), ctx);

    const { count } = await countRequests('/sobjects/', () => salesforce.marketing!.suppress(subjectOf('alice@example.com'), ctx));

    expect(count).toBe(0);
  });
});

describe('systems that do not market', () => {
  it('have no marketing capability (Stripe holds payments, not preferences)', () => {
    expect(saas('stripe').marketing).toBeUndefined();
  });
});

describe('the account store’s marketing flag', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  afterEach(() => ddb.reset());
  afterAll(() => ddb.restore());
  const base = ACCOUNTS_CONFIG;
  const withFlag = { ...base, marketing: { attribute: 'marketingEmails', optedOutValue: false, optedOutAtAttribute: 'marketingOptedOutAt' } };
  const subject = { email: 'alice@example.com', normalizedEmail: 'alice@example.com' };

  it('exists only where the configuration names a flag', () => {
    expect(new DynamoDbTableConnector(base, DynamoDBDocumentClient.from(new DynamoDBClient({}))).marketing).toBeUndefined();
  });

  it('sets the flag and its time on each item still allowing marketing, on condition the item still exists, and reads it back', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ accountId: 'acc-1', email: 'alice@example.com', marketingEmails: true }, { accountId: 'acc-2', email: 'alice@example.com', marketingEmails: false }], Count: 2 });
    ddb.on(UpdateCommand).resolves({});
    const accounts = new DynamoDbTableConnector(withFlag, DynamoDBDocumentClient.from(new DynamoDBClient({})));

    expect(await accounts.marketing!.suppress(subject, ctx)).toEqual([{ object: 'account', suppressed: 2 }]);
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      Key: { accountId: 'acc-1' },
      UpdateExpression: 'SET #f = :v, #at = :at',
      ConditionExpression: 'attribute_exists(#k)',
      ExpressionAttributeNames: { '#f': 'marketingEmails', '#at': 'marketingOptedOutAt', '#k': 'accountId' },
      ExpressionAttributeValues: { ':v': false },
    });
    expect(await accounts.marketing!.status(subject, ctx)).toEqual([{ object: 'account', optedOut: 1, allowed: 1 }]);
  });

  it('does not count an item erased between the query and the update', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ accountId: 'acc-1', email: 'alice@example.com', marketingEmails: true }], Count: 1 });
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    const accounts = new DynamoDbTableConnector(withFlag, DynamoDBDocumentClient.from(new DynamoDBClient({})));

    expect(await accounts.marketing!.suppress(subject, ctx)).toEqual([{ object: 'account', suppressed: 0 }]);
  });
});
