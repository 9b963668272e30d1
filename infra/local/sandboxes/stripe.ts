/**
 * Stripe sandbox: `/v1` lists with `limit` (max 100) / `starting_after` / `has_more`, customer search
 * with `page` / `next_page`, the customer sub-resources, updates, deletes and detach. `?email=` matches
 * exactly (case-sensitive, as Stripe's does); search matches case-insensitively. Errors are Stripe's
 * `{"error":{type,code,message}}` with `Stripe-Should-Retry`. Deleting a customer removes it and its
 * payment methods, sources and tax ids and cancels its subscriptions; charges, invoices and the other
 * financial records stay, as they do at Stripe, and a read of the deleted customer answers 200 with
 * `deleted: true`. Objects carry the fields Stripe's OpenAPI schema requires, updates take only the
 * parameters Stripe's do (`""` empties: metadata to `{}`, a plain list is a 400), and redaction jobs
 * (preview API version only) pass through created -> validating -> ready -> redacting -> succeeded;
 * `test/contracts/stripe.test.ts` validates every answer against Stripe's spec.
 */
import type { DemoPerson } from '../demo/people.ts';
import { bearer, json, type AuthVerdict, type SandboxRequest, type SandboxResponse, type VendorSandbox } from './server.ts';
import type { PartialForm, ThrottleFault } from './faults.ts';

export type StripeObj = Record<string, unknown> & { id: string; object: string };

/** Per-customer lists, newest first like Stripe's. */
const RESOURCES = ['charges', 'payment_intents', 'invoices', 'invoiceitems', 'subscriptions', 'payment_methods', 'sources', 'tax_ids', 'credit_notes', 'balance_transactions'] as const;
type Resource = (typeof RESOURCES)[number];
const SUB_RESOURCES = new Set<Resource>(['payment_methods', 'sources', 'tax_ids', 'balance_transactions']);
const TOP_LEVEL = new Set<Resource>(['charges', 'payment_intents', 'invoices', 'invoiceitems', 'subscriptions', 'credit_notes']);

const stripeError = (status: number, error: Record<string, unknown>, headers?: Record<string, string>) =>
  json(status, { error: { ...error, request_log_url: 'https://dashboard.stripe.test/logs/req_sandbox' } }, headers);

const missing = (what: string, id: string) =>
  stripeError(404, { code: 'resource_missing', doc_url: 'https://stripe.com/docs/error-codes/resource-missing', message: `No such ${what}: '${id}'`, param: 'id', type: 'invalid_request_error' });

export class StripeStore {
  readonly customers = new Map<string, StripeObj>();
  /** customer id -> resource -> objects, newest first. */
  readonly byCustomer = new Map<string, Map<Resource, StripeObj[]>>();
  readonly byId = new Map<string, { resource: Resource; obj: StripeObj }>();
  /** Every customer id ever created -> lower-cased email, kept after deletion so retained records still count. */
  readonly ownerEmail = new Map<string, string>();
  /** Privacy redaction jobs (public preview), by id. */
  readonly redactionJobs = new Map<string, RedactionJobRecord>();
  /** How many status reads a job stays in each of `created`, `validating` and `redacting`; tests raise it. */
  redactionSteps = 1;
  /** Deleted customers: Stripe still answers a read of one, with `{id, object: 'customer', deleted: true}`. */
  readonly deletedCustomers = new Set<string>();
  /** Customers a redaction job cannot validate (an open invoice, an active dispute...): their job fails. */
  readonly unredactable = new Set<string>();
  /** Receipts Stripe would have emailed: writing `receipt_email` on a charge sends one to that address. */
  readonly receiptsSent: Array<{ charge: string; to: string }> = [];
  private seq = 0;
  private clock = Date.UTC(2025, 0, 1) / 1000;

  id(prefix: string): string {
    return `${prefix}_${(++this.seq).toString(36).padStart(14, '0')}`;
  }

  tick(): number {
    return (this.clock += 3600);
  }

  addCustomer(fields: Record<string, unknown>): StripeObj {
    const c: StripeObj = {
      id: this.id('cus'), object: 'customer', created: this.tick(), livemode: false, balance: 0, currency: 'eur', metadata: {},
      address: null, description: null, phone: null, shipping: null, preferred_locales: [], delinquent: false, invoice_prefix: null, tax_exempt: 'none', ...fields,
    };
    this.customers.set(c.id, c);
    this.ownerEmail.set(c.id, String(c.email ?? '').toLowerCase());
    this.byCustomer.set(c.id, new Map());
    return c;
  }

