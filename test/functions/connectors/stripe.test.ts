import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectorAuthFailed, ConnectorIncompleteAnswer, ConnectorMisconfigured, ConnectorThrottled, ConnectorUnavailable } from '#connectors/errors';
import { createSaasConnector } from '#connectors/saas';
import type { PolicyFor } from '#connectors/types';
import { startSandboxes, type Sandboxes } from '../../../infra/local/sandboxes/index.ts';
import { BOOKKEEPING, QUOTED, collect, countBy, countRequests, ctx, depsFor, foreignEmails, policies, saasConfig, subjectOf, recordTimers, recordInFlight } from './support.ts';
import { VENDOR_CONCURRENCY } from '#connectors/concurrency';
import { STRIPE_OBJECTS } from '#connectors/stripe/index';

let sb: Sandboxes;

beforeAll(async () => {
  sb = await startSandboxes({ crowd: 300, extraPeople: [{ email: QUOTED, name: "Siobhan O'Brien" }] });
});
afterAll(() => sb.close());
afterEach(() => {
  vi.restoreAllMocks();
  sb.faults.reset();
});

const connector = (settings: Record<string, unknown> = {}, deps = depsFor(sb)) =>
  createSaasConnector(saasConfig('stripe', sb.urls.stripe, settings), deps);

const FINANCIAL_MAP = {
  charges: BOOKKEEPING, payment_intents: BOOKKEEPING, invoices: BOOKKEEPING, credit_notes: BOOKKEEPING, balance_transactions: BOOKKEEPING,
} as const;
const FINANCIAL = policies(FINANCIAL_MAP);
/** The customer kept as the lookup key of the billing records, as the example configuration does. */
const KEY = {
  action: 'retain',
  legalBasis: 'Kept only as the key that finds the retained billing records',
  retentionPeriod: 'As long as those records',
} as const;
const KEPT = policies({ ...FINANCIAL_MAP, subscriptions: BOOKKEEPING, customers: KEY });
const MASK = { name: 'redact', phone: 'null', address: 'null', shipping: 'null', description: 'null', metadata: 'null' } as const;

function customerId(email: string): string {
  return [...sb.stores.stripe.customers.values()].find((c) => c.email === email)!.id;
}

