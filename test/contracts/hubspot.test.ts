/**
 * The HubSpot connector and sandbox against our own contract of the HubSpot operations the connector
 * uses (test/contracts/hubspot/hubspot.contract.json, written from HubSpot's API reference and
 * re-checked against HubSpot's specs with compare.ts; see that folder's README): every request the
 * connector makes is an operation of the contract with valid path parameters and body, and every
 * answer the sandbox gives validates against that operation's response schema. A mistake made in both
 * the connector and the sandbox fails here.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENGAGEMENTS, SHARED } from '#connectors/hubspot/index';
import { createSaasConnector } from '#connectors/saas';
import { startSandboxes, type Sandboxes } from '../../infra/local/sandboxes/index.ts';
import { QUOTED, collect, ctx, depsFor, policies, saasConfig, subjectOf } from '../functions/connectors/support.ts';
import { OpenApiContract, recordExchanges, type Exchange } from './support/openapi3.ts';

const here = dirname(fileURLToPath(import.meta.url));
const contract = new OpenApiContract(join(here, 'hubspot', 'hubspot.contract.json'));

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes({ crowd: 30, extraPeople: [{ email: QUOTED, name: "Siobhan O'Brien" }] });
});
afterAll(() => sb.close());
afterEach(() => sb.faults.reset());

const connector = (settings: Record<string, unknown> = {}, deps = depsFor(sb)) => createSaasConnector(saasConfig('hubspot', sb.urls.hubspot, settings), deps);
const problemsOf = (exchanges: Exchange[]) => exchanges.flatMap((ex) => contract.problems(ex));
const templatesOf = (exchanges: Exchange[]) => new Set(exchanges.map((ex) => { const op = contract.operationOf(ex.method, new URL(ex.url).pathname); return op ? `${op.method} ${op.template}` : `? ${ex.url}`; }));
/**
 * A contact with one record of every type only it is on, so no record is kept as shared and each type
 * is patched or deleted. With `onDeal`, its engagements are also on its deal's timeline, which GDPR
 * delete would leave them on: the connector archives them in batches.
 */
function personWithEveryType(email: string, onDeal = false): void {
  const store = sb.stores.hubspot;
  const contact = store.create('contacts', { email, firstname: 'Test', lastname: 'Person' });
  const records = [...SHARED, ...ENGAGEMENTS].map((type) => ({ type, id: store.create(type, { name: `${type} of ${contact.id}` }).id }));
  for (const { type, id } of records) store.associate('contacts', contact.id, type, id);
  const deal = records.find((r) => r.type === 'deals')!;
  if (onDeal) for (const { type, id } of records) if ((ENGAGEMENTS as readonly string[]).includes(type)) store.associate('deals', deal.id, type, id);
}

/** Each operation's path parameters that list their values (object types), with the values seen or declared. */
const valuesOf = (pairs: Array<[string, string, string]>) => [...new Set(pairs.map((p) => p.join(' ')))].sort();