  add(resource: Resource, customer: string, obj: StripeObj): StripeObj {
    const lists = this.byCustomer.get(customer)!;
    const list = lists.get(resource) ?? [];
    list.unshift(obj); // newest first
    lists.set(resource, list);
    this.byId.set(obj.id, { resource, obj });
    return obj;
  }

  /** A card payment method with the fields Stripe's schema requires. */
  paymentMethod(customer: string, billing: Record<string, unknown>, last4 = '4242', country = 'NO'): StripeObj {
    return {
      id: this.id('pm'), object: 'payment_method', type: 'card', customer, created: this.tick(), livemode: false, metadata: {},
      billing_details: { address: null, email: null, name: null, phone: null, ...billing },
      card: { brand: 'visa', last4, exp_month: 12, exp_year: 2030, country, funding: 'credit', checks: null, fingerprint: null, generated_from: null, networks: null, three_d_secure_usage: null, wallet: null },
    };
  }

  remove(id: string): void {
    const hit = this.byId.get(id);
    if (!hit) return;
    this.byId.delete(id);
    const customer = String(hit.obj.customer ?? '');
    const list = this.byCustomer.get(customer)?.get(hit.resource);
    if (list) this.byCustomer.get(customer)!.set(hit.resource, list.filter((o) => o.id !== id));
  }

  list(customer: string, resource: Resource): StripeObj[] {
    return this.byCustomer.get(customer)?.get(resource) ?? [];
  }

  /** Objects per resource belonging to the person with this email, deleted customers' retained records included. */
  countFor(email: string): Record<string, number> {
    const e = email.toLowerCase();
    const counts: Record<string, number> = {};
    for (const [cus, owner] of this.ownerEmail) {
      if (owner !== e) continue;
      if (this.customers.has(cus)) counts.customers = (counts.customers ?? 0) + 1;
      for (const [resource, list] of this.byCustomer.get(cus) ?? []) {
        if (list.length) counts[resource] = (counts[resource] ?? 0) + list.length;
      }
    }
    return counts;
  }
}

interface Amounts {
  charges: number;
  invoices: number;
  rich: boolean;
}

const list = (url: string, data: unknown[] = []) => ({ object: 'list', data, has_more: false, url });

