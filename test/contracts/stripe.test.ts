/**
 * The Stripe connector and sandbox checked against Stripe's own published contract (the OpenAPI spec
 * vendored in test/contracts/stripe/), not against each other: every request the connector makes
 * while reading and erasing matches an operation of the spec, and every answer the sandbox gives
 * validates against that operation's response schema.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErasurePolicy } from '#commons/config';
import { createSaasConnector } from '#connectors/saas';
import { MASKABLE, type MaskKind } from '#connectors/stripe/settings';
import { startSandboxes, type Sandboxes } from '../../infra/local/sandboxes/index.ts';
import { BOOKKEEPING, collect, ctx, depsFor, policies, saasConfig, subjectOf } from '../functions/connectors/support.ts';

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const read = (file: string) => JSON.parse(readFileSync(new URL(`./stripe/${file}`, import.meta.url), 'utf8')) as Spec;
const ga = read('spec3.trimmed.json');
const preview = read('privacy-redaction-jobs.json');
const spec: Spec = {
  paths: { ...ga.paths, ...preview.paths },
  components: { schemas: { ...ga.components.schemas, ...preview.components.schemas } },
};

/**
 * OpenAPI 3.0's `nullable` as JSON Schema: ajv's own `nullable` keyword needs a `type` beside it, and
 * Stripe writes `{anyOf: [...], nullable: true}` for expandable and optional objects. So a nullable
 * schema becomes "this or null"; an enum gains null too.
 */
function nullableToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'nullable') out[k] = nullableToJsonSchema(v);
  if ((node as Schema).nullable !== true) return out;
  if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  return { anyOf: [out, { type: 'null' }] };
}

// x-expandableFields, x-resourceId and the other vendor extensions are unknown keywords (strict off);
// `unix-time` and Stripe's other formats are not checked.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, coerceTypes: false });
const SPEC_ID = 'https://stripe.contract/spec.json';
ajv.addSchema({ $id: SPEC_ID, components: nullableToJsonSchema(spec.components) });
const compiled = new Map<string, ValidateFunction>();
function validator(key: string, schema: Schema): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    const rooted = JSON.parse(JSON.stringify(nullableToJsonSchema(schema)).replaceAll('"#/components/', `"${SPEC_ID}#/components/`)) as Schema;
    v = ajv.compile(rooted);
    compiled.set(key, v);
  }
  return v;
}

/** The operation for a method and concrete path: the template whose literal segments match. */
function operationFor(method: string, path: string): { template: string; op: Operation } | undefined {
  const segments = path.split('/');
  const candidates = Object.entries(spec.paths)
    .filter(([template, item]) => item[method.toLowerCase()] && template.split('/').length === segments.length)
    .filter(([template]) => template.split('/').every((t, i) => t.startsWith('{') || t === segments[i]));
  // A literal segment beats a parameter: /v1/customers/search before /v1/customers/{customer}.
  candidates.sort(([a], [b]) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  const hit = candidates[0];
  return hit ? { template: hit[0], op: hit[1][method.toLowerCase()]! } : undefined;
}

/** Stripe's form encoding read back: `a[b]=x` nests, `a[]=x` appends to a list. */
function decodeForm(pairs: Iterable<[string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of pairs) {
    const parts = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> | unknown[] = out;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      const nextIsList = parts[i + 1] === '';
      if (Array.isArray(node)) {
        node.push(value);
        break;
      }
      if (last) node[part] = value;
      else node = (node[part] ??= nextIsList ? [] : {}) as Record<string, unknown> | unknown[];
    }
  }
  return out;
}

interface Exchange {
  method: string;
  url: URL;
  headers: Headers;
  body?: string;
  status: number;
  response: unknown;
}

let sb: Sandboxes;
const exchanges: Exchange[] = [];
const original = globalThis.fetch;