describe('Stripe connector', () => {
  it('reads both of alice’s customers and all 253 charges over more than two pages', async () => {
    const { result, count } = await countRequests('/v1/charges', () => collect(connector().access(subjectOf('alice@example.com'), ctx)));
    expect(countBy(result)).toEqual({
      customers: 2, charges: 253, payment_intents: 253, invoices: 6, invoiceitems: 1, subscriptions: 1, payment_methods: 2, sources: 1, tax_ids: 1, credit_notes: 1, balance_transactions: 2,
    });
    expect(count).toBe(4); // 250 charges: three pages of 100 on one customer, one page on the other
    expect(result.find((r) => r.object === 'subscriptions')?.data.status).toBe('canceled');
  });

  it('reads the customers’ lists side by side, never more than the Stripe bound at once', async () => {
    sb.faults.set('stripe', { latencyMs: 5 });
    const { result, most, total } = await recordInFlight('/v1/', () => collect(connector().access(subjectOf('alice@example.com'), ctx)));
    expect(total).toBeGreaterThan(VENDOR_CONCURRENCY.stripe);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(VENDOR_CONCURRENCY.stripe);
    expect(countBy(result).charges).toBe(253);
  });

  it('yields records in the same order on every run: customers, then each customer’s lists in a fixed order', async () => {
    const ids = async (latencyMs: number) => {
      sb.faults.set('stripe', { latencyMs });
      return (await collect(connector().access(subjectOf('alice@example.com'), ctx))).map((r) => `${r.object}:${r.id}`);
    };
    const fast = await ids(0);
    const slow = await ids(3);
    expect(slow).toEqual(fast);
    // Within one customer the objects come list by list, in the order the connector lists them.
    const firstCustomer = fast.find((x) => x.startsWith('customers:'))!.slice('customers:'.length);
    const records = await collect(connector().access(subjectOf('alice@example.com'), ctx));
    const objects = records.filter((r) => r.object !== 'customers' && r.data.customer === firstCustomer).map((r) => r.object);
    const runs = objects.filter((o, i) => o !== objects[i - 1]);
    expect(runs).toEqual(STRIPE_OBJECTS.filter((o) => runs.includes(o)));
  });

  it('returns nothing of anyone else', async () => {
    const records = await collect(connector().access(subjectOf('alice@example.com'), ctx));
    expect(foreignEmails(records, 'alice@example.com')).toEqual([]);
    const customers = new Set(records.filter((r) => r.object === 'customers').map((r) => r.id));
    expect(records.filter((r) => r.object !== 'customers').every((r) => customers.has(String(r.data.customer)))).toBe(true);
  });

  it('finds the customer stored as Alice@Example.com through search although the list filter is case-sensitive', async () => {
    const withSearch = await collect(connector().access(subjectOf('alice@example.com'), ctx));
    const listOnly = await collect(connector({ useSearch: false }).access(subjectOf('alice@example.com'), ctx));
    const typedAsStored = await collect(connector({ useSearch: false }).access(subjectOf('Alice@Example.com'), ctx));
    expect(countBy(withSearch).customers).toBe(2);
    expect(countBy(listOnly).customers).toBe(1);
    expect(countBy(typedAsStored).customers).toBe(2);
  });

  it('finds an address with a quote and a plus sign', async () => {
    const records = await collect(connector().access(subjectOf(QUOTED), ctx));
    expect(countBy(records).customers).toBe(1);
    expect(foreignEmails(records, QUOTED)).toEqual([]);
  });

  it('retries a 429 with a one-second Retry-After inside the connector', async () => {
    sb.faults.set('stripe', { throttle: { count: 1, retryAfterMs: 1000 } });
    const timers = recordTimers();
    const records = await collect(connector().access(subjectOf('bob@example.com'), ctx));
    expect(countBy(records).customers).toBe(1);
    expect(timers().filter((ms) => ms === 1_000)).toHaveLength(1);
  });

  it('treats a 400 with code rate_limit as throttling and retries it', async () => {
    sb.faults.set('stripe', { throttle: { count: 2, form: '400' } });
    const records = await collect(connector({ rateLimitHintMs: 20 }).access(subjectOf('bob@example.com'), ctx));
    expect(countBy(records).customers).toBe(1);
  });

  it('hands a long Retry-After to the state machine', async () => {
    sb.faults.set('stripe', { throttle: { count: 1, retryAfterMs: 30_000 } });
    const err = await collect(connector().access(subjectOf('bob@example.com'), ctx)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorThrottled);
    expect((err as ConnectorThrottled).retryAfterMs).toBe(30_000);
  });

  it('does not repeat a throttled request at once when Stripe-Should-Retry is false', async () => {
    sb.faults.set('stripe', { throttle: { count: 1, shouldRetry: false } });
    const err = await collect(connector({ rateLimitHintMs: 20 }).access(subjectOf('bob@example.com'), ctx)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorThrottled);
  });

  it('reports a wrong or expired key as an auth failure', async () => {
    const deps = depsFor(sb, { stripe: { secret_key: 'sk_test_wrong' } });
    await expect(collect(connector({}, deps).access(subjectOf('bob@example.com'), ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
    sb.faults.set('stripe', { expireToken: true });
    await expect(collect(connector().access(subjectOf('bob@example.com'), ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
  });

  it('surfaces a 5xx as unavailable', async () => {
    sb.faults.set('stripe', { failNext: { match: '/v1/invoices', status: 500, count: 1 } });
    await expect(collect(connector().access(subjectOf('bob@example.com'), ctx))).rejects.toBeInstanceOf(ConnectorUnavailable);
  });

  it('yields nothing and reports not found for carol', async () => {
    const c = connector();
    expect(await collect(c.access(subjectOf('carol@example.com'), ctx))).toEqual([]);
    expect((await c.erase(subjectOf('carol@example.com'), FINANCIAL, ctx)).items).toEqual([{ object: 'customers', action: 'not_found', count: 0 }]);
  });

  it('refuses, before changing anything, to delete records Stripe cannot delete', async () => {
    const err = await connector().erase(subjectOf('bob@example.com'), policies({}), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorMisconfigured);
    expect(sb.stores.stripe.countFor('bob@example.com').customers).toBe(1);
  });

  it('refuses, before changing anything, to delete the customer while its billing records are kept', async () => {
    const err = await connector().erase(subjectOf('bob@example.com'), FINANCIAL, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorMisconfigured);
    expect((err as Error).message).toMatch(/customers cannot be deleted while charges, payment_intents, invoices, credit_notes, balance_transactions are kept/);
    expect(sb.stores.stripe.countFor('bob@example.com')).toMatchObject({ customers: 1, payment_methods: 1 });
  });

  it('refuses, before changing anything, to "delete" subscriptions while the customer is kept, since Stripe keeps them cancelled', async () => {
    const cancelsOnly = policies({ ...FINANCIAL_MAP, subscriptions: { action: 'delete' }, customers: KEY });
    const err = await connector().erase(subjectOf('bob@example.com'), cancelsOnly, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorMisconfigured);
    expect((err as Error).message).toMatch(/keeps cancelled subscriptions/);
    expect(sb.stores.stripe.countFor('bob@example.com')).toMatchObject({ customers: 1, payment_methods: 1 });
  });

  it('refuses to mask the customer’s email, the key to its kept records, whether retained or anonymized', async () => {
    const masksEmail = connector({ maskRetainedCustomers: { name: 'redact', email: 'hash' } });
    await expect(masksEmail.erase(subjectOf('bob@example.com'), KEPT, ctx)).rejects.toThrow(/email cannot be masked/);
    const anonymizesEmail = policies({ ...FINANCIAL_MAP, customers: { action: 'anonymize', fields: { email: 'hash' } } });
    await expect(connector().erase(subjectOf('bob@example.com'), anonymizesEmail, ctx)).rejects.toThrow(/email cannot be masked/);
    expect(sb.stores.stripe.customers.get(customerId('bob@example.com'))?.name).toBe('Bob Berg');
  });

  it('anonymizes objects by updating them, and counts only the records it changed', async () => {
    const person = sb.people[40]!;
    const anonymize = policies({
      ...FINANCIAL_MAP,
      charges: { action: 'anonymize', fields: { description: 'redact', metadata: 'null' } },
      customers: { action: 'anonymize', fields: { name: 'redact', phone: 'null', address: 'null' } },
      subscriptions: BOOKKEEPING,
    });
    const outcome = await connector().erase(subjectOf(person.email), anonymize, ctx);
    expect(outcome.items).toEqual(expect.arrayContaining([
      { object: 'charges', action: 'anonymized', count: 2 },
      { object: 'customers', action: 'anonymized', count: 1 },
    ]));
    const customer = sb.stores.stripe.customers.get(customerId(person.email))!;
    expect(customer).toMatchObject({ email: person.email, name: 'REDACTED', phone: null, address: null });
    for (const charge of sb.stores.stripe.list(customer.id, 'charges')) {
      expect(charge).toMatchObject({ description: 'REDACTED', metadata: {} });
      expect((charge.billing_details as Record<string, unknown>).name).toBe(person.name);
    }
  });

  it('keeps alice’s customers as the masked key to her kept billing records, and is safe to repeat', async () => {
    const neighbour = sb.people[20]!.email;
    const before = sb.stores.stripe.countFor(neighbour);
    const c = connector({ maskRetainedCustomers: MASK });
    const outcome = await c.erase(subjectOf('alice@example.com'), KEPT, ctx);
    expect(outcome.items.filter((i) => i.object === 'customers')).toEqual([
      { object: 'customers', action: 'anonymized', count: 2, alsoRetained: true },
      { object: 'customers', action: 'retained', count: 2, legalBasis: KEY.legalBasis, retentionPeriod: KEY.retentionPeriod },
    ]);
    const byObject = Object.fromEntries(outcome.items.map((i) => [i.object, i]));
    expect(byObject.charges).toMatchObject({ action: 'retained', count: 253, legalBasis: BOOKKEEPING.legalBasis });
    expect(byObject.invoices).toMatchObject({ action: 'retained', count: 6 });
    expect(byObject.payment_methods).toMatchObject({ action: 'deleted', count: 2 });
    expect(byObject.tax_ids).toMatchObject({ action: 'deleted', count: 1 });
    const left = sb.stores.stripe.countFor('alice@example.com');
    expect(left.payment_methods).toBeUndefined();
    expect(left.charges).toBe(253);
    for (const customer of [...sb.stores.stripe.customers.values()].filter((x) => String(x.email).toLowerCase() === 'alice@example.com')) {
      expect(customer).toMatchObject({ name: 'REDACTED', phone: null, address: null, shipping: null, metadata: {} });
    }

    // A later access request (and the erasure's confirmation, which runs the same lookup) still finds
    // what was kept, through the customer's email.
    const after = countBy(await collect(c.access(subjectOf('alice@example.com'), ctx)));
    expect(after).toEqual({ customers: 2, charges: 253, payment_intents: 253, invoices: 6, subscriptions: 1, credit_notes: 1, balance_transactions: 2 });

    const again = await c.erase(subjectOf('alice@example.com'), KEPT, ctx);
    expect(again.items.filter((i) => i.action !== 'retained')).toEqual([]);
    expect(again.items.find((i) => i.object === 'charges')).toMatchObject({ action: 'retained', count: 253 });
    expect(sb.stores.stripe.countFor(neighbour)).toEqual(before);
  });

  describe('refuses, before changing anything, a mask Stripe would refuse or act on', () => {
    const bob = () => sb.stores.stripe.customers.get(customerId('bob@example.com'))!;
    const refused = async (settings: Record<string, unknown>, policy: PolicyFor, message: RegExp) => {
      const err = await connector(settings).erase(subjectOf('bob@example.com'), policy, ctx).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorMisconfigured);
      expect((err as Error).message).toMatch(message);
      expect(bob()).toMatchObject({ name: 'Bob Berg', preferred_locales: [expect.any(String)] });
      expect(sb.stores.stripe.countFor('bob@example.com')).toMatchObject({ customers: 1, payment_methods: 1 });
    };

    it('preferred_locales, a plain list that "" cannot empty', async () => {
      await refused({ maskRetainedCustomers: { name: 'redact', preferred_locales: 'null' } }, KEPT, /settings\.maskRetainedCustomers\.preferred_locales: .*plain list/);
    });

    it('an invoice’s customer_* fields, which cannot be updated', async () => {
      const policy = policies({ ...FINANCIAL_MAP, subscriptions: BOOKKEEPING, customers: KEY, invoices: { action: 'anonymize', fields: { customer_email: 'hash', customer_name: 'redact' } } });
      await refused({}, policy, /invoices\.customer_email: invoice customer_\* fields .* cannot be updated/);
    });

    it('a charge’s billing_details, which cannot be updated', async () => {
      const policy = policies({ ...FINANCIAL_MAP, subscriptions: BOOKKEEPING, customers: KEY, charges: { action: 'anonymize', fields: { 'billing_details.phone': 'null' } } });
      await refused({}, policy, /charges\.billing_details\.phone: a charge has no billing_details update parameter/);
    });

    it('receipt_email, whose write makes Stripe email a receipt', async () => {
      const policy = policies({ ...FINANCIAL_MAP, subscriptions: BOOKKEEPING, customers: KEY, charges: { action: 'anonymize', fields: { receipt_email: 'hash' } } });
      await refused({}, policy, /charges\.receipt_email: writing receipt_email makes Stripe email a receipt/);
      expect(sb.stores.stripe.receiptsSent).toEqual([]);
    });

    it('an object or list masked with anything but "null"', async () => {
      await refused({ maskRetainedCustomers: { address: 'redact' } }, KEPT, /maskRetainedCustomers\.address: .*mask it with "null"/);
    });

    it('redaction jobs without the explicit preview opt-in, or under their old name', async () => {
      await refused({ previewRedactionJobs: { pollMs: 5 } }, FINANCIAL, /previewRedactionJobs\.acceptPublicPreview: must be true/);
      await refused({ redactionJobs: {} }, FINANCIAL, /settings\.redactionJobs: renamed settings\.previewRedactionJobs/);
    });
  });

  describe('with redaction jobs', () => {
    const redacting = (extra: Record<string, unknown> = {}) => connector({ previewRedactionJobs: { acceptPublicPreview: true, pollMs: 5, ...extra } });
    afterEach(() => {
      sb.stores.stripe.redactionSteps = 1;
    });

    it('redacts the customer and everything tied to it instead of deleting it, keeping the billing records anonymous', async () => {
      const person = sb.people[50]!;
      const id = customerId(person.email);
      const outcome = await redacting().erase(subjectOf(person.email), FINANCIAL, { requestId: 'req-redact-1' });
      expect(outcome.items.find((i) => i.object === 'customers')).toEqual({ object: 'customers', action: 'anonymized', count: 1 });
      expect(outcome.items.find((i) => i.object === 'charges')).toMatchObject({ action: 'retained', count: 2 });
      const jobs = [...sb.stores.stripe.redactionJobs.values()].filter((j) => j.objects.customers.includes(id));
      expect(jobs.map((j) => [j.status, j.validation_behavior])).toEqual([['succeeded', 'error']]);
      expect(sb.stores.stripe.customers.get(id)).toMatchObject({ email: '[redacted]', name: '[redacted]', phone: '[redacted]', address: null });
      const charges = sb.stores.stripe.list(id, 'charges');
      expect(charges).toHaveLength(2);
      for (const charge of charges) expect(charge).toMatchObject({ receipt_email: '[redacted]', billing_details: null });
      expect(JSON.stringify(sb.stores.stripe.list(id, 'invoices'))).not.toContain(person.email);
      expect(await collect(redacting().access(subjectOf(person.email), ctx))).toEqual([]);
    });

    it('leaves a slow job to the state machine, and a retry of the same request picks the same job up', async () => {
      const person = sb.people[51]!;
      const id = customerId(person.email);
      sb.stores.stripe.redactionSteps = 1_000;
      const retry = { requestId: 'req-redact-2' };
      const slow = await redacting({ maxWaitMs: 30 }).erase(subjectOf(person.email), FINANCIAL, retry).catch((e: unknown) => e);
      expect(slow).toBeInstanceOf(ConnectorUnavailable);
      expect((slow as Error).message).toMatch(/redaction job prj_\w+ still created/);

      sb.stores.stripe.redactionSteps = 1;
      const [job] = [...sb.stores.stripe.redactionJobs.values()].filter((j) => j.objects.customers.includes(id));
      const outcome = await redacting().erase(subjectOf(person.email), FINANCIAL, retry);
      expect(outcome.items.find((i) => i.object === 'customers')).toMatchObject({ action: 'anonymized', count: 1 });
      expect([...sb.stores.stripe.redactionJobs.values()].filter((j) => j.objects.customers.includes(id))).toEqual([job]);
      expect(job!.status).toBe('succeeded');
    });

    it('redacts eleven customers of one subject in two jobs, since Stripe takes at most ten objects per job', async () => {
      const store = sb.stores.stripe;
      const email = 'many-accounts@example.com';
      const ids = Array.from({ length: 11 }, (_, i) => store.addCustomer({ email, name: `Many ${i}` }).id);
      const outcome = await redacting().erase(subjectOf(email), FINANCIAL, { requestId: 'req-redact-many' });
      expect(outcome.items).toEqual([{ object: 'customers', action: 'anonymized', count: 11 }]);
      const jobs = [...store.redactionJobs.values()].filter((j) => j.objects.customers.some((c) => ids.includes(c)));
      expect(jobs.map((j) => [j.objects.customers.length, j.status])).toEqual([[10, 'succeeded'], [1, 'succeeded']]);
      expect(new Set(jobs.flatMap((j) => j.objects.customers))).toEqual(new Set(ids));
    });

    it('reports a job that fails validation as a misconfiguration for a person to look at, the customer left as it was', async () => {
      const person = sb.people[52]!;
      const id = customerId(person.email);
      sb.stores.stripe.unredactable.add(id);
      const err = await redacting().erase(subjectOf(person.email), FINANCIAL, { requestId: 'req-redact-failed' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorMisconfigured);
      expect((err as Error).message).toMatch(/Stripe redaction job prj_\w+ ended failed/);
      expect(sb.stores.stripe.customers.get(id)).toMatchObject({ email: person.email, name: person.name });
    });

    it('still refuses to mask only part of a customer while its records are kept', async () => {
      await expect(redacting().erase(subjectOf('bob@example.com'), policies({ ...FINANCIAL_MAP, customers: { action: 'anonymize', fields: { email: 'hash' } } }), ctx)).rejects.toThrow(/email cannot be masked/);
    });
  });
});

describe('Stripe connector with partial answers', () => {
  const someone = () => sb.people[40]!.email;

  it('fails a list page that comes without its data', async () => {
    sb.faults.set('stripe', { failNext: { match: '/v1/charges', partial: 'no-results', count: 1 } });
    await expect(collect(connector().access(subjectOf(someone()), ctx))).rejects.toThrow(new ConnectorIncompleteAnswer('stripe', 'GET charges answered without its data list'));
  });

  it('fails a list page that says has_more but brings no data to go on from', async () => {
    sb.faults.set('stripe', { failNext: { match: '/v1/charges', partial: 'early-end', count: 1 } });
    await expect(collect(connector().access(subjectOf(someone()), ctx))).rejects.toThrow(new ConnectorIncompleteAnswer('stripe', 'GET charges said there is more but returned an empty page'));
  });

  it('fails a customer search that says has_more without a next_page', async () => {
    sb.faults.set('stripe', { failNext: { match: '/v1/customers/search', partial: 'early-end', count: 1 } });
    await expect(collect(connector().access(subjectOf(someone()), ctx))).rejects.toThrow(
      new ConnectorIncompleteAnswer('stripe', 'GET customers/search said there is more but gave no cursor to it'),
    );
  });

  it('reads everything once the partial answer has passed', async () => {
    sb.faults.set('stripe', { failNext: { match: '/v1/charges', partial: 'early-end', count: 1 } });
    const c = connector();
    await expect(collect(c.access(subjectOf(someone()), ctx))).rejects.toBeInstanceOf(ConnectorIncompleteAnswer);
    const whole = countBy(await collect(c.access(subjectOf(someone()), ctx)));
    expect(whole.charges).toBeGreaterThan(0);
    expect(whole.charges).toBe(sb.stores.stripe.countFor(someone()).charges);
  });
});