function seedCustomer(store: StripeStore, p: DemoPerson, email: string, a: Amounts): void {
  const address = { city: 'Oslo', country: p.country, line1: `Storgata ${p.index + 1}`, line2: null, postal_code: '0155', state: null };
  const c = store.addCustomer({ email, name: p.name, phone: p.phone, address, description: null, preferred_locales: [p.language], invoice_prefix: `INV${p.index}`, shipping: null, tax_exempt: 'none' });
  const billing = { address, email, name: p.name, phone: p.phone };
  const pm = store.add('payment_methods', c.id, store.paymentMethod(c.id, billing, String(4242 + (p.index % 5000)).slice(-4), p.country));
  for (let i = 0; i < a.charges; i++) {
    const amount = 1200 + (i % 7) * 100;
    const pi = {
      id: store.id('pi'), object: 'payment_intent', amount, amount_received: amount, currency: 'eur', customer: c.id, created: store.tick(), livemode: false, status: 'succeeded',
      capture_method: 'automatic', confirmation_method: 'automatic', payment_method_types: ['card'], description: 'Business plan', payment_method: pm.id, receipt_email: email, metadata: {},
    } as StripeObj;
    const chId = store.id('ch');
    const ch = store.add('charges', c.id, {
      id: chId, object: 'charge', amount, amount_captured: amount, amount_refunded: 0, currency: 'eur', customer: c.id, created: store.tick(), livemode: false,
      billing_details: billing, captured: true, description: 'Business plan', disputed: false, paid: true, refunded: false, status: 'succeeded', payment_intent: pi.id,
      payment_method: pm.id, receipt_email: email, invoice: null, metadata: {}, refunds: list(`/v1/charges/${chId}/refunds`),
      // Stripe Radar's assessment: inferred about the payer, so never part of a portability export.
      outcome: { network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: 10 + ((p.index + i) % 40), seller_message: 'Payment complete.', type: 'authorized' },
    });
    store.add('payment_intents', c.id, { ...pi, latest_charge: ch.id });
  }
  for (let i = 0; i < a.invoices; i++) {
    const id = store.id('in');
    const created = store.tick();
    store.add('invoices', c.id, {
      id, object: 'invoice', customer: c.id, customer_email: email, customer_name: p.name, customer_address: address, created, livemode: false,
      number: `INV${p.index}-${String(i + 1).padStart(4, '0')}`, status: 'paid', currency: 'eur', subscription: null, description: null, footer: null, metadata: {},
      total: 4800, subtotal: 4800, amount_due: 4800, amount_paid: 4800, amount_remaining: 0, attempt_count: 1, attempted: true, paid: true, paid_out_of_band: false,
      automatic_tax: { enabled: false, status: null }, collection_method: 'charge_automatically', default_tax_rates: [], total_tax_amounts: [],
      lines: list(`/v1/invoices/${id}/lines`), payment_settings: { payment_method_options: null, payment_method_types: null },
      period_start: created, period_end: created, post_payment_credit_notes_amount: 0, pre_payment_credit_notes_amount: 0, starting_balance: 0,
      status_transitions: { finalized_at: created, marked_uncollectible_at: null, paid_at: created, voided_at: null },
    });
  }
  if (!a.rich) return;
  const invoices = store.list(c.id, 'invoices');
  const subId = store.id('sub');
  const start = store.tick();
  store.add('subscriptions', c.id, {
    id: subId, object: 'subscription', customer: c.id, status: 'canceled', created: start, livemode: false, metadata: {}, description: null, canceled_at: store.tick(),
    automatic_tax: { enabled: false }, billing_cycle_anchor: start, cancel_at_period_end: false, collection_method: 'charge_automatically',
    current_period_start: start, current_period_end: start + 30 * 86_400, start_date: start,
    items: list(`/v1/subscription_items?subscription=${subId}`, [{
      id: store.id('si'), object: 'subscription_item', created: start, metadata: {}, subscription: subId,
      price: { id: 'price_business_monthly', object: 'price', active: true, billing_scheme: 'per_unit', created: start, currency: 'eur', livemode: false, metadata: {}, product: 'prod_business', type: 'recurring', unit_amount: 1200 },
    }]),
  });
  const date = store.tick();
  store.add('invoiceitems', c.id, {
    id: store.id('ii'), object: 'invoiceitem', customer: c.id, amount: 300, currency: 'eur', description: 'Extra recording storage', invoice: null, date, livemode: false, metadata: {},
    discountable: true, period: { start: date, end: date }, proration: false, quantity: 1,
  });
  store.add('sources', c.id, {
    id: store.id('src'), object: 'source', type: 'card', customer: c.id, owner: { email, name: p.name, address: null, phone: null, verified_address: null, verified_email: null, verified_name: null, verified_phone: null },
    card: { brand: 'Visa', last4: '1881' }, created: store.tick(), livemode: false, metadata: {}, client_secret: 'src_client_secret_sandbox', flow: 'none', status: 'chargeable', usage: 'reusable',
  });
  store.add('tax_ids', c.id, { id: store.id('txi'), object: 'tax_id', customer: c.id, type: 'eu_vat', value: `NO${String(900000000 + p.index)}MVA`, country: p.country, created: store.tick(), livemode: false, verification: null });
  if (invoices[0]) {
    const id = store.id('cn');
    store.add('credit_notes', c.id, {
      id, object: 'credit_note', customer: c.id, invoice: invoices[0].id, amount: 1200, currency: 'eur', number: `CN${p.index}-0001`, status: 'issued', type: 'pre_payment', created: store.tick(), livemode: false,
      memo: 'Goodwill refund', metadata: {}, discount_amount: 0, discount_amounts: [], lines: list(`/v1/credit_notes/${id}/lines`), pdf: `https://pay.stripe.test/credit_notes/${id}/pdf`,
      subtotal: 1200, tax_amounts: [], total: 1200,
    });
  }
  for (let i = 0; i < 2; i++) {
    store.add('balance_transactions', c.id, {
      id: store.id('cbtxn'), object: 'customer_balance_transaction', customer: c.id, amount: -500, currency: 'eur', type: 'adjustment', description: 'Service credit', created: store.tick(),
      livemode: false, metadata: {}, ending_balance: -500 * (i + 1),
    });
  }
}

/**
 * Alice: two customers, one with her address as 'Alice@Example.com', 250 charges and 5 invoices on the
 * main one plus every other kind of object. Bob: one ordinary customer. The crowd: a customer with two
 * charges and an invoice each; every 1000th crowd person 300 charges.
 */