beforeAll(async () => {
  sb = await startSandboxes({ crowd: 120 });
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const res = await original(input, init);
    const url = new URL(String(input instanceof Request ? input.url : input));
    if (url.origin === new URL(sb.urls.stripe).origin) {
      const text = await res.clone().text();
      exchanges.push({
        method: init?.method ?? 'GET', url, headers: new Headers(init?.headers), body: typeof init?.body === 'string' ? init.body : undefined,
        status: res.status, response: text ? JSON.parse(text) : undefined,
      });
    }
    return res;
  }) as typeof fetch;
  await exercise();
});
afterAll(async () => {
  globalThis.fetch = original;
  await sb.close();
});

const connector = (settings: Record<string, unknown> = {}) => createSaasConnector(saasConfig('stripe', sb.urls.stripe, settings), depsFor(sb));
const FINANCIAL = { charges: BOOKKEEPING, payment_intents: BOOKKEEPING, invoices: BOOKKEEPING, credit_notes: BOOKKEEPING, balance_transactions: BOOKKEEPING };
const KEY: ErasurePolicy = { action: 'retain', legalBasis: 'Key to the kept billing records', retentionPeriod: 'As long as those records' };

/** Every kind of call the connector makes: reads with paging and search, updates, deletes, detaches, redaction jobs. */
async function exercise(): Promise<void> {
  await collect(connector().access(subjectOf('alice@example.com'), ctx));
  // Retained with the example configuration's mask: customer updates with emptied objects.
  await connector({ maskRetainedCustomers: { name: 'redact', phone: 'null', address: 'null', shipping: 'null', description: 'null', metadata: 'null' } })
    .erase(subjectOf('alice@example.com'), policies({ ...FINANCIAL, subscriptions: BOOKKEEPING, customers: KEY }), ctx);
  // Anonymized: an update of every object that has one.
  const person = sb.people[40]!;
  await connector().erase(subjectOf(person.email), policies({
    charges: { action: 'anonymize', fields: { description: 'redact', metadata: 'null' } },
    payment_intents: { action: 'anonymize', fields: { description: 'redact' } },
    invoices: { action: 'anonymize', fields: { description: 'null', footer: 'null' } },
    credit_notes: BOOKKEEPING,
    balance_transactions: BOOKKEEPING,
    subscriptions: BOOKKEEPING,
    customers: { action: 'anonymize', fields: { name: 'hash', phone: 'null', 'address.line1': 'redact' } },
  }), ctx);
  // Bob (every kind of object): sources, tax ids, invoice items and subscriptions updated or deleted.
  await connector().erase(subjectOf('bob@example.com'), policies({
    ...FINANCIAL,
    subscriptions: { action: 'retain', legalBasis: 'Contract', retentionPeriod: '5 years' },
    sources: { action: 'anonymize', fields: { name: 'redact', metadata: 'null' } },
    invoiceitems: { action: 'anonymize', fields: { description: 'redact' } },
    payment_methods: { action: 'anonymize', fields: { 'billing_details.name': 'redact', 'billing_details.address': 'null' } },
    customers: KEY,
  }), ctx);
  // A customer with nothing kept: deleted, after its payment method is detached.
  const store = sb.stores.stripe;
  const lone = store.addCustomer({ email: 'lone@example.com', name: 'Lone Customer' });
  store.add('payment_methods', lone.id, store.paymentMethod(lone.id, { email: 'lone@example.com', name: 'Lone Customer' }));
  await connector().erase(subjectOf('lone@example.com'), policies({}), ctx);
  await collect(connector().access(subjectOf('lone@example.com'), ctx));
  // A rectification: a customer's name, phone and whole address corrected (empty parts unset).
  const corrected = sb.people[45]!;
  const current = await connector().rectify!.current(subjectOf(corrected.email), ['name', 'phone', 'address'], ctx);
  await connector().rectify!.apply(subjectOf(corrected.email), current.map((v) => ({ object: v.object, recordId: v.recordId, field: v.field, value: v.field === 'address' ? { line1: 'Kirkegata 5', city: 'Bergen', country: 'NO' } : v.field === 'name' ? 'Corrected Name' : '+47 912 34 567' })), ctx);
  // Redaction jobs (preview) for a person with billing records kept.
  await connector({ previewRedactionJobs: { acceptPublicPreview: true, pollMs: 1 } }).erase(subjectOf(sb.people[50]!.email), policies(FINANCIAL), { requestId: 'req-contract' });
}

