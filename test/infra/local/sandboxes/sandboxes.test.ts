import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxes, type Sandboxes } from '../../../../infra/local/sandboxes/index.ts';
import { parseSoql, SoqlError } from '../../../../infra/local/sandboxes/soql.ts';
import { parseEmailSearch } from '../../../../infra/local/sandboxes/stripe.ts';

let sb: Sandboxes;
let startMs: number;

beforeAll(async () => {
  const started = Date.now();
  sb = await startSandboxes(); // the full demo crowd
  startMs = Date.now() - started;
});
afterAll(() => sb.close());

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
}

describe('vendor sandboxes', () => {
  it('seed the whole demo crowd and start quickly', () => {
    expect(startMs).toBeLessThan(3_000);
    expect(sb.stores.stripe.countFor(sb.people[2_500]!.email).customers).toBe(1);
    expect(sb.stores.hubspot.countFor('bob@example.com').contacts).toBe(1);
    expect(sb.stores.salesforce.countFor('bob@example.com')).toEqual({});
    expect(sb.stores.stripe.countFor('carol@example.com')).toEqual({});
  });

  it('answer a missing token in each vendor’s own error format', async () => {
    const sf = await call(`${sb.urls.salesforce}/services/data/v62.0/query?q=x`);
    expect(sf).toMatchObject({ status: 401, body: [{ errorCode: 'INVALID_SESSION_ID' }] });
    const stripe = await call(`${sb.urls.stripe}/v1/customers`);
    expect(stripe).toMatchObject({ status: 401, body: { error: { type: 'invalid_request_error' } } });
    const hs = await call(`${sb.urls.hubspot}/crm/v3/objects/contacts/1`);
    expect(hs).toMatchObject({ status: 401, body: { status: 'error', category: 'INVALID_AUTHENTICATION' } });
    const ga = await call(`${sb.urls.googleAnalytics}/v1alpha/properties/1:submitUserDeletion`, { method: 'POST' });
    expect(ga).toMatchObject({ status: 401, body: { error: { status: 'UNAUTHENTICATED' } } });
  });

  it('reject SOQL outside the supported shapes as MALFORMED_QUERY and honour escapes', async () => {
    expect(parseSoql("SELECT Id FROM Contact WHERE Email = 'o\\'b\\\\r@x.com'").where.values).toEqual(["o'b\\r@x.com"]);
    expect(parseSoql("select Id, Opportunity.Name from OpportunityContactRole where ContactId in ('a', 'b') limit 5")).toMatchObject({
      object: 'OpportunityContactRole', where: { field: 'ContactId', values: ['a', 'b'] }, limit: 5,
    });
    expect(() => parseSoql("SELECT Id FROM Contact WHERE Email LIKE '%a%'")).toThrow(SoqlError);
    expect(() => parseSoql("SELECT Id FROM Contact WHERE Email = 'a' OR Email = 'b'")).toThrow(SoqlError);
    expect(() => parseSoql("SELECT Id FROM Contact WHERE Email = 'unterminated")).toThrow(SoqlError);

    const creds = sb.credentials.salesforce!;
    const token = await call(`${sb.urls.salesforce}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', ...creds }),
    });
    const auth = { authorization: `Bearer ${(token.body as { access_token: string }).access_token}` };
    const bad = await call(`${sb.urls.salesforce}/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE Email != 'x'")}`, { headers: auth });
    expect(bad).toMatchObject({ status: 400, body: [{ errorCode: 'MALFORMED_QUERY' }] });
    const injected = await call(`${sb.urls.salesforce}/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE Email = 'x' OR Email != ''")}`, { headers: auth });
    expect(injected.status).toBe(400);
  });

  it('parse Stripe email searches with either quote and escapes', () => {
    expect(parseEmailSearch("email:'o\\'brien@example.com'")).toBe("o'brien@example.com");
    expect(parseEmailSearch('email:"a@b.c"')).toBe('a@b.c');
    expect(parseEmailSearch("name:'x'")).toBeUndefined();
  });

  it('expose faults over HTTP: show, set, apply to the next requests, and reset', async () => {
    const url = `${sb.urls.stripe}/__sandbox/faults`;
    expect((await call(url)).body).toMatchObject({ latencyMs: 0, errorRate: 0, throttle: { count: 0 }, failNext: [] });
    await call(url, { method: 'POST', body: JSON.stringify({ throttle: { count: 1, retryAfterMs: 2000 }, failNext: { match: '/v1/charges', status: 502, count: 1 } }) });
    const auth = { authorization: `Bearer ${sb.credentials.stripe!.secret_key}` };
    const throttled = await call(`${sb.urls.stripe}/v1/customers?email=bob%40example.com`, { headers: auth });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(throttled.body).toMatchObject({ error: { code: 'rate_limit' } });
    const failed = await call(`${sb.urls.stripe}/v1/charges?customer=cus_x`, { headers: auth });
    expect(failed).toMatchObject({ status: 502, body: { error: { type: 'api_error' } } });
    expect(failed.headers.get('stripe-should-retry')).toBe('true');
    await call(url, { method: 'DELETE' });
    expect((await call(`${sb.urls.stripe}/v1/customers?email=bob%40example.com`, { headers: auth })).status).toBe(200);
  });

  it('throttle with the vendor’s answer when the token bucket runs dry', async () => {
    sb.faults.set('hubspot', { rateLimit: { capacity: 2, refillPerSecond: 1 } });
    const auth = { authorization: `Bearer ${sb.credentials.hubspot!.access_token}` };
    const statuses: number[] = [];
    let last: unknown;
    for (let i = 0; i < 3; i++) {
      const res = await call(`${sb.urls.hubspot}/communication-preferences/v3/status/email/bob%40example.com`, { headers: auth });
      statuses.push(res.status);
      last = res.body;
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(last).toMatchObject({ errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
    sb.faults.reset('hubspot');
  });

  it('add injected latency and page Stripe lists at most 100 at a time', async () => {
    sb.faults.set('stripe', { latencyMs: 150 });
    const auth = { authorization: `Bearer ${sb.credentials.stripe!.secret_key}` };
    const started = Date.now();
    const res = await call(`${sb.urls.stripe}/v1/customers?limit=101`, { headers: auth });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(res).toMatchObject({ status: 400, body: { error: { param: 'limit' } } });
    sb.faults.reset();
  });
});