export function seedStripe(store: StripeStore, people: DemoPerson[]): void {
  for (const p of people) {
    if (p.email === 'alice@example.com') {
      seedCustomer(store, p, 'Alice@Example.com', { charges: 3, invoices: 1, rich: false });
      seedCustomer(store, p, p.email, { charges: 250, invoices: 5, rich: true });
    } else {
      const heavy = p.index % 1000 === 10;
      seedCustomer(store, p, p.email, { charges: heavy ? 300 : 2, invoices: 1, rich: p.email === 'bob@example.com' || p.index >= 100_000 });
    }
  }
}

/**
 * Top-level parameters each update endpoint accepts (Stripe's API reference); anything else is Stripe's
 * `parameter_unknown` 400. Invoices' `customer_*` and charges' `billing_details` are not among them.
 */
const UPDATE_PARAMS: Record<string, string[]> = {
  customers: ['address', 'balance', 'cash_balance', 'coupon', 'default_source', 'description', 'email', 'expand', 'invoice_prefix', 'invoice_settings', 'metadata', 'name', 'next_invoice_sequence', 'phone', 'preferred_locales', 'promotion_code', 'shipping', 'source', 'tax', 'tax_exempt'],
  charges: ['customer', 'description', 'expand', 'fraud_details', 'metadata', 'receipt_email', 'shipping', 'transfer_group'],
  payment_intents: ['amount', 'currency', 'customer', 'description', 'expand', 'metadata', 'payment_method', 'payment_method_types', 'receipt_email', 'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_group'],
  invoices: ['account_tax_ids', 'auto_advance', 'automatic_tax', 'collection_method', 'custom_fields', 'days_until_due', 'default_payment_method', 'default_source', 'default_tax_rates', 'description', 'discounts', 'due_date', 'expand', 'footer', 'metadata', 'on_behalf_of', 'payment_settings', 'statement_descriptor'],
  invoiceitems: ['amount', 'description', 'discountable', 'discounts', 'expand', 'metadata', 'period', 'price', 'quantity', 'tax_rates', 'unit_amount'],
  subscriptions: ['cancel_at', 'cancel_at_period_end', 'collection_method', 'default_payment_method', 'description', 'expand', 'items', 'metadata', 'pause_collection', 'proration_behavior'],
  payment_methods: ['billing_details', 'card', 'expand', 'metadata'],
  sources: ['account_holder_name', 'account_holder_type', 'address_city', 'address_country', 'address_line1', 'address_line2', 'address_state', 'address_zip', 'exp_month', 'exp_year', 'expand', 'metadata', 'name', 'owner'],
  credit_notes: ['expand', 'memo', 'metadata'],
  balance_transactions: ['description', 'expand', 'metadata'],
};
/** Plain list parameters: `""` does not empty them (Stripe answers 400), unlike metadata, address or shipping. */
const PLAIN_LISTS = new Set(['preferred_locales', 'payment_method_types', 'default_tax_rates']);

/**
 * Reads Stripe's form encoding (`a[b]=c`) into nested objects. `""` empties: metadata becomes `{}`,
 * anything else null.
 */
function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, '').split('[');
    let node = out;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    const last = path.at(-1)!;
    node[last] = value !== '' ? value : last === 'metadata' ? {} : null;
  }
  return out;
}

/** Stripe's 400 for an update it refuses, or undefined when every parameter is one it takes. */
function refusedUpdate(resource: string, text: string): SandboxResponse | undefined {
  const allowed = new Set(UPDATE_PARAMS[resource] ?? []);
  for (const [key, value] of new URLSearchParams(text)) {
    const top = key.split('[')[0]!;
    if (!allowed.has(top)) {
      return stripeError(400, { code: 'parameter_unknown', doc_url: 'https://stripe.com/docs/error-codes/parameter-unknown', message: `Received unknown parameter: ${top}`, param: top, type: 'invalid_request_error' });
    }
    if (PLAIN_LISTS.has(top) && key === top && value === '') {
      return stripeError(400, { code: 'parameter_invalid_empty', message: `Invalid array: ${top} cannot be emptied with an empty string`, param: top, type: 'invalid_request_error' });
    }
  }
  return undefined;
}

function merge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v && typeof v === 'object' && target[k] && typeof target[k] === 'object') merge(target[k] as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = v;
  }
}