describe('the Stripe connector against Stripe’s OpenAPI spec', () => {
  it('made every kind of call this test means to check', () => {
    const seen = new Set(exchanges.map((e) => `${e.method} ${operationFor(e.method, e.url.pathname)?.template}`));
    for (const expected of [
      'GET /v1/customers', 'GET /v1/customers/search', 'POST /v1/customers/{customer}', 'DELETE /v1/customers/{customer}',
      'GET /v1/charges', 'POST /v1/charges/{charge}', 'POST /v1/payment_intents/{intent}', 'POST /v1/invoices/{invoice}',
      'POST /v1/customers/{customer}/sources/{id}', 'DELETE /v1/customers/{customer}/tax_ids/{id}', 'POST /v1/invoiceitems/{invoiceitem}',
      'POST /v1/payment_methods/{payment_method}', 'POST /v1/payment_methods/{payment_method}/detach',
      'POST /v1/privacy/redaction_jobs', 'GET /v1/privacy/redaction_jobs/{job}', 'POST /v1/privacy/redaction_jobs/{job}/run',
    ]) expect(seen).toContain(expected);
  });

  it('sends only requests that match an operation of the spec: method, path and query parameters', () => {
    const wrong: string[] = [];
    for (const e of exchanges) {
      const found = operationFor(e.method, e.url.pathname);
      if (!found) {
        wrong.push(`${e.method} ${e.url.pathname}: no such operation`);
        continue;
      }
      const known = new Set((found.op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
      for (const key of e.url.searchParams.keys()) if (!known.has(key.split('[')[0]!)) wrong.push(`${e.method} ${found.template}: unknown query parameter ${key}`);
      const query = decodeForm(e.url.searchParams);
      for (const p of found.op.parameters ?? []) {
        if (p.in !== 'query' || query[p.name] === undefined) continue;
        const value = p.schema.type === 'integer' ? Number(query[p.name]) : query[p.name];
        const v = validator(`q ${found.template} ${p.name}`, p.schema);
        if (!v(value)) wrong.push(`${e.method} ${found.template}: ${p.name}=${String(query[p.name])} ${ajv.errorsText(v.errors)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('sends every body form-encoded with bracket notation, with only parameters the operation accepts', () => {
    const wrong: string[] = [];
    for (const e of exchanges.filter((x) => x.body !== undefined)) {
      const found = operationFor(e.method, e.url.pathname)!;
      const contentType = e.headers.get('content-type');
      if (contentType !== 'application/x-www-form-urlencoded') wrong.push(`${e.method} ${found.template}: content-type ${contentType}`);
      const schema = found.op.requestBody?.content['application/x-www-form-urlencoded']?.schema;
      if (!schema) {
        wrong.push(`${e.method} ${found.template}: the operation takes no body`);
        continue;
      }
      const v = validator(`b ${found.template} ${e.method}`, schema);
      const body = decodeForm(new URLSearchParams(e.body));
      if (!v(body)) wrong.push(`${e.method} ${found.template} ${e.body}: ${ajv.errorsText(v.errors)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('sends the pinned Stripe-Version, and a preview version to the preview redaction-job endpoints', () => {
    const versions = new Set(exchanges.map((e) => `${e.url.pathname.startsWith('/v1/privacy/') ? 'preview' : 'ga'} ${e.headers.get('stripe-version')}`));
    expect([...versions].sort()).toEqual(['ga 2024-06-20', 'preview 2025-05-28.preview']);
  });

  it('gets from the sandbox only answers that validate against the operation’s response schema', () => {
    const wrong: string[] = [];
    for (const e of exchanges) {
      const found = operationFor(e.method, e.url.pathname)!;
      const response = found.op.responses[String(e.status)] ?? found.op.responses.default;
      const schema = response?.content?.['application/json']?.schema;
      if (!schema) {
        wrong.push(`${e.method} ${found.template}: the spec has no ${e.status} answer`);
        continue;
      }
      const v = validator(`r ${found.template} ${e.method} ${e.status}`, schema);
      if (!v(e.response)) wrong.push(`${e.method} ${found.template} ${e.status}: ${ajv.errorsText(v.errors?.slice(0, 5))}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('the connector’s maskable fields against Stripe’s update parameters', () => {
  const UPDATE: Record<string, string> = {
    customers: '/v1/customers/{customer}', charges: '/v1/charges/{charge}', payment_intents: '/v1/payment_intents/{intent}',
    invoices: '/v1/invoices/{invoice}', invoiceitems: '/v1/invoiceitems/{invoiceitem}', subscriptions: '/v1/subscriptions/{subscription_exposed_id}',
    payment_methods: '/v1/payment_methods/{payment_method}', sources: '/v1/customers/{customer}/sources/{id}', credit_notes: '/v1/credit_notes/{id}',
    balance_transactions: '/v1/customers/{customer}/balance_transactions/{transaction}',
  };

  /** The schema of a (possibly nested) update parameter; anyOf alternatives are searched for the next part. */
  function paramSchema(path: string, field: string): Schema | undefined {
    let node: Schema | undefined = spec.paths[path]!.post!.requestBody!.content['application/x-www-form-urlencoded']!.schema;
    for (const part of field.split('.')) {
      const options: Schema[] = node ? [node, ...(((node.anyOf as Schema[] | undefined) ?? []))] : [];
      node = options.map((o) => (o.properties as Record<string, Schema> | undefined)?.[part]).find(Boolean);
    }
    return node;
  }
  const acceptsText = (s: Schema) => s.type === 'string' && !s.enum;
  const emptyable = (s: Schema) => ((s.anyOf as Schema[] | undefined) ?? []).some((o) => Array.isArray(o.enum) && o.enum.includes(''));

  it.each(Object.entries(MASKABLE).filter(([object]) => object !== 'tax_ids'))('%s: every maskable field is an update parameter of the kind the mask writes', (object, fields) => {
    const wrong: string[] = [];
    for (const [field, kind] of Object.entries(fields as Record<string, MaskKind>)) {
      const schema = paramSchema(UPDATE[object]!, field);
      if (!schema) wrong.push(`${field}: not an update parameter`);
      else if (kind === 'text' && !(acceptsText(schema) || ((schema.anyOf as Schema[] | undefined) ?? []).some(acceptsText))) wrong.push(`${field}: does not take text`);
      else if (kind === 'emptyable' && !emptyable(schema)) wrong.push(`${field}: cannot be emptied with ""`);
    }
    expect(wrong).toEqual([]);
  });

  it('agrees with the spec that preferred_locales cannot be emptied, and that invoices’ customer_* and charges’ billing_details cannot be updated', () => {
    expect(emptyable(paramSchema(UPDATE.customers!, 'preferred_locales')!)).toBe(false);
    expect(paramSchema(UPDATE.invoices!, 'customer_email')).toBeUndefined();
    expect(paramSchema(UPDATE.invoices!, 'customer_name')).toBeUndefined();
    expect(paramSchema(UPDATE.charges!, 'billing_details')).toBeUndefined();
    expect(paramSchema(UPDATE.charges!, 'receipt_email')).toBeDefined(); // it exists, and sends a receipt: never written
  });
});
