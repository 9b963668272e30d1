/**
 * Stripe connector. Customers are found by email three ways, because `GET /v1/customers?email=` matches
 * case-sensitively: the address as the subject typed it, the normalised address, and the search API
 * (case-insensitive, but eventually consistent). Everything else is read per customer id.
 *
 * Stripe cannot delete financial records (charges, payment intents, finalized invoices, credit notes,
 * balance transactions); a configuration asking for that is refused before anything is changed, so an
 * erasure is never left half done. Deleting the customer comes last, after its detachable children.
 *
 * Every kept record is found only through its customer, and the customer only by its email. So while any
 * object is kept (retained or anonymized), the customer must stay with its email: deleting it, or masking
 * the email, would make the kept records invisible to a later access request and to the erasure's own
 * confirmation, which would then confirm nothing. Such a configuration is refused; the customer is instead
 * retained as the lookup key with everything but the email masked (`settings.maskRetainedCustomers`).
 */
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { ErasurePolicy, SaasConnectorConfig } from '#commons/config';
import { collect, mapInOrder, VENDOR_CONCURRENCY } from '#connectors/concurrency';
import { ConnectorMisconfigured, ConnectorUnavailable } from '#connectors/errors';
import { abortableSleep } from '#connectors/http';
import { groupByObject, retained, withOnly } from '#connectors/records';
import { ADDRESS_PARTS, byRecord, cleanAddress, cleanAddressFrom, textOrNull, type AddressPart } from '#connectors/corrections';
import type {
  Correction,
  FieldValue,
  PostalAddress,
  RectifiableField,
  RectificationItem,
  RectifyCapability,
  Connector,
  ConnectorContext,
  ConnectorDeps,
  DataRecord,
  ErasureItem,
  ErasureOutcome,
  PolicyFor,
  Subject,
} from '#connectors/types';
import { StripeClient, searchString, type StripeObject } from './client.ts';
import { DEFAULT_PREVIEW_API_VERSION, maskProblem, stripeConfigProblems, type PreviewRedactionJobSettings, type StripeSettings } from './settings.ts';
import { sameEmail } from '../email.ts';

export type { StripeSettings } from './settings.ts';

export const STRIPE_OBJECTS = [
  'customers',
  'charges',
  'payment_intents',
  'invoices',
  'invoiceitems',
  'subscriptions',
  'payment_methods',
  'sources',
  'tax_ids',
  'credit_notes',
  'balance_transactions',
] as const;
export type StripeObjectName = (typeof STRIPE_OBJECTS)[number];

/** Where each object is listed for one customer. */
const LISTS: Record<Exclude<StripeObjectName, 'customers'>, (customer: string) => [path: string, params: Record<string, string>]> = {
  charges: (c) => ['charges', { customer: c } satisfies Stripe.ChargeListParams],
  payment_intents: (c) => ['payment_intents', { customer: c } satisfies Stripe.PaymentIntentListParams],
  invoices: (c) => ['invoices', { customer: c } satisfies Stripe.InvoiceListParams],
  invoiceitems: (c) => ['invoiceitems', { customer: c } satisfies Stripe.InvoiceItemListParams],
  // The default omits canceled ones.
  subscriptions: (c) => ['subscriptions', { customer: c, status: 'all' } satisfies Stripe.SubscriptionListParams & Record<string, string>],
  payment_methods: (c) => [`customers/${c}/payment_methods`, {}],
  sources: (c) => [`customers/${c}/sources`, {}],
  tax_ids: (c) => [`customers/${c}/tax_ids`, {}],
  credit_notes: (c) => ['credit_notes', { customer: c } satisfies Stripe.CreditNoteListParams],
  balance_transactions: (c) => [`customers/${c}/balance_transactions`, {}],
};

/** Objects Stripe keeps whatever the API is asked: only retain or anonymize make sense for them. */
const UNDELETABLE = new Set<StripeObjectName>(['charges', 'payment_intents', 'invoices', 'credit_notes', 'balance_transactions']);
/** Objects without an update endpoint. */
const NOT_UPDATABLE = new Set<StripeObjectName>(['tax_ids']);
/** Children first; the customer last, since its sub-resources disappear with it. */
const ERASE_ORDER: StripeObjectName[] = [
  'payment_methods',
  'sources',
  'tax_ids',
  'invoiceitems',
  'subscriptions',
  'charges',
  'payment_intents',
  'invoices',
  'credit_notes',
  'balance_transactions',
  'customers',
];

