/**
 * The Salesforce connector and sandbox against Salesforce's documented contract (the fixtures in
 * test/contracts/salesforce/, each with its source in the README there): the sandbox answers in the
 * documented shapes, including the refusals, and every request the connector makes is a documented
 * operation with its documented parameters and encoding.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtBearerForm, signJwt } from '#connectors/jwt';
import { createSaasConnector } from '#connectors/saas';
import { startSandboxes, type Sandboxes } from '../../infra/local/sandboxes/index.ts';
import { collect, ctx, depsFor, policies, saasConfig, subjectOf, watchRequests } from '../functions/connectors/support.ts';
import { shapeMismatches } from './salesforce/shape.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./salesforce/${name}`, import.meta.url), 'utf8'));

interface Operation {
  name: string;
  method: string;
  path: string;
  query?: { required: string[]; optional: string[]; maxIds?: number };
  form?: { required: string[]; grant_type: string };
  json?: boolean;
}
const contract = fixture('operations.json') as { operations: Operation[]; headers: Record<string, string> };

interface Sent {
  method: string;
  url: URL;
  headers: Headers;
  body?: string;
}

/** Every request made while `run` runs. */
async function recording(run: () => Promise<unknown>): Promise<Sent[]> {
  const sent: Sent[] = [];
  await watchRequests((url, init) => {
    sent.push({ method: init?.method ?? 'GET', url: new URL(url), headers: new Headers(init?.headers), body: init?.body === undefined ? undefined : String(init.body) });
  }, run);
  return sent;
}

/** Why a request is not the documented operation, or nothing when it is. */
function departures(op: Operation, req: Sent): string[] {
  const out: string[] = [];
  const params = [...req.url.searchParams.keys()];
  if (op.query) {
    for (const p of op.query.required) if (!req.url.searchParams.get(p)) out.push(`missing ${p}`);
    for (const p of params) if (!op.query.required.includes(p) && !op.query.optional.includes(p)) out.push(`undocumented parameter ${p}`);
    const ids = req.url.searchParams.get('ids');
    if (op.query.maxIds && ids && ids.split(',').length > op.query.maxIds) out.push(`more than ${op.query.maxIds} ids`);
  } else if (params.length) {
    out.push(`undocumented parameters ${params.join(', ')}`);
  }
  if (op.form) {
    if (!/^application\/x-www-form-urlencoded/.test(req.headers.get('content-type') ?? '')) out.push('not form-encoded');
    const form = new URLSearchParams(req.body ?? '');
    for (const f of op.form.required) if (!form.get(f)) out.push(`form lacks ${f}`);
    if (form.get('grant_type') !== op.form.grant_type) out.push('another grant type');
  }
  if (op.json) {
    if (!/^application\/json/.test(req.headers.get('content-type') ?? '')) out.push('not JSON-encoded');
    const body = JSON.parse(req.body ?? 'null') as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body)) out.push('body is not a JSON object');
  }
  return out;
}

function operationOf(req: Sent): { op?: Operation; why: string[] } {
  const candidates = contract.operations.filter((op) => op.method === req.method && new RegExp(op.path).test(req.url.pathname));
  const tried = candidates.map((op) => ({ op, why: departures(op, req) }));
  return tried.find((t) => t.why.length === 0) ?? { why: tried.length ? tried.flatMap((t) => t.why) : ['no documented operation has this method and path'] };
}

let sb: Sandboxes;
let plain: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes({ crowd: 8, salesforce: { batchSize: 10 } });
  plain = await startSandboxes({ crowd: 1, salesforce: { dataProtection: false } });
});
afterAll(async () => {
  await sb.close();
  await plain.close();
});

