/**
 * The HubSpot connector and sandbox against HubSpot's own published OpenAPI specs (trimmed copies in
 * test/contracts/hubspot/, see its README): every request the connector makes is an operation of the
 * specs with a valid body, and every answer the sandbox gives validates against that operation's
 * response schema. A mistake made in both the connector and the sandbox fails here.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSaasConnector } from '#connectors/saas';
import { startSandboxes, type Sandboxes } from '../../infra/local/sandboxes/index.ts';
import { QUOTED, collect, ctx, depsFor, policies, saasConfig, subjectOf } from '../functions/connectors/support.ts';
import { OPERATIONS } from './hubspot/refresh.ts';
import { OpenApiContract, recordExchanges, type Exchange } from './support/openapi3.ts';

const here = dirname(fileURLToPath(import.meta.url));
// HubSpot accepts an object type's name or its id in a path; the deals spec spells deals `0-3`.
const contract = new OpenApiContract(join(here, 'hubspot'), { deals: '0-3' });

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes({ crowd: 30, extraPeople: [{ email: QUOTED, name: "Siobhan O'Brien" }] });
});
afterAll(() => sb.close());
afterEach(() => sb.faults.reset());

const connector = (settings: Record<string, unknown> = {}, deps = depsFor(sb)) => createSaasConnector(saasConfig('hubspot', sb.urls.hubspot, settings), deps);
const problemsOf = (exchanges: Exchange[]) => exchanges.flatMap((ex) => contract.problems(ex));
const templatesOf = (exchanges: Exchange[]) => new Set(exchanges.map((ex) => { const op = contract.operationOf(ex.method, new URL(ex.url).pathname); return op ? `${op.method} ${op.template}` : `? ${ex.url}`; }));

describe('HubSpot connector and sandbox against HubSpot’s published specs', () => {
  const seen: Exchange[] = [];

  it('reads alice, bob, a quoted address and nobody with requests and answers the specs describe', async () => {
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

  it('anonymizes bob and GDPR-deletes alice (archiving what GDPR delete leaves) within the specs, twice', async () => {
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

  it('gets 207 answers whose errors are HubSpot’s StandardError, each with category, context, errors, links, message and status', async () => {
    sb.faults.set('hubspot', { failNext: { match: 'notes/batch/read', partial: 'errors', count: 1 } });
    const { exchanges } = await recordExchanges(sb.urls.hubspot, () => collect(connector().access(subjectOf(sb.people[12]!.email), ctx)).catch(() => undefined));
    const multi = exchanges.filter((ex) => ex.status === 207);
    expect(multi.length).toBeGreaterThan(0);
    for (const ex of multi) expect((ex.responseBody as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    expect(problemsOf(exchanges)).toEqual([]);
  });

  it('gets an expired token refused with HubSpot’s error body', async () => {
    sb.faults.set('hubspot', { expireToken: true });
    const { exchanges } = await recordExchanges(sb.urls.hubspot, () => collect(connector().access(subjectOf('bob@example.com'), ctx)).catch(() => undefined));
    expect(exchanges.map((ex) => ex.status)).toContain(401);
    expect(problemsOf(exchanges)).toEqual([]);
  });

  it('exercises every operation the connector is declared to call, and calls nothing else', () => {
    // Per-type CRM paths collapse to the generic form OPERATIONS lists.
    const generic = (t: string) =>
      t.replace(/^(\w+) \/crm\/v3\/objects\/[^/]+\/(batch\/read|batch\/archive)$/, '$1 /crm/v3/objects/{type}/$2').replace(/^(\w+) \/crm\/v3\/objects\/[^/]+\/\{[^}]+\}$/, '$1 /crm/v3/objects/{type}/{id}');
    const used = new Set([...templatesOf(seen)].map(generic));
    const declared = new Set(OPERATIONS.map(([method, path]) => `${method.toUpperCase()} ${path}`));
    expect([...used].sort()).toEqual([...declared].sort());
  });
});

describe('the contract check itself', () => {
  const base = 'https://api.hubapi.com';

  it('rejects a search without the `after` and `sorts` HubSpot’s spec requires, as the connector sent before', () => {
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

  it('rejects a 207 whose error items lack the fields of HubSpot’s StandardError, as the sandbox answered before', () => {
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

  it('rejects a call to an operation the specs do not have, and a query parameter an operation does not declare', () => {
    expect(contract.problems({ method: 'POST', url: `${base}/crm/v3/objects/contacts/purge`, status: 204 })).toEqual(['POST /crm/v3/objects/contacts/purge: no operation in the specs']);
    const get = contract.problems({ method: 'GET', url: `${base}/crm/v4/objects/contacts/1/associations/notes?limit=500&pageSize=3`, status: 200, responseBody: { results: [] } });
    expect(get).toEqual(['GET /crm/v4/objects/contacts/1/associations/notes: query parameter pageSize is not declared by /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}']);
  });
});