/** Every status Stripe documents for a redaction job; the switch in `redactBatch` must handle each. */
export const REDACTION_JOB_STATUSES = ['created', 'validating', 'ready', 'redacting', 'succeeded', 'canceling', 'canceled', 'failed'] as const;
export type RedactionJobStatus = (typeof REDACTION_JOB_STATUSES)[number];
/** Stripe takes at most this many objects in one redaction job. */
export const REDACTION_JOB_MAX_OBJECTS = 10;

interface RedactionJob {
  id: string;
  status: RedactionJobStatus;
}

function customerOf(obj: StripeObject): string | undefined {
  const c = obj.customer;
  if (typeof c === 'string') return c;
  if (c && typeof c === 'object' && typeof (c as { id?: unknown }).id === 'string') return (c as { id: string }).id;
  return undefined;
}

/** Form fields for an anonymising update; `a.b` becomes `a[b]`, and null unsets (Stripe's empty string). */
export function maskForm(policy: Extract<ErasurePolicy, { action: 'anonymize' }>, data: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [field, how] of Object.entries(policy.fields)) {
    const parts = field.split('.');
    const key = parts[0] + parts.slice(1).map((p) => `[${p}]`).join('');
    let current: unknown = data;
    for (const p of parts) current = current && typeof current === 'object' ? (current as Record<string, unknown>)[p] : undefined;
    const token = how === 'hash' ? createHash('sha256').update(String(current ?? '')).digest('hex').slice(0, 32) : 'REDACTED';
    const value = how === 'null' ? '' : /email/i.test(field) ? `${token.toLowerCase()}@redacted.invalid` : token;
    form.set(key, value);
  }
  return form;
}

/**
 * Whether an update with this form would change nothing: every field already holds its masked value.
 * Keeps a repeated erasure from reporting the same customers as anonymized again. A hashed field counts
 * as masked when it already looks like a hash prefix, since hashing it again would only change the hash.
 */
export function alreadyMasked(form: URLSearchParams, data: Record<string, unknown>): boolean {
  for (const [key, value] of form) {
    const parts = key.replace(/\]/g, '').split('[');
    let current: unknown = data;
    for (const p of parts) current = current && typeof current === 'object' ? (current as Record<string, unknown>)[p] : undefined;
    if (value === '') {
      const empty = current === null || current === undefined || current === '' ||
        (typeof current === 'object' && Object.keys(current as object).length === 0);
      if (!empty) return false;
    } else if (current !== value && !(typeof current === 'string' && /^[0-9a-f]{32}(@redacted\.invalid)?$/.test(current) && /^[0-9a-f]{32}/.test(value))) {
      return false;
    }
  }
  return true;
}

/** Path of the object for an update or delete. */
function objectPath(object: StripeObjectName, rec: DataRecord): string {
  const customer = customerOf(rec.data as StripeObject) ?? '';
  switch (object) {
    case 'sources':
    case 'tax_ids':
    case 'balance_transactions':
      return `customers/${customer}/${object}/${rec.id}`;
    default:
      return `${object}/${rec.id}`;
  }
}

/** Stripe's name of each address part (`address[postal_code]`, `address[state]`). */
const STRIPE_ADDRESS: Record<AddressPart, string> = { line1: 'line1', line2: 'line2', postalCode: 'postal_code', city: 'city', region: 'state', country: 'country' };

/** A Stripe address as the product's postal address. */
function postalAddress(value: unknown): PostalAddress | null {
  if (!value || typeof value !== 'object') return null;
  const a = value as Record<string, unknown>;
  return cleanAddressFrom((part) => a[STRIPE_ADDRESS[part]]);
}

