/**
 * compare.ts against HubSpot-like documents built here from our own contract (no HubSpot file is in
 * this repository): one operation per object type, deals spelled `0-3`, the scopes as OAuth security,
 * as HubSpot's collection lays them out. What agrees is silent; each kind of drift is reported.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { VENDOR_SPELLING, compareContract, readVendorDocs, type VendorDoc } from './compare.ts';

type Json = Record<string, any>;
const here = dirname(fileURLToPath(import.meta.url));
const contract = JSON.parse(readFileSync(join(here, 'hubspot.contract.json'), 'utf8')) as Json;

/** Our contract as a vendor would publish it: concrete paths per object type, scopes as security. */
function vendorLike(): VendorDoc & { doc: Json } {
  const doc = structuredClone(contract);
  const paths: Json = {};
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      const enums = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'path' && p.schema?.enum);
      let concrete: Array<{ path: string; type?: string }> = [{ path: template }];
      for (const p of enums) concrete = concrete.flatMap((c) => (p.schema.enum as string[]).map((v) => ({ path: c.path.replace(`{${p.name}}`, VENDOR_SPELLING[v] ?? v), type: c.type ?? v })));
      for (const { path, type } of concrete) {
        const scopes = Array.isArray(op['x-scopes']) ? op['x-scopes'] : (op['x-scopes']?.[type!] ?? Object.values(op['x-scopes']?.to ?? {}).flat());
        const { 'x-scopes': _scopes, ...rest } = op;
        paths[path] = { ...paths[path], [method]: { ...structuredClone(rest), parameters: (op.parameters ?? []).filter((p: Json) => !enums.includes(p)), security: scopes.map((s: string) => ({ oauth2: [s] })) } };
      }
    }
  }
  // HubSpot's files declare no 429: the contract says so, and compare.ts lists it as known.
  for (const item of Object.values(paths)) for (const op of Object.values(item as Json)) delete (op as Json).responses['429'];
  return { file: 'PublicApiSpecs/CRM/example.json', doc: { ...doc, paths } };
}

describe('compare.ts, re-verifying our HubSpot contract against HubSpot’s specs', () => {
  it('finds nothing to report where the specs say what our contract says, deals spelled 0-3 included', () => {
    const { disagreements, known } = compareContract(contract, [vendorLike()]);
    expect(disagreements).toEqual([]);
    expect(known).toContain('POST /crm/v3/objects/contacts/search 429: HubSpot’s OpenAPI files declare no 429; its body is from the usage-limits guide');
  });

  it('reports association ids the specs type as numbers', () => {
    const vendor = vendorLike();
    vendor.doc.components.schemas.AssociatedRecord.properties.toObjectId = { type: 'integer' };
    const { disagreements } = compareContract(contract, [vendor]);
    expect(disagreements).toContain('GET /crm/v4/objects/contacts/{objectId}/associations/notes 200.results[].toObjectId: type string in our contract, integer in HubSpot\'s');
  });

  it('reports an operation the specs do not have, for the object type they lack it for', () => {
    const vendor = vendorLike();
    delete vendor.doc.paths['/crm/v3/objects/contacts/gdpr-delete'];
    delete vendor.doc.paths['/crm/v3/objects/tasks/batch/archive'];
    const { disagreements } = compareContract(contract, [vendor]);
    expect(disagreements).toEqual(["POST /crm/v3/objects/contacts/gdpr-delete: no such operation in HubSpot's specs", "POST /crm/v3/objects/tasks/batch/archive: no such operation in HubSpot's specs"]);
  });

  it('reports a field the specs require in a request that our contract does not send, and one we send they do not know', () => {
    const vendor = vendorLike();
    const gdpr = vendor.doc.components.schemas.GdprDeleteRequest;
    gdpr.required = ['objectId', 'idProperty'];
    gdpr.properties = { idProperty: { type: 'string' } };
    const { disagreements } = compareContract(contract, [vendor]);
    expect(disagreements).toEqual([
      'POST /crm/v3/objects/contacts/gdpr-delete request: HubSpot requires idProperty; our contract does not send it as required',
      "POST /crm/v3/objects/contacts/gdpr-delete request.objectId: not in HubSpot's schema",
    ]);
  });

  it('reports an answer field our contract relies on that the specs do not promise, and a status they do not have', () => {
    const vendor = vendorLike();
    vendor.doc.components.schemas.SearchPage.required = ['results'];
    delete vendor.doc.paths['/crm/v3/objects/notes/batch/read'].post.responses['207'];
    delete vendor.doc.paths['/crm/v3/objects/notes/batch/read'].post.responses.default;
    const { disagreements } = compareContract(contract, [vendor]);
    expect(disagreements).toEqual([
      "POST /crm/v3/objects/contacts/search 200: our contract relies on total; HubSpot's does not promise it",
      "POST /crm/v3/objects/notes/batch/read: status 207 not among HubSpot's responses",
      "POST /crm/v3/objects/notes/batch/read: status default not among HubSpot's responses",
    ]);
  });

  it('reports a scope of ours the operation does not accept, and an operator HubSpot does not list', () => {
    const vendor = vendorLike();
    vendor.doc.paths['/crm/v3/objects/0-3/batch/read'].post.security = [{ oauth2: ['crm.objects.deals.sensitive.read.v2'] }];
    vendor.doc.components.schemas.Filter.properties.operator.enum = ['EQ', 'NEQ'];
    const { disagreements } = compareContract(contract, [vendor]);
    expect(disagreements).toEqual([
      'POST /crm/v3/objects/contacts/search request.filterGroups[].filters[].operator: "CONTAINS_TOKEN" not among HubSpot\'s values',
      'POST /crm/v3/objects/deals/batch/read: scope crm.objects.deals.read not accepted by HubSpot\'s operation',
    ]);
  });

  describe('reading a local checkout', () => {
    const root = mkdtempSync(join(tmpdir(), 'hubspot-specs-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('reads every OpenAPI JSON document under it, and skips other JSON and .git', () => {
      mkdirSync(join(root, 'PublicApiSpecs', 'CRM'), { recursive: true });
      mkdirSync(join(root, '.git'));
      writeFileSync(join(root, 'PublicApiSpecs', 'CRM', 'example.json'), JSON.stringify(vendorLike().doc));
      writeFileSync(join(root, 'PublicApiSpecs', 'catalog.json'), JSON.stringify({ specs: [] }));
      writeFileSync(join(root, '.git', 'x.json'), JSON.stringify({ openapi: '3.0.0', paths: {} }));
      const docs = readVendorDocs(root);
      expect(docs.map((d) => d.file)).toEqual([join('PublicApiSpecs', 'CRM', 'example.json')]);
      expect(compareContract(contract, docs).disagreements).toEqual([]);
    });
  });
});