/** `email:'x'` or `email:"x"` with backslash escapes; the only search this sandbox supports. */
export function parseEmailSearch(query: string): string | undefined {
  const m = /^\s*email\s*:\s*(['"])((?:\\.|(?!\1).)*)\1\s*$/.exec(query);
  return m ? m[2]!.replace(/\\(.)/g, '$1') : undefined;
}

export interface StripeSandboxOptions {
  secretKey?: string;
}

/** Fields a redaction job clears, wherever they sit in the customer or an object tied to it. */
const PERSONAL_FIELDS = new Set(['email', 'name', 'phone', 'address', 'shipping', 'description', 'receipt_email', 'customer_email', 'customer_name', 'customer_phone', 'customer_address', 'customer_shipping', 'billing_details', 'owner', 'memo']);

/** The values Stripe leaves after redacting (the exact placeholder is not documented; uncertain). */
function redacted(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  return typeof value === 'string' ? '[redacted]' : null;
}

function redactObject(obj: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(obj)) {
    if (PERSONAL_FIELDS.has(key)) obj[key] = redacted(value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) redactObject(value as Record<string, unknown>);
  }
}

export interface RedactionJobRecord {
  id: string;
  object: 'privacy.redaction_job';
  created: number;
  livemode: false;
  status: 'created' | 'validating' | 'ready' | 'redacting' | 'succeeded' | 'failed';
  validation_behavior: 'error' | 'fix';
  /** Every list a job can name, null when unused, as Stripe answers. */
  objects: Record<'charges' | 'checkout_sessions' | 'identity_verification_sessions' | 'invoices' | 'issuing_cardholders' | 'payment_intents' | 'radar_value_list_items' | 'setup_intents', string[] | null> & { customers: string[] };
}
/** Objects one redaction job takes at most. */
export const REDACTION_JOB_MAX_OBJECTS = 10;

export class StripeSandbox implements VendorSandbox {
  readonly name = 'stripe' as const;
  readonly store = new StripeStore();
  /** Idempotency keys of job creations -> the job they created. */
  private readonly idempotency = new Map<string, string>();
  private readonly stepsLeft = new Map<string, number>();
  /** The one key accepted; `rotateKey` replaces it, as rolling a key in Stripe's dashboard does. */
  secretKey: string;
  private expiredOnce = false;
  private rotations = 0;

  constructor(people: DemoPerson[], options: StripeSandboxOptions = {}) {
    this.secretKey = options.secretKey ?? 'sk_test_sandbox_dsar_local_51Nx';
    seedStripe(this.store, people);
  }

  /** A new secret key; the old one is refused from now on. */
  rotateKey(): string {
    this.secretKey = `sk_test_sandbox_dsar_local_rotated_${++this.rotations}`;
    return this.secretKey;
  }

  isPublic(): boolean {
    return false;
  }

  authenticate(req: SandboxRequest): AuthVerdict {
    let key = bearer(req);
    const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!key && basic) key = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0];
    if (!key) return 'missing';
    if (key !== this.secretKey) return 'invalid';
    if (this.expiredOnce) {
      this.expiredOnce = false;
      return 'expired';
    }
    return 'ok';
  }

  unauthorized(verdict: Exclude<AuthVerdict, 'ok'>): SandboxResponse {
    if (verdict === 'missing') {
      return stripeError(401, { message: 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.', type: 'invalid_request_error' });
    }
    if (verdict === 'expired') return stripeError(401, { code: 'api_key_expired', message: 'Expired API Key provided: sk_test_****', type: 'invalid_request_error' });
    return stripeError(401, { message: 'Invalid API Key provided: sk_test_****', type: 'invalid_request_error' });
  }

  throttled(fault: Omit<ThrottleFault, 'count'>): SandboxResponse {
    const headers: Record<string, string> = { 'stripe-should-retry': String(fault.shouldRetry ?? true) };
    if (fault.retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(fault.retryAfterMs / 1000));
    const status = fault.form === '400' ? 400 : 429;
    return stripeError(status, { code: 'rate_limit', message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.', type: 'invalid_request_error' }, headers);
  }

  failure(status: number): SandboxResponse {
    if (status >= 500) return stripeError(status, { message: 'An unknown error occurred', type: 'api_error' }, { 'stripe-should-retry': 'true' });
    return stripeError(status, { message: 'Injected failure', type: 'invalid_request_error' });
  }

  expireTokens(): void {
    this.expiredOnce = true;
  }

  /**
   * Partial forms of a list or search page (Stripe has no multi-status answers, so `errors` changes
   * nothing): `no-results` drops `data`; `early-end` is `has_more: true` with an empty `data` on a list,
   * and `has_more: true` without `next_page` on a search.
   */
  partial(form: PartialForm, req: SandboxRequest, status?: number): SandboxResponse {
    const res = this.handle(req);
    const page = res.body as { object?: string; data?: unknown[]; has_more?: boolean; next_page?: string | null } | undefined;
    if (res.status !== 200 || !page || !Array.isArray(page.data) || form === 'errors') return res;
    if (form === 'no-results') {
      const { data: _data, ...rest } = page;
      return { ...res, status: status ?? 200, body: rest };
    }
    const early = page.object === 'search_result' ? { ...page, has_more: true, next_page: null } : { ...page, has_more: true, data: [] };
    return { ...res, status: status ?? 200, body: early };
  }

  handle(req: SandboxRequest): SandboxResponse {
    const parts = req.path.split('/').filter(Boolean);
    if (parts[0] !== 'v1') return this.unknownUrl(req);
    const [, a, b, c, d] = parts;
    if (a === 'privacy' && b === 'redaction_jobs') {
      // A public preview: the endpoints answer only under a preview API version.
      if (!/\.preview$/.test(String(req.headers['stripe-version'] ?? ''))) {
        return stripeError(400, { code: 'preview_api_version_required', message: 'Redaction jobs are in public preview: send a preview Stripe-Version (YYYY-MM-DD.preview).', type: 'invalid_request_error' });
      }
      if (req.method === 'POST' && !c) return this.createRedactionJob(req);
      if (req.method === 'GET' && c && !d) return this.redactionJob(c);
      if (req.method === 'POST' && c && d === 'run') return this.runRedactionJob(c);
      return this.unknownUrl(req);
    }
    if (req.method === 'GET') {
      if (a === 'customers' && b === 'search' && !c) return this.search(req);
      if (a === 'customers' && !b) return this.listCustomers(req);
      if (a === 'customers' && b && !c) return this.customers(b);
      if (a === 'customers' && b && c && !d && SUB_RESOURCES.has(c as Resource)) {
        if (!this.store.customers.has(b)) return missing('customer', b);
        return this.page(req, this.store.list(b, c as Resource), `/v1/customers/${b}/${c}`);
      }
      if (a && TOP_LEVEL.has(a as Resource) && !b) return this.listTopLevel(req, a as Resource);
      return this.unknownUrl(req);
    }
    if (req.method === 'DELETE') {
      if (a === 'customers' && b && !c) return this.deleteCustomer(b);
      if (a === 'customers' && b && (c === 'sources' || c === 'tax_ids') && d) return this.deleteChild(d, c === 'sources' ? 'source' : 'tax_id');
      if (a === 'subscriptions' && b && !c) return this.cancel(b);
      if (a === 'invoiceitems' && b && !c) return this.deleteInvoiceItem(b);
      return this.unknownUrl(req);
    }
    if (req.method === 'POST') {
      if (a === 'payment_methods' && b && c === 'detach') return this.detach(b);
      if (a === 'customers' && b && !c) return this.update(b, 'customers', req);
      if (a === 'customers' && b && (c === 'sources' || c === 'balance_transactions') && d) return this.update(d, c, req);
      if (a && b && !c && (TOP_LEVEL.has(a as Resource) || a === 'payment_methods')) return this.update(b, a, req);
      return this.unknownUrl(req);
    }
    return this.unknownUrl(req);
  }

  /**
   * `POST /v1/privacy/redaction_jobs` (`objects[customers][]=…`, `validation_behavior`). The same
   * Idempotency-Key answers with the job it created first, as Stripe does for 24 hours.
   */
  private createRedactionJob(req: SandboxRequest): SandboxResponse {
    const key = req.headers['idempotency-key'];
    const known = typeof key === 'string' ? this.idempotency.get(key) : undefined;
    if (known) return json(200, this.store.redactionJobs.get(known));
    const form = new URLSearchParams(req.text);
    const customers = form.getAll('objects[customers][]');
    if (!customers.length) return stripeError(400, { code: 'parameter_missing', message: 'Missing required param: objects.', param: 'objects', type: 'invalid_request_error' });
    if (customers.length > REDACTION_JOB_MAX_OBJECTS) {
      return stripeError(400, { code: 'parameter_invalid', message: `A redaction job takes at most ${REDACTION_JOB_MAX_OBJECTS} objects.`, param: 'objects', type: 'invalid_request_error' });
    }
    const unknown = customers.find((id) => !this.store.customers.has(id));
    if (unknown) return missing('customer', unknown);
    const behavior = form.get('validation_behavior') ?? 'error';
    if (behavior !== 'error' && behavior !== 'fix') return stripeError(400, { code: 'parameter_invalid', message: 'Invalid validation_behavior', param: 'validation_behavior', type: 'invalid_request_error' });
    const objects: RedactionJobRecord['objects'] = {
      charges: null, checkout_sessions: null, customers, identity_verification_sessions: null, invoices: null, issuing_cardholders: null, payment_intents: null, radar_value_list_items: null, setup_intents: null,
    };
    const job: RedactionJobRecord = {
      id: this.store.id('prj'), object: 'privacy.redaction_job', created: Math.floor(Date.now() / 1000), livemode: false, status: 'created',
      validation_behavior: behavior, objects,
    };
    this.store.redactionJobs.set(job.id, job);
    this.stepsLeft.set(job.id, this.store.redactionSteps);
    if (typeof key === 'string') this.idempotency.set(key, job.id);
    return json(200, job);
  }

  /**
   * Reading a job moves it along, as Stripe's own work would: created -> validating -> ready, and
   * redacting -> succeeded (redacting everything then).
   */
  private redactionJob(id: string): SandboxResponse {
    const job = this.store.redactionJobs.get(id);
    if (!job) return missing('privacy.redaction_job', id);
    if (job.status === 'created' || job.status === 'validating' || job.status === 'redacting') {
      const left = (this.stepsLeft.get(id) ?? 0) - 1;
      this.stepsLeft.set(id, left);
      if (left <= 0) {
        if (job.status === 'created') {
          job.status = 'validating';
        } else if (job.status === 'validating') {
          job.status = job.objects.customers.some((c) => this.store.unredactable.has(c)) ? 'failed' : 'ready';
        } else {
          for (const customer of job.objects.customers) this.redactCustomer(customer);
          job.status = 'succeeded';
        }
        this.stepsLeft.set(id, this.store.redactionSteps);
      }
    }
    return json(200, job);
  }

  private runRedactionJob(id: string): SandboxResponse {
    const job = this.store.redactionJobs.get(id);
    if (!job) return missing('privacy.redaction_job', id);
    if (job.status !== 'ready') {
      return stripeError(400, { code: 'redaction_job_invalid_status', message: `The redaction job is ${job.status}; only a ready job can run.`, type: 'invalid_request_error' });
    }
    job.status = 'redacting';
    return json(200, job);
  }

  /** The customer and every object tied to it lose their personal fields; the objects themselves stay. */
  private redactCustomer(id: string): void {
    const customer = this.store.customers.get(id);
    if (customer) redactObject(customer);
    for (const list of this.store.byCustomer.get(id)?.values() ?? []) for (const obj of list) redactObject(obj);
  }

  private unknownUrl(req: SandboxRequest): SandboxResponse {
    return stripeError(404, { message: `Unrecognized request URL (${req.method}: ${req.path}).`, type: 'invalid_request_error' });
  }

  private limit(req: SandboxRequest): number | SandboxResponse {
    const raw = req.query.get('limit');
    const limit = raw === null ? 10 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return stripeError(400, { code: 'parameter_invalid_integer', message: 'Invalid integer: limit must be between 1 and 100', param: 'limit', type: 'invalid_request_error' });
    }
    return limit;
  }

  private page(req: SandboxRequest, all: StripeObj[], url: string): SandboxResponse {
    const limit = this.limit(req);
    if (typeof limit !== 'number') return limit;
    let start = 0;
    const after = req.query.get('starting_after');
    if (after) {
      const i = all.findIndex((o) => o.id === after);
      if (i < 0) return stripeError(400, { message: `Invalid starting_after id: ${after}`, param: 'starting_after', type: 'invalid_request_error' });
      start = i + 1;
    }
    const data = all.slice(start, start + limit);
    return json(200, { object: 'list', data, has_more: start + limit < all.length, url });
  }

  private listCustomers(req: SandboxRequest): SandboxResponse {
    const email = req.query.get('email');
    const all = [...this.store.customers.values()].filter((c) => email === null || c.email === email).reverse();
    return this.page(req, all, '/v1/customers');
  }

  private search(req: SandboxRequest): SandboxResponse {
    const limit = this.limit(req);
    if (typeof limit !== 'number') return limit;
    const email = parseEmailSearch(req.query.get('query') ?? '');
    if (email === undefined) {
      return stripeError(400, { code: 'parameter_invalid_string', message: 'This sandbox supports only the query email:\'...\'', param: 'query', type: 'invalid_request_error' });
    }
    const all = [...this.store.customers.values()].filter((c) => String(c.email ?? '').toLowerCase() === email.toLowerCase());
    const offset = Number(Buffer.from(req.query.get('page') ?? '', 'base64url').toString() || '0');
    const data = all.slice(offset, offset + limit);
    const more = offset + limit < all.length;
    return json(200, { object: 'search_result', data, has_more: more, next_page: more ? Buffer.from(String(offset + limit)).toString('base64url') : null, url: '/v1/customers/search' });
  }

  private customers(id: string): SandboxResponse {
    const c = this.store.customers.get(id);
    if (c) return json(200, c);
    return this.store.deletedCustomers.has(id) ? json(200, { id, object: 'customer', deleted: true }) : missing('customer', id);
  }

  private listTopLevel(req: SandboxRequest, resource: Resource): SandboxResponse {
    const customer = req.query.get('customer');
    if (!customer) return stripeError(400, { message: 'This sandbox lists only by customer', param: 'customer', type: 'invalid_request_error' });
    let all = this.store.list(customer, resource);
    if (resource === 'subscriptions') {
      const status = req.query.get('status');
      if (status !== 'all') all = all.filter((s) => (status ? s.status === status : s.status !== 'canceled'));
    }
    return this.page(req, all, `/v1/${resource}`);
  }

  private deleteCustomer(id: string): SandboxResponse {
    if (!this.store.customers.has(id)) return missing('customer', id);
    this.store.customers.delete(id);
    this.store.deletedCustomers.add(id);
    for (const r of ['payment_methods', 'sources', 'tax_ids'] as const) for (const o of this.store.list(id, r)) this.store.remove(o.id);
    for (const s of this.store.list(id, 'subscriptions')) s.status = 'canceled';
    return json(200, { id, object: 'customer', deleted: true });
  }

  private deleteChild(id: string, object: string): SandboxResponse {
    const hit = this.store.byId.get(id);
    if (!hit) return missing(object.replace('_', ' '), id);
    this.store.remove(id);
    // Detaching a Source answers with the source itself, now consumed; a tax id with a deletion stub.
    if (object === 'source') {
      const { customer: _detached, ...source } = hit.obj;
      return json(200, { ...source, status: 'consumed' });
    }
    return json(200, { id, object, deleted: true });
  }

  private cancel(id: string): SandboxResponse {
    const hit = this.store.byId.get(id);
    if (!hit || hit.resource !== 'subscriptions') return missing('subscription', id);
    if (hit.obj.status === 'canceled') {
      return stripeError(400, { code: 'resource_missing', message: `A canceled subscription can only update its cancellation_details and metadata.`, type: 'invalid_request_error' });
    }
    hit.obj.status = 'canceled';
    hit.obj.canceled_at = Math.floor(Date.now() / 1000);
    return json(200, hit.obj);
  }

  private deleteInvoiceItem(id: string): SandboxResponse {
    const hit = this.store.byId.get(id);
    if (!hit || hit.resource !== 'invoiceitems') return missing('invoiceitem', id);
    if (hit.obj.invoice) return stripeError(400, { code: 'invoice_not_editable', message: 'This invoice item is on a finalized invoice.', type: 'invalid_request_error' });
    this.store.remove(id);
    return json(200, { id, object: 'invoiceitem', deleted: true });
  }

  private detach(id: string): SandboxResponse {
    const hit = this.store.byId.get(id);
    if (!hit || hit.resource !== 'payment_methods') return missing('payment_method', id);
    this.store.remove(id);
    return json(200, { ...hit.obj, customer: null });
  }

  private update(id: string, resource: string, req: SandboxRequest): SandboxResponse {
    const target = resource === 'customers' ? this.store.customers.get(id) : this.store.byId.get(id)?.obj;
    if (!target) return missing(resource.replace(/s$/, ''), id);
    const refused = refusedUpdate(resource, req.text);
    if (refused) return refused;
    const patch = parseForm(req.text);
    merge(target, patch);
    // Stripe emails a receipt to a receipt_email written on a charge, whatever the account's settings.
    if (resource === 'charges' && typeof patch.receipt_email === 'string') this.store.receiptsSent.push({ charge: id, to: patch.receipt_email });
    return json(200, target);
  }
}