describe('HubSpot connector and sandbox against our HubSpot contract', () => {
  const seen: Exchange[] = [];

  it('reads alice, bob, a quoted address and nobody with requests and answers the contract describes', async () => {
    const { exchanges } = await recordExchanges(sb.urls.hubspot, async () => {
      await collect(connector({ pageSize: 50 }).access(subjectOf('alice@example.com'), ctx));
      await collect(connector().access(subjectOf('bob@example.com'), ctx));
      await collect(connector().access(subjectOf(QUOTED), ctx));
      await collect(connector().access(subjectOf('carol@example.com'), ctx));
    });
    seen.push(...exchanges);
    expect(exchanges.length).toBeGreaterThan(20);
    expect(problemsOf(exchanges)).toEqual([]);
  });

  it('anonymizes bob and GDPR-deletes alice (archiving what GDPR delete leaves) within the contract, twice', async () => {
    const { exchanges } = await recordExchanges(sb.urls.hubspot, async () => {
      const anonymize = policies({
        contacts: { action: 'anonymize', fields: { firstname: 'redact', lastname: 'hash', phone: 'null' } },
        subscription_preferences: { action: 'retain', legalBasis: 'Proof of the opt-out', retentionPeriod: 'While we send email' },
      });
      await connector().erase(subjectOf('bob@example.com'), anonymize, ctx);
      await connector().erase(subjectOf('alice@example.com'), policies({}), ctx);
      await connector().erase(subjectOf('alice@example.com'), policies({}), ctx);
    });
    seen.push(...exchanges);
    expect(problemsOf(exchanges)).toEqual([]);
  });

  it('patches, deletes and batch-archives every object type the contract lists, within it', async () => {
    personWithEveryType('dora@example.com');
    personWithEveryType('erin@example.com');
    personWithEveryType('frank@example.com', true);
    const mask = { action: 'anonymize', fields: { firstname: 'redact' } } as const;
    const { exchanges } = await recordExchanges(sb.urls.hubspot, async () => {
      await connector().erase(subjectOf('dora@example.com'), policies({}, mask), ctx);
      await connector().erase(subjectOf('erin@example.com'), policies({ contacts: mask }), ctx);
      await connector().erase(subjectOf('frank@example.com'), policies({}), ctx);
    });
    seen.push(...exchanges);
    const typesOf = (method: string, path: RegExp) => [...new Set(exchanges.filter((ex) => ex.method === method).map((ex) => path.exec(new URL(ex.url).pathname)?.[1]).filter(Boolean))].sort();
    expect(typesOf('PATCH', /^\/crm\/v3\/objects\/([^/]+)\/\d+$/)).toEqual(['contacts', ...SHARED, ...ENGAGEMENTS].sort());
    // Engagements are never deleted one by one: they go through batch archive, 100 at a time.
    expect(typesOf('DELETE', /^\/crm\/v3\/objects\/([^/]+)\/\d+$/)).toEqual([...SHARED].sort());
    expect(typesOf('POST', /^\/crm\/v3\/objects\/([^/]+)\/batch\/archive$/)).toEqual([...ENGAGEMENTS].sort());
    expect(problemsOf(exchanges)).toEqual([]);
  });

  it('reads and corrects bob\'s phone, name and address (a rectification) within the contract', async () => {
    const hubspot = connector();
    const { exchanges } = await recordExchanges(sb.urls.hubspot, async () => {
      const current = await hubspot.rectify!.current(subjectOf('bob@example.com'), ['name', 'phone', 'address'], ctx);
      const corrections = current.map((v) => ({ object: v.object, recordId: v.recordId, field: v.field, value: v.field === 'address' ? { line1: 'Kirkegata 5', postalCode: '5003', city: 'Bergen', country: 'NO' } : v.field === 'name' ? 'Robert Berg' : '+47 912 34 567' }));
      await hubspot.rectify!.apply(subjectOf('bob@example.com'), corrections, ctx);
    });
    seen.push(...exchanges);
    expect(exchanges.some((ex) => ex.method === 'PATCH')).toBe(true);
    expect(problemsOf(exchanges)).toEqual([]);
  });

  it('gets 207 answers whose errors each carry category, context, errors, links, message and status, as HubSpot’s do', async () => {
    sb.faults.set('hubspot', { failNext: { match: 'notes/batch/read', partial: 'errors', count: 1 } });
    const { exchanges } = await recordExchanges(sb.urls.hubspot, () => collect(connector().access(subjectOf(sb.people[12]!.email), ctx)).catch(() => undefined));
    const multi = exchanges.filter((ex) => ex.status === 207);
    expect(multi.length).toBeGreaterThan(0);
    for (const ex of multi) expect((ex.responseBody as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    expect(problemsOf(exchanges)).toEqual([]);
  });

  it('gets throttled with the 429 body HubSpot’s usage-limits guide documents', async () => {
    sb.faults.set('hubspot', { throttle: { count: 1, form: 'SECONDLY' } });
    const { exchanges } = await recordExchanges(sb.urls.hubspot, () => collect(connector({ policyHintsMs: { SECONDLY: 1 } }).access(subjectOf('bob@example.com'), ctx)));
    expect(exchanges.map((ex) => ex.status)).toContain(429);
    expect(problemsOf(exchanges)).toEqual([]);
  });

  it('gets an expired token refused with HubSpot’s error body', async () => {
    sb.faults.set('hubspot', { expireToken: true });
    const { exchanges } = await recordExchanges(sb.urls.hubspot, () => collect(connector().access(subjectOf('bob@example.com'), ctx)).catch(() => undefined));
    expect(exchanges.map((ex) => ex.status)).toContain(401);
    expect(problemsOf(exchanges)).toEqual([]);
  });

  it('exercises every operation the contract declares, and calls nothing else', () => {
    const declared = contract.all.map((op) => `${op.method} ${op.template}`);
    expect([...templatesOf(seen)].sort()).toEqual([...declared].sort());
  });

  it('calls each operation with every object type the contract lists for it, and with no other', () => {
    const declared = contract.all.flatMap((op) =>
      op.parameters.filter((p) => p.in === 'path' && Array.isArray(p.schema?.enum)).flatMap((p) => (p.schema!.enum as string[]).map((v): [string, string, string] => [`${op.method} ${op.template}`, p.name, v])),
    );
    const used = seen.flatMap((ex) => {
      const path = new URL(ex.url).pathname;
      const op = contract.operationOf(ex.method, path);
      if (!op) return [];
      const listed = new Set(declared.filter(([t]) => t === `${op.method} ${op.template}`).map(([, name]) => name));
      return Object.entries(contract.pathParameters(op, path)).filter(([name]) => listed.has(name)).map(([name, v]): [string, string, string] => [`${op.method} ${op.template}`, name, v]);
    });
    expect(valuesOf(used)).toEqual(valuesOf(declared));
  });
});

describe('the contract check itself', () => {
  const base = 'https://api.hubapi.com';

  it('rejects a search without the `after` and `sorts` HubSpot requires, as the connector sent before', () => {
    const problems = contract.problems({
      method: 'POST',
      url: `${base}/crm/v3/objects/contacts/search`,
      requestBody: { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'a@b.c' }] }], properties: ['email'], limit: 100 },
      status: 200,
      responseBody: { total: 0, results: [] },
    });
    expect(problems.join('\n')).toMatch(/must have required property 'after'/);
    expect(problems.join('\n')).toMatch(/must have required property 'sorts'/);
  });

  it('rejects a 207 whose error items lack the `errors` and `links` HubSpot always sends, as the sandbox answered before', () => {
    const problems = contract.problems({
      method: 'POST',
      url: `${base}/crm/v3/objects/notes/batch/read`,
      requestBody: { inputs: [{ id: '1' }], properties: [], propertiesWithHistory: [] },
      status: 207,
      responseBody: {
        status: 'COMPLETE', results: [], startedAt: '2025-01-01T00:00:00Z', completedAt: '2025-01-01T00:00:00Z', numErrors: 1,
        errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'gone', context: { ids: ['1'] } }],
      },
    });
    expect(problems.join('\n')).toMatch(/errors\/0 must have required property 'errors'/);
    expect(problems.join('\n')).toMatch(/errors\/0 must have required property 'links'/);
  });

  it('rejects association ids sent as numbers, as HubSpot never sends them', () => {
    const problems = contract.problems({
      method: 'GET',
      url: `${base}/crm/v4/objects/contacts/1/associations/notes?limit=500`,
      status: 200,
      responseBody: { results: [{ toObjectId: 7, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 202 }] }] },
    });
    expect(problems).toEqual([expect.stringMatching(/\/results\/0\/toObjectId must be string/)]);
  });

  it('rejects an object type an operation is not declared for: contacts are GDPR-deleted, never archived in a batch', () => {
    const problems = contract.problems({ method: 'POST', url: `${base}/crm/v3/objects/contacts/batch/archive`, requestBody: { inputs: [{ id: '1' }] }, status: 204 });
    expect(problems).toEqual([expect.stringMatching(/^POST \/crm\/v3\/objects\/contacts\/batch\/archive: path parameter objectType "contacts": \/ must be equal to one of the allowed values/)]);
  });

  it('rejects a request body field the contract does not describe, so a new field is checked against HubSpot’s reference first', () => {
    const problems = contract.problems({
      method: 'POST',
      url: `${base}/crm/v3/objects/contacts/gdpr-delete`,
      requestBody: { objectId: '1', idProperty: 'email' },
      status: 204,
    });
    expect(problems.join('\n')).toMatch(/must NOT have additional properties .*idProperty/);
  });

  it('rejects a call to an operation the contract does not have, and a query parameter an operation does not declare', () => {
    expect(contract.problems({ method: 'POST', url: `${base}/crm/v3/objects/contacts/purge`, status: 204 })).toEqual(['POST /crm/v3/objects/contacts/purge: no operation in the contract']);
    const get = contract.problems({ method: 'GET', url: `${base}/crm/v4/objects/contacts/1/associations/notes?limit=500&pageSize=3`, status: 200, responseBody: { results: [] } });
    expect(get).toEqual(['GET /crm/v4/objects/contacts/1/associations/notes: query parameter pageSize is not declared by /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}']);
  });
});
