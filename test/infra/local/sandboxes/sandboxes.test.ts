import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxes, type Sandboxes } from '../../../../infra/local/sandboxes/index.ts';
import { parseSoql, SoqlError } from '../../../../infra/local/sandboxes/soql.ts';
import { parseEmailSearch } from '../../../../infra/local/sandboxes/stripe.ts';

let sb: Sandboxes;
/** The waits injected latency asked for: recorded, not timed, so a busy machine cannot fail a test. */
const sleeps: number[] = [];

beforeAll(async () => {
  sb = await startSandboxes({ sleep: async (ms) => void sleeps.push(ms) }); // the full demo crowd
});
afterAll(() => sb.close());

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
}

describe('vendor sandboxes', () => {
  it('seed the whole demo crowd', () => {
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

  describe('Salesforce', () => {
    let auth: Record<string, string>;
    const api = `/services/data/v62.0`;
    const soql = (path: string, q: string) => call(`${sb.urls.salesforce}${api}/${path}?q=${encodeURIComponent(q)}`, { headers: auth });
    const contactOf = (email: string) => [...sb.stores.salesforce.objects.get('Contact')!.values()].find((r) => r.Email === email)!;
    const casesOf = (contactId: string) => [...sb.stores.salesforce.objects.get('Case')!.values()].filter((r) => r.ContactId === contactId);
    const compositeDelete = (ids: string[], allOrNone: boolean) =>
      call(`${sb.urls.salesforce}${api}/composite/sobjects?ids=${ids.join(',')}&allOrNone=${allOrNone}`, { method: 'DELETE', headers: auth });

    beforeAll(async () => {
      const token = await call(`${sb.urls.salesforce}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', ...sb.credentials.salesforce! }) });
      auth = { authorization: `Bearer ${(token.body as { access_token: string }).access_token}` };
    });

    it('return archived activities only from queryAll, and the Recycle Bin there too unless IsDeleted = false', async () => {
      const alice = contactOf('alice@example.com');
      const q = `SELECT Id, IsArchived, IsDeleted FROM Task WHERE WhoId = '${alice.Id}'`;
      const live = (await soql('query', q)).body as { records: Array<Record<string, unknown>> };
      const all = (await soql('queryAll', q)).body as { records: Array<Record<string, unknown>> };
      expect(live.records.some((r) => r.IsArchived === true)).toBe(false);
      expect(all.records.filter((r) => r.IsArchived === true)).toHaveLength(3);
      expect(all.records.length - live.records.length).toBe(3);

      const person = sb.people[60]!;
      const task = [...sb.stores.salesforce.objects.get('Task')!.values()].find((r) => r.WhoId === contactOf(person.email).Id)!;
      expect((await compositeDelete([task.Id], false)).body).toEqual([{ id: task.Id, success: true, errors: [] }]);
      const withBin = (await soql('queryAll', `SELECT Id, IsDeleted FROM Task WHERE Id = '${task.Id}'`)).body as { records: Array<Record<string, unknown>> };
      expect(withBin.records).toEqual([expect.objectContaining({ Id: task.Id, IsDeleted: true })]);
      const filtered = (await soql('queryAll', `SELECT Id FROM Task WHERE Id IN ('${task.Id}') AND IsDeleted = false`)).body as { records: unknown[] };
      expect(filtered.records).toEqual([]);
      expect(((await soql('query', `SELECT Id FROM Task WHERE Id = '${task.Id}'`)).body as { records: unknown[] }).records).toEqual([]);
    });

    it('refuse to delete a Contact that still has Cases, as Salesforce does (DELETE_FAILED)', async () => {
      const contact = contactOf(sb.people[61]!.email);
      expect(casesOf(contact.Id).length).toBeGreaterThan(0);
      const single = await call(`${sb.urls.salesforce}${api}/sobjects/Contact/${contact.Id}`, { method: 'DELETE', headers: auth });
      expect(single).toMatchObject({ status: 400, body: [{ errorCode: 'DELETE_FAILED' }] });
      const batch = await compositeDelete([contact.Id], false);
      expect(batch.body).toEqual([{ id: contact.Id, success: false, errors: [expect.objectContaining({ statusCode: 'DELETE_FAILED' })] }]);
      expect(sb.stores.salesforce.find(contact.Id)).toBeDefined();
    });

    it('roll back every record of a composite delete when one fails with allOrNone=true, and delete the others with false', async () => {
      const blocked = contactOf(sb.people[62]!.email);
      const tasks = [63, 64].map((i) => [...sb.stores.salesforce.objects.get('Task')!.values()].find((r) => r.WhoId === contactOf(sb.people[i]!.email).Id)!.Id);

      const rolledBack = (await compositeDelete([tasks[0]!, blocked.Id, tasks[1]!], true)).body as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
      expect(rolledBack.map((r) => [r.success, r.errors[0]?.statusCode])).toEqual([
        [false, 'ALL_OR_NONE_OPERATION_ROLLED_BACK'], [false, 'DELETE_FAILED'], [false, 'ALL_OR_NONE_OPERATION_ROLLED_BACK'],
      ]);
      expect(tasks.every((id) => sb.stores.salesforce.find(id))).toBe(true);

      const partial = (await compositeDelete([tasks[0]!, blocked.Id, tasks[1]!], false)).body as Array<{ success: boolean }>;
      expect(partial.map((r) => r.success)).toEqual([true, false, true]);
      expect(tasks.some((id) => sb.stores.salesforce.find(id))).toBe(false);
      expect(sb.stores.salesforce.find(blocked.Id)).toBeDefined();
    });

    it('accept a JWT bearer assertion signed with the connected app’s key, and refuse a tampered one', async () => {
      const { signJwt, jwtBearerForm } = await import('../../../../functions/connectors/jwt.ts');
      const creds = sb.credentials['salesforce-jwt']!;
      const claims = { iss: creds.client_id, sub: creds.username, aud: 'https://login.salesforce.com', exp: Math.floor(Date.now() / 1000) + 120 };
      const post = (assertion: string) => call(`${sb.urls.salesforce}/services/oauth2/token`, { method: 'POST', body: jwtBearerForm(assertion) });
      const good = signJwt(claims, creds.private_key!);
      expect(await post(good)).toMatchObject({ status: 200, body: { access_token: expect.any(String), instance_url: sb.urls.salesforce } });
      const [header, , signature] = good.split('.');
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin@example-video.test' })).toString('base64url')}.${signature}`;
      expect(await post(forged)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect(await post(signJwt({ ...claims, exp: claims.exp + 3600 }, creds.private_key!))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('take the login server as the JWT audience, as Salesforce does: not the instance URL, nor the other kind of org’s login server', async () => {
      const { signJwt, jwtBearerForm } = await import('../../../../functions/connectors/jwt.ts');
      const creds = sb.credentials['salesforce-jwt']!;
      const post = (aud: string) =>
        call(`${sb.urls.salesforce}/services/oauth2/token`, {
          method: 'POST',
          body: jwtBearerForm(signJwt({ iss: creds.client_id, sub: creds.username, aud, exp: Math.floor(Date.now() / 1000) + 120 }, creds.private_key!)),
        });
      expect((await post('https://login.salesforce.com')).status).toBe(200);
      for (const aud of [sb.urls.salesforce, 'https://test.salesforce.com']) {
        expect(await post(aud)).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: 'audience is invalid' } });
      }
    });
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
    sleeps.length = 0;
    const res = await call(`${sb.urls.stripe}/v1/customers?limit=101`, { headers: auth });
    expect(sleeps).toEqual([150]);
    expect(res).toMatchObject({ status: 400, body: { error: { param: 'limit' } } });
    sb.faults.reset();
  });
});

describe('partial answers from the sandboxes', () => {
  const hubspot = () => ({ authorization: `Bearer ${sb.credentials.hubspot!.access_token}`, 'content-type': 'application/json' });
  const faultsUrl = (vendor: keyof typeof sb.urls) => `${sb.urls[vendor]}/__sandbox/faults`;
  /** Four of bob's note ids, the last one unknown to HubSpot. */
  const notes = () => {
    const contact = sb.stores.hubspot.contactByEmail('bob@example.com')!;
    return [...sb.stores.hubspot.associated('contacts', contact.id, 'notes'), '999999999'];
  };
  const batchRead = (ids: string[]) =>
    call(`${sb.urls.hubspot}/crm/v3/objects/notes/batch/read`, { method: 'POST', headers: hubspot(), body: JSON.stringify({ inputs: ids.map((id) => ({ id })), properties: ['hs_note_body'] }) });

  it('HubSpot answers an unknown id in a batch read with a 207 whose error names it, as HubSpot does', async () => {
    const ids = notes();
    const res = await batchRead(ids);
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({
      status: 'COMPLETE',
      numErrors: 1,
      errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: expect.any(String), context: { ids: ['999999999'] } }],
    });
    expect((res.body as { results: unknown[] }).results).toHaveLength(3);
  });

  it('cut a real answer down to the partial form asked for over HTTP, once', async () => {
    const ids = notes().slice(0, 3);
    const set = await call(faultsUrl('hubspot'), { method: 'POST', body: JSON.stringify({ failNext: { match: 'notes/batch/read', partial: 'errors', count: 1 } }) });
    expect(set.body).toMatchObject({ failNext: [{ match: 'notes/batch/read', partial: 'errors', count: 1 }] });

    const partial = await batchRead(ids);
    expect(partial.status).toBe(207);
    expect(partial.body).toMatchObject({ results: [{ id: ids[0] }], numErrors: 1, errors: [{ status: 'error', category: 'INTERNAL_ERROR', context: { ids: ids.slice(1) } }] });
    expect((await batchRead(ids)).status).toBe(200);
  });

  it('answer a given body verbatim, and refuse a partial form they do not know', async () => {
    await call(faultsUrl('stripe'), { method: 'POST', body: JSON.stringify({ failNext: { match: '/v1/charges', status: 200, body: { object: 'list', has_more: true, data: [] }, count: 1 } }) });
    const auth = { authorization: `Bearer ${sb.credentials.stripe!.secret_key}` };
    expect(await call(`${sb.urls.stripe}/v1/charges?customer=cus_x`, { headers: auth })).toMatchObject({ status: 200, body: { object: 'list', has_more: true, data: [] } });

    const refused = await call(faultsUrl('stripe'), { method: 'POST', body: JSON.stringify({ failNext: { match: '/v1/charges', partial: 'some', count: 1 } }) });
    expect(refused).toMatchObject({ status: 400, body: { error: 'partial must be one of errors, no-results, early-end' } });
    expect((await call(faultsUrl('stripe'))).body).toMatchObject({ failNext: [] });
  });
});