/** The update form of one customer's corrections (POST /v1/customers/{id}); an address is written whole. */
export function correctionForm(corrections: readonly Correction[]): URLSearchParams {
  const form = new URLSearchParams();
  for (const c of corrections) {
    if (c.field === 'address') {
      const a = cleanAddress(typeof c.value === 'string' ? {} : c.value);
      // Every part is sent, empty ones as '' (Stripe's "unset"), so no part of the old address survives.
      for (const part of ADDRESS_PARTS) form.set(`address[${STRIPE_ADDRESS[part]}]`, a[part] ?? '');
    } else {
      form.set(c.field, typeof c.value === 'string' ? c.value.trim() : '');
    }
  }
  return form;
}

export function createStripeConnector(config: SaasConnectorConfig, deps: ConnectorDeps): Connector {
  const settings = config.settings as StripeSettings;
  // Only with the explicit opt-in: redaction jobs are a Stripe public preview.
  const redaction = settings.previewRedactionJobs?.acceptPublicPreview === true ? settings.previewRedactionJobs : undefined;
  let client: Promise<StripeClient> | undefined;

  function getClient(): Promise<StripeClient> {
    client ??= deps.credentials(config.credentials).then((creds) => {
      const secretKey = creds.secret_key ?? creds.secretKey ?? creds.apiKey;
      if (!secretKey) throw new ConnectorMisconfigured(config.id, 'credentials need secret_key');
      return new StripeClient({
        connectorId: config.id,
        baseUrl: config.baseUrl,
        secretKey,
        stripeVersion: settings.stripeVersion ?? '2024-06-20',
        pageSize: Math.min(100, Math.max(1, settings.pageSize ?? 100)),
        rateLimitHintMs: settings.rateLimitHintMs ?? 1_000,
        timeoutMs: settings.timeoutMs,
      });
    });
    client.catch(() => {
      client = undefined;
    });
    return client;
  }

  /** The subject's customers: the lookups by each spelling of the address and the search, side by side. */
  async function customers(stripe: StripeClient, subject: Subject, ctx: ConnectorContext): Promise<StripeObject[]> {
    const lookups: Array<() => AsyncIterable<StripeObject>> = [...new Set([subject.email.trim(), subject.normalizedEmail])].map(
      (email) => () => stripe.list('customers', { email }, 'customers', ctx),
    );
    if (settings.useSearch !== false) {
      const query = `email:${searchString(subject.normalizedEmail)}`;
      lookups.push(() => stripe.search('customers/search', query, 'customers/search', ctx));
    }
    const found = new Map<string, StripeObject>();
    // Merged in the lookups' order, so which answer came first never changes the result.
    for (const list of await mapInOrder(lookups, VENDOR_CONCURRENCY.stripe, (lookup) => collect(lookup()))) {
      for (const c of list) if (sameEmail(c.email, subject.normalizedEmail) && !found.has(c.id)) found.set(c.id, c);
    }
    return [...found.values()];
  }

  async function* find(subject: Subject, ctx: ConnectorContext): AsyncGenerator<DataRecord> {
    const stripe = await getClient();
    const found = await customers(stripe, subject, ctx);
    for (const c of found) yield { object: 'customers', id: c.id, data: c };
    // Every list of every customer is independent of the others: all of them at once, within the
    // client's bound, then yielded customer by customer, list by list, as before.
    const lists = found.flatMap((c) => (Object.entries(LISTS) as Array<[StripeObjectName, (id: string) => [string, Record<string, string>]]>).map(([object, where]) => ({ c, object, where })));
    const pages = await mapInOrder(lists, VENDOR_CONCURRENCY.stripe, ({ c, object, where }) => {
      const [path, params] = where(c.id);
      return collect(stripe.list(path, params, object, ctx));
    });
    const seen = new Set<string>();
    for (const [i, { c, object }] of lists.entries()) {
      for (const obj of pages[i]!) {
        // A list filtered by customer returns only that customer's objects; checking costs nothing.
        const owner = customerOf(obj);
        if (owner !== undefined && owner !== c.id) continue;
        if (seen.has(obj.id)) continue;
        seen.add(obj.id);
        // Customer sub-resources may omit `customer`; keep it so erasure can build their paths.
        yield { object, id: obj.id, data: owner ? obj : { ...obj, customer: c.id } };
      }
    }
  }

  function checkPolicies(found: Iterable<StripeObjectName>, policyFor: PolicyFor): void {
    const objects = [...found]; // read more than once below
    // The same check as when the configuration loads, here for the policies this erasure will apply.
    const problems = stripeConfigProblems(config);
    for (const object of objects) {
      const policy = policyFor(object);
      if (policy.action !== 'anonymize') continue;
      for (const [field, how] of Object.entries(policy.fields)) {
        const why = maskProblem(object, field, how);
        if (why) problems.push(`${object}.${field}: ${why}`);
      }
    }
    if (problems.length) throw new ConnectorMisconfigured(config.id, [...new Set(problems)].join('; '));
    checkCustomerKept(policyFor);
    // "Deleting" a subscription cancels it, and Stripe keeps cancelled subscriptions with their customer:
    // while the customer is kept they stay findable, so ConfirmErasure would find them every time.
    if (policyFor('subscriptions').action === 'delete' && policyFor('customers').action !== 'delete') {
      throw new ConnectorMisconfigured(
        config.id,
        'Stripe keeps cancelled subscriptions with their customer: while the customer is kept, configure retain for subscriptions (cancel active ones by hand if billing must stop)',
      );
    }
    for (const object of objects) {
      const policy = policyFor(object);
      if (policy.action === 'delete' && UNDELETABLE.has(object)) {
        throw new ConnectorMisconfigured(config.id, `Stripe cannot delete ${object}: configure retain (bookkeeping) or anonymize`);
      }
      if (policy.action === 'anonymize' && NOT_UPDATABLE.has(object)) {
        throw new ConnectorMisconfigured(config.id, `Stripe cannot update ${object}: configure delete or retain`);
      }
    }
  }

  /**
   * Refuses a configuration that would lose the only way to the kept records: the customer deleted, or
   * its email masked, while any other object is kept. Checked on the configuration, not on what this
   * subject happens to have, so a wrong setup fails on the first erasure instead of a later one.
   */
  function checkCustomerKept(policyFor: PolicyFor): void {
    const kept = STRIPE_OBJECTS.filter((o) => o !== 'customers' && policyFor(o).action !== 'delete');
    if (!kept.length) return;
    const policy = policyFor('customers');
    const why = `while ${kept.join(', ')} are kept: they are found only through the customer's email`;
    // A redaction job takes the personal data off the kept records too: nothing personal is left to find.
    if (policy.action === 'delete' && !redaction) {
      throw new ConnectorMisconfigured(
        config.id,
        `Stripe customers cannot be deleted ${why}; retain the customer as their lookup key (settings.maskRetainedCustomers masks the rest) or anonymize it without the email`,
      );
    }
    const masked = policy.action === 'anonymize' ? policy.fields : policy.action === 'retain' ? (settings.maskRetainedCustomers ?? {}) : {};
    if (Object.keys(masked).some((f) => /email/i.test(f))) {
      throw new ConnectorMisconfigured(config.id, `the Stripe customer's email cannot be masked ${why}`);
    }
  }

  /** Masks the retained customers' fields other than the email; how many were changed now. */
  async function maskRetained(stripe: StripeClient, records: DataRecord[], ctx: ConnectorContext): Promise<number> {
    const fields = settings.maskRetainedCustomers;
    if (!fields || !Object.keys(fields).length) return 0;
    let count = 0;
    for (const rec of records) {
      const form = maskForm({ action: 'anonymize', fields }, rec.data);
      if (alreadyMasked(form, rec.data)) continue;
      if (await stripe.mutate('POST', objectPath('customers', rec), 'customers', ctx, form)) count++;
    }
    return count;
  }

  /**
   * Redaction jobs for the subject's customers, at most REDACTION_JOB_MAX_OBJECTS per job (Stripe's
   * limit), one after another. Each is created with an idempotency key per request and batch, so a
   * retried erasure (after a timeout here) finds the same job instead of starting another; run once
   * validated; polled until it succeeded. The calls send the preview API version the endpoints need.
   */
  async function redact(stripe: StripeClient, options: PreviewRedactionJobSettings, records: DataRecord[], ctx: ConnectorContext): Promise<ErasureItem[]> {
    const ids = records.map((r) => r.id).sort();
    const deadline = Date.now() + (options.maxWaitMs ?? 60_000);
    for (let i = 0; i < ids.length; i += REDACTION_JOB_MAX_OBJECTS) {
      await redactBatch(stripe, ids.slice(i, i + REDACTION_JOB_MAX_OBJECTS), options, deadline, ctx);
    }
    return [{ object: 'customers', action: 'anonymized', count: records.length }];
  }

  async function redactBatch(stripe: StripeClient, ids: string[], options: PreviewRedactionJobSettings, deadline: number, ctx: ConnectorContext): Promise<void> {
    const version = { stripeVersion: options.previewApiVersion ?? DEFAULT_PREVIEW_API_VERSION };
    const form = new URLSearchParams();
    for (const id of ids) form.append('objects[customers][]', id);
    form.set('validation_behavior', options.validationBehavior ?? 'error');
    const key = `dsar-${ctx.requestId}-${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16)}`;
    let job = await stripe.post<RedactionJob>('privacy/redaction_jobs', 'privacy/redaction_jobs', ctx, form, key, version);
    for (;;) {
      const status: RedactionJobStatus = job.status;
      switch (status) {
        case 'succeeded':
          return;
        case 'ready':
          job = await stripe.post<RedactionJob>(`privacy/redaction_jobs/${job.id}/run`, 'privacy/redaction_jobs/run', ctx, new URLSearchParams(), `${key}-run`, version);
          continue;
        case 'created':
        case 'validating':
        case 'redacting':
          break; // Stripe is working on it: wait and read it again
        case 'failed':
        case 'canceling':
        case 'canceled':
          // Failed validation (an open invoice, an active dispute...) or cancelled: a person must look.
          throw new ConnectorMisconfigured(config.id, `Stripe redaction job ${job.id} ended ${status}`);
        default: {
          const unknown: never = status;
          throw new ConnectorMisconfigured(config.id, `Stripe redaction job ${job.id} has a status this connector does not know: ${String(unknown)}`);
        }
      }
      if (Date.now() >= deadline) {
        throw new ConnectorUnavailable(config.id, `Stripe redaction job ${job.id} still ${job.status} after ${options.maxWaitMs ?? 60_000} ms`);
      }
      await abortableSleep(options.pollMs ?? 2_000, ctx.signal);
      job = await stripe.get<RedactionJob>(`privacy/redaction_jobs/${job.id}`, 'privacy/redaction_jobs', ctx, version);
    }
  }

  async function eraseObject(
    stripe: StripeClient,
    object: StripeObjectName,
    records: DataRecord[],
    policy: ErasurePolicy,
    ctx: ConnectorContext,
  ): Promise<ErasureItem[]> {
    if (policy.action === 'retain') {
      const item = retained(object, records.length, policy);
      const masked = object === 'customers' ? await maskRetained(stripe, records, ctx) : 0;
      return masked ? [{ object, action: 'anonymized', count: masked, alsoRetained: true }, item] : [item];
    }
    if (policy.action === 'anonymize') {
      // Each record is its own update: side by side, within the client's bound.
      const changed = await mapInOrder(records, VENDOR_CONCURRENCY.stripe, (rec) => stripe.mutate('POST', objectPath(object, rec), object, ctx, maskForm(policy, rec.data)));
      return [{ object, action: 'anonymized', count: changed.filter(Boolean).length }];
    }
    if (object === 'customers' && redaction) return redact(stripe, redaction, records, ctx);
    // Stripe has no batch delete: one call per record, side by side within the client's bound (the
    // records of one object do not depend on each other; ERASE_ORDER still orders the objects).
    const kept: DataRecord[] = [];
    const removed = await mapInOrder(records, VENDOR_CONCURRENCY.stripe, async (rec): Promise<boolean> => {
      switch (object) {
        case 'payment_methods':
          await stripe.mutate('POST', `payment_methods/${rec.id}/detach`, 'payment_methods/detach', ctx);
          return true;
        case 'subscriptions':
          // Cancelling is what Stripe offers; an already cancelled subscription needs nothing more.
          if ((rec.data as Partial<Pick<Stripe.Subscription, 'status'>>).status !== 'canceled') await stripe.mutate('DELETE', `subscriptions/${rec.id}`, object, ctx);
          return true;
        case 'invoiceitems':
          // Items already on an invoice are part of it and stay with it.
          if ((rec.data as Partial<Pick<Stripe.InvoiceItem, 'invoice'>>).invoice) return false;
          await stripe.mutate('DELETE', `invoiceitems/${rec.id}`, object, ctx);
          return true;
        default:
          await stripe.mutate('DELETE', objectPath(object, rec), object, ctx);
          return true;
      }
    });
    for (const [i, rec] of records.entries()) if (!removed[i]) kept.push(rec);
    const count = removed.filter(Boolean).length;
    const items: ErasureItem[] = [];
    if (count) items.push({ object, action: 'deleted', count });
    if (kept.length) {
      items.push(retained(object, kept.length, { legalBasis: 'Part of an issued invoice, kept with the invoice', retentionPeriod: 'As long as the invoice is kept', reason: 'erasure.why.invoice_item' }));
    }
    return items;
  }

  /**
   * The customer holds every field a subject may correct (`name`, `email`, `phone`, `address`); charges
   * and invoices copy them when issued and are records of what happened then, so they are not rewritten.
   */
  const rectify: RectifyCapability = {
    async current(subject: Subject, fields: readonly RectifiableField[], ctx: ConnectorContext): Promise<FieldValue[]> {
      const found = await customers(await getClient(), subject, ctx);
      return found.flatMap((c) =>
        fields.map((field): FieldValue => ({
          object: 'customers',
          recordId: c.id,
          field,
          systemField: field,
          value: field === 'address' ? postalAddress(c.address) : textOrNull(c[field]),
        })),
      );
    },
    async apply(subject: Subject, corrections: readonly Correction[], ctx: ConnectorContext): Promise<RectificationItem[]> {
      const stripe = await getClient();
      // Only the subject's own customers are written, whatever ids the corrections name.
      const own = new Set((await customers(stripe, subject, ctx)).map((c) => c.id));
      const items: RectificationItem[] = [];
      for (const [recordId, list] of byRecord(corrections.filter((c) => c.object === 'customers'))) {
        const written = own.has(recordId) && (await stripe.mutate('POST', `customers/${encodeURIComponent(recordId)}`, 'customers', ctx, correctionForm(list)));
        for (const c of list) items.push({ object: c.object, recordId, field: c.field, status: written ? 'corrected' : 'not_found' });
      }
      for (const c of corrections) if (c.object !== 'customers') items.push({ object: c.object, recordId: c.recordId, field: c.field, status: 'not_found' });
      return items;
    },
  };

  return {
    id: config.id,
    config,
    access: find,
    rectify,
    async erase(subject: Subject, policyFor: PolicyFor, ctx: ConnectorContext): Promise<ErasureOutcome> {
      // What erasure reads of a record: everything to mask it (and the kept customers, masked by
      // maskRetainedCustomers); to delete it, its path and state; to retain it, nothing but its count.
      const byObject = await groupByObject<StripeObjectName>(find(subject, ctx), (rec) => {
        const action = policyFor(rec.object).action;
        if (action === 'anonymize' || rec.object === 'customers') return rec;
        return withOnly(rec, action === 'delete' ? ['customer', 'invoice', 'status'] : []);
      });
      if (!byObject.has('customers')) {
        const item: ErasureItem = { object: 'customers', action: 'not_found', count: 0 };
        await ctx.erased?.(item);
        return { connectorId: config.id, items: [item] };
      }
      checkPolicies(byObject.keys(), policyFor);
      const stripe = await getClient();
      const items: ErasureItem[] = [];
      for (const object of ERASE_ORDER) {
        const records = byObject.get(object);
        if (!records?.length) continue;
        const done = await eraseObject(stripe, object, records, policyFor(object), ctx);
        items.push(...done);
        for (const item of done) await ctx.erased?.(item);
      }
      return { connectorId: config.id, items };
    },
  };
}