async function call(base: string, path: string, init: RequestInit & { token?: string } = {}): Promise<{ status: number; body: unknown }> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(`${base}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function tokenFor(of: Sandboxes): Promise<string> {
  const creds = of.credentials.salesforce!;
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.client_id!, client_secret: creds.client_secret! });
  const res = await call(of.urls.salesforce, '/services/oauth2/token', { method: 'POST', body: form });
  return (res.body as { access_token: string }).access_token;
}

/** A documented query answer with only the envelope and `attributes` of its records: the other fields are the query's choice. */
function envelope(name: string): unknown {
  const doc = fixture(name) as { records: Array<{ attributes: unknown }> };
  return { ...doc, records: doc.records.map((r) => ({ attributes: r.attributes })) };
}

const V = '/services/data/v62.0';
const soql = (q: string) => `?q=${encodeURIComponent(q)}`;
const aliceContact = (of: Sandboxes) => [...of.stores.salesforce.objects.get('Contact')!.values()].find((r) => r.Email === 'alice@example.com')!;

describe('The Salesforce sandbox answers in the documented shapes', () => {
  it('a JWT bearer token for the production audience, and a refused grant', async () => {
    const creds = sb.credentials['salesforce-jwt']!;
    const assertion = (aud: string) => signJwt({ iss: creds.client_id, sub: creds.username, aud, exp: Math.floor(Date.now() / 1000) + 60 }, creds.private_key!);
    const granted = await call(sb.urls.salesforce, '/services/oauth2/token', { method: 'POST', body: jwtBearerForm(assertion('https://login.salesforce.com')) });
    expect(granted.status).toBe(200);
    expect(shapeMismatches(fixture('oauth-token-jwt.json'), granted.body)).toEqual([]);
    const refused = await call(sb.urls.salesforce, '/services/oauth2/token', { method: 'POST', body: jwtBearerForm(assertion(sb.urls.salesforce)) });
    expect(refused.status).toBe(400);
    expect(shapeMismatches(fixture('oauth-error.json'), refused.body)).toEqual([]);
    expect(refused.body).toEqual(fixture('oauth-error.json'));
  });

  it('query batches with a nextRecordsUrl, the last batch without, and queryAll alike', async () => {
    const token = await tokenFor(sb);
    const where = `FROM Task WHERE WhoId = '${aliceContact(sb).Id}'`;
    const first = await call(sb.urls.salesforce, `${V}/query${soql(`SELECT Id, Subject ${where}`)}`, { token });
    expect(first.status).toBe(200);
    expect(shapeMismatches(envelope('query-first-page.json'), first.body)).toEqual([]);
    let page = first.body as { done: boolean; nextRecordsUrl?: string };
    while (!page.done) {
      expect(page.nextRecordsUrl).toMatch(new RegExp(contract.operations.find((o) => o.name.startsWith('Query, next batch'))!.path));
      page = (await call(sb.urls.salesforce, page.nextRecordsUrl!, { token })).body as typeof page;
    }
    expect(shapeMismatches(envelope('query-last-page.json'), page)).toEqual([]);
    expect(page).not.toHaveProperty('nextRecordsUrl');
    const all = await call(sb.urls.salesforce, `${V}/queryAll${soql(`SELECT Id, Subject ${where} AND IsDeleted = false`)}`, { token });
    expect(shapeMismatches(envelope('query-all.json'), all.body)).toEqual([]);
  });

  it('an object describe, with lookups named by their relationship', async () => {
    const token = await tokenFor(sb);
    const contact = await call(sb.urls.salesforce, `${V}/sobjects/Contact/describe`, { token });
    expect(contact.status).toBe(200);
    expect(shapeMismatches(fixture('describe.json'), contact.body)).toEqual([]);
    const role = (await call(sb.urls.salesforce, `${V}/sobjects/OpportunityContactRole/describe`, { token })).body as { fields: Array<{ name: string }> };
    const lookup = role.fields.find((f) => f.name === 'OpportunityId');
    expect(shapeMismatches(fixture('describe-lookup-field.json'), lookup)).toEqual([]);
    expect(lookup).toMatchObject({ type: 'reference', relationshipName: 'Opportunity', referenceTo: ['Opportunity'] });
  });

  it('in an org without Data Protection and Privacy: 404 for the Individual describe, INVALID_FIELD for IndividualId, INVALID_TYPE for Individual', async () => {
    const token = await tokenFor(plain);
    const code = (body: unknown) => (body as Array<{ errorCode: string }>)[0]!.errorCode;
    const describeIndividual = await call(plain.urls.salesforce, `${V}/sobjects/Individual/describe`, { token });
    expect(describeIndividual.status).toBe(404);
    expect(describeIndividual.body).toEqual(fixture('error-not-found.json'));
    const field = await call(plain.urls.salesforce, `${V}/query${soql("SELECT Id, IndividualId FROM Contact WHERE Email = 'alice@example.com'")}`, { token });
    expect(field.status).toBe(400);
    expect(shapeMismatches(fixture('error-invalid-field.json'), field.body)).toEqual([]);
    expect(code(field.body)).toBe('INVALID_FIELD');
    const type = await call(plain.urls.salesforce, `${V}/query${soql("SELECT Id FROM Individual WHERE Id = 'x'")}`, { token });
    expect(type.status).toBe(400);
    expect(shapeMismatches(fixture('error-invalid-type.json'), type.body)).toEqual([]);
    expect(code(type.body)).toBe('INVALID_TYPE');
    // The same describe in an org with it.
    expect((await call(sb.urls.salesforce, `${V}/sobjects/Individual/describe`, { token: await tokenFor(sb) })).status).toBe(200);
  });

  it('CANNOT_UPDATE_CONVERTED_LEAD for a PATCH of a converted Lead without the permission', async () => {
    const token = await tokenFor(sb);
    const lead = [...sb.stores.salesforce.objects.get('Lead')!.values()].find((r) => r.IsConverted === true)!;
    const res = await call(sb.urls.salesforce, `${V}/sobjects/Lead/${lead.Id}`, { token, method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ FirstName: 'X' }) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fixture('error-converted-lead.json'));
  });

  it('REQUIRED_FIELD_MISSING for a PATCH that clears a Contact’s LastName, which stays as it was', async () => {
    const token = await tokenFor(sb);
    const contact = aliceContact(sb);
    const res = await call(sb.urls.salesforce, `${V}/sobjects/Contact/${contact.Id}`, { token, method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ FirstName: 'Alice', LastName: '' }) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fixture('error-required-field-missing.json'));
    expect(contact.LastName).toBe('Andersen');
  });

  it('per-id DeleteResults for a composite delete, and DELETE_FAILED for an Account that still has Cases', async () => {
    const token = await tokenFor(sb);
    const task = [...sb.stores.salesforce.objects.get('Task')!.values()].find((r) => r.WhoId === aliceContact(sb).Id)!;
    const mixed = await call(sb.urls.salesforce, `${V}/composite/sobjects?ids=${task.Id},001000000099999AAA&allOrNone=false`, { token, method: 'DELETE' });
    expect(mixed.status).toBe(200);
    expect(shapeMismatches(fixture('composite-delete.json'), mixed.body)).toEqual([]);
    expect((mixed.body as Array<{ success: boolean }>).map((r) => r.success)).toEqual([true, false]);

    const account = aliceContact(sb).AccountId as string;
    const refused = await call(sb.urls.salesforce, `${V}/composite/sobjects?ids=${account}&allOrNone=false`, { token, method: 'DELETE' });
    expect(shapeMismatches(fixture('composite-delete-account-with-cases.json'), refused.body)).toEqual([]);
    expect(refused.body).toEqual([{ id: account, success: false, errors: [expect.objectContaining({ statusCode: 'DELETE_FAILED', message: expect.stringMatching(/associated with the following cases/) })] }]);
    expect(sb.stores.salesforce.find(account)).toBeDefined();
  });
});

describe('The Salesforce connector makes only documented requests', () => {
  it('reading (JWT bearer, describe, query, queryAll, next batches), rectifying (PATCH) and erasing (composite delete, PATCH), each with documented parameters', async () => {
    const fresh = await startSandboxes({ crowd: 4, salesforce: { batchSize: 10 } });
    try {
      const jwt = createSaasConnector(saasConfig('salesforce', fresh.urls.salesforce, { batchSize: 200 }), depsFor(fresh, { salesforce: fresh.credentials['salesforce-jwt']! }));
      const secret = createSaasConnector(saasConfig('salesforce', fresh.urls.salesforce), depsFor(fresh));
      const sent = await recording(async () => {
        await collect(jwt.access(subjectOf('alice@example.com'), ctx));
        // Rectification: a describe, the Contact and Lead queries, and a PATCH per correction.
        const [name] = await secret.rectify!.current(subjectOf('alice@example.com'), ['name'], ctx);
        await secret.rectify!.apply(subjectOf('alice@example.com'), [{ object: name!.object, recordId: name!.recordId, field: 'name', value: 'Alice Andersen-Berg' }], ctx);
        await secret.erase(subjectOf('alice@example.com'), policies({ Event: { action: 'anonymize', fields: { Subject: 'redact', Description: 'null' } } }), ctx);
      });

      const unmatched = sent.map((req) => ({ request: `${req.method} ${req.url.pathname}`, ...operationOf(req) })).filter((r) => !r.op);
      expect(unmatched.map(({ request, why }) => ({ request, why }))).toEqual([]);
      const used = new Set(sent.map((req) => operationOf(req).op!.name));
      expect([...used].sort()).toEqual(contract.operations.map((o) => o.name).sort());
      for (const req of sent) {
        const options = req.headers.get('sforce-query-options');
        if (options) expect(Number(new RegExp(contract.headers['sforce-query-options']!).exec(options)?.[1])).toBeGreaterThanOrEqual(200);
      }
    } finally {
      await fresh.close();
    }
  });
});
