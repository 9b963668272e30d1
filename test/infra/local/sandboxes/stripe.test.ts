import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxes, type Sandboxes } from '../../../../infra/local/sandboxes/index.ts';

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes({ crowd: 30 });
});
afterAll(() => sb.close());

const GA = '2024-06-20';
const PREVIEW = '2025-05-28.preview';

async function call(path: string, init: { method?: string; form?: Record<string, string> | URLSearchParams; version?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${sb.credentials.stripe!.secret_key}`, 'stripe-version': init.version ?? GA };
  let body: string | undefined;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const res = await fetch(`${sb.urls.stripe}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  return { status: res.status, body: (await res.json()) as any };
}

const customerOf = (email: string) => [...sb.stores.stripe.customers.values()].find((c) => c.email === email)!;

describe('the Stripe sandbox behaves like Stripe', () => {
  it('answers a read of a deleted customer with 200 and deleted: true, as Stripe does', async () => {
    const lone = sb.stores.stripe.addCustomer({ email: 'gone@example.com' });
    expect((await call(`/v1/customers/${lone.id}`, { method: 'DELETE' })).body).toEqual({ id: lone.id, object: 'customer', deleted: true });
    expect(await call(`/v1/customers/${lone.id}`)).toEqual({ status: 200, body: { id: lone.id, object: 'customer', deleted: true } });
    expect((await call('/v1/customers/cus_never_existed')).status).toBe(404);
  });

  it('empties metadata to {} and other objects to null when sent ""', async () => {
    const c = customerOf(sb.people[5]!.email);
    sb.stores.stripe.customers.get(c.id)!.metadata = { crm: '42' };
    const res = await call(`/v1/customers/${c.id}`, { form: { metadata: '', address: '', name: 'REDACTED' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ metadata: {}, address: null, name: 'REDACTED' });
  });

  it('refuses "" for preferred_locales, a plain list', async () => {
    const c = customerOf(sb.people[6]!.email);
    const res = await call(`/v1/customers/${c.id}`, { form: { preferred_locales: '' } });
    expect(res).toMatchObject({ status: 400, body: { error: { param: 'preferred_locales', type: 'invalid_request_error' } } });
    expect(sb.stores.stripe.customers.get(c.id)!.preferred_locales).toEqual([sb.people[6]!.language]);
  });

  it('refuses updates of an invoice’s customer_* fields and a charge’s billing_details as unknown parameters', async () => {
    const c = customerOf(sb.people[7]!.email);
    const [invoice] = sb.stores.stripe.list(c.id, 'invoices');
    const [charge] = sb.stores.stripe.list(c.id, 'charges');
    expect(await call(`/v1/invoices/${invoice!.id}`, { form: { customer_email: 'x@redacted.invalid' } })).toMatchObject({ status: 400, body: { error: { code: 'parameter_unknown', param: 'customer_email' } } });
    expect(await call(`/v1/charges/${charge!.id}`, { form: { 'billing_details[name]': 'REDACTED' } })).toMatchObject({ status: 400, body: { error: { code: 'parameter_unknown', param: 'billing_details' } } });
    expect(invoice!.customer_email).toBe(sb.people[7]!.email);
  });

  it('sends a receipt when receipt_email is written on a charge', async () => {
    const c = customerOf(sb.people[8]!.email);
    const [charge] = sb.stores.stripe.list(c.id, 'charges');
    await call(`/v1/charges/${charge!.id}`, { form: { receipt_email: 'someone@example.com' } });
    expect(sb.stores.stripe.receiptsSent).toContainEqual({ charge: charge!.id, to: 'someone@example.com' });
  });

  it('gives every object livemode, and charges and invoices the fields Stripe always sends', async () => {
    const c = customerOf('bob@example.com');
    const lists = await Promise.all(['charges', 'invoices', 'payment_intents', 'invoiceitems'].map((r) => call(`/v1/${r}?customer=${c.id}`)));
    for (const { body } of lists) for (const o of body.data) expect(o.livemode).toBe(false);
    const charge = lists[0]!.body.data[0];
    expect(charge).toMatchObject({ captured: true, disputed: false, refunds: { object: 'list', data: [] } });
    expect(lists[1]!.body.data[0]).toMatchObject({ paid: true, lines: { object: 'list' }, amount_remaining: 0 });
    expect((await call(`/v1/customers/${c.id}`)).body.livemode).toBe(false);
  });

  describe('redaction jobs (public preview)', () => {
    it('answer only under a preview API version', async () => {
      const c = customerOf(sb.people[9]!.email);
      const res = await call('/v1/privacy/redaction_jobs', { form: { 'objects[customers][]': c.id } });
      expect(res).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error' } } });
      expect(res.body.error.message).toMatch(/preview/);
    });

    it('take at most ten objects', async () => {
      const form = new URLSearchParams();
      for (const p of sb.people.slice(10, 21)) form.append('objects[customers][]', customerOf(p.email).id);
      expect((await call('/v1/privacy/redaction_jobs', { form, version: PREVIEW })).status).toBe(400);
    });

    it('pass through created and validating to ready, then redacting to succeeded', async () => {
      const c = customerOf(sb.people[22]!.email);
      const created = await call('/v1/privacy/redaction_jobs', { form: { 'objects[customers][]': c.id }, version: PREVIEW });
      expect(created.body).toMatchObject({ object: 'privacy.redaction_job', status: 'created', livemode: false, validation_behavior: 'error', objects: { customers: [c.id], charges: null } });
      const id = created.body.id as string;
      const statuses = [created.body.status];
      for (let i = 0; i < 2; i++) statuses.push((await call(`/v1/privacy/redaction_jobs/${id}`, { version: PREVIEW })).body.status);
      statuses.push((await call(`/v1/privacy/redaction_jobs/${id}/run`, { method: 'POST', version: PREVIEW })).body.status);
      statuses.push((await call(`/v1/privacy/redaction_jobs/${id}`, { version: PREVIEW })).body.status);
      expect(statuses).toEqual(['created', 'validating', 'ready', 'redacting', 'succeeded']);
    });
  });
});
