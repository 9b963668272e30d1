/**
 * Re-verifies our HubSpot contract (hubspot.contract.json, in this folder) against HubSpot's own
 * OpenAPI files, from a LOCAL checkout of HubSpot's public spec collection given on the command line.
 * Nothing is downloaded, and nothing of HubSpot's is written here: it only reports where our contract
 * and their specs disagree.
 *
 *   git clone https://github.com/HubSpot/HubSpot-public-api-spec-collection /tmp/hubspot-specs
 *   npx tsx test/contracts/hubspot/compare.ts /tmp/hubspot-specs            # every rollout
 *   npx tsx test/contracts/hubspot/compare.ts <folders or .json files>...   # chosen rollouts
 *
 * For every operation of our contract, and every object type its path parameters list, it looks for
 * HubSpot's operation (deals are `0-3` in their files) and reports: an operation they do not have; a
 * parameter we send that they do not declare, or one they require that we do not send; a request
 * body field we send that they do not describe, or one they require that we leave out; a response
 * status, field or type we rely on that their answer does not promise, or a field they always send that
 * our contract leaves optional; an enum value of ours they do not list; a scope of ours their operation
 * does not accept. Where our contract says on purpose that something is not in their files
 * (`x-not-in-vendor-spec`, e.g. the 429 body their usage guide documents), it is listed as known.
 * Exit status: 0 when they agree, 1 when not, 2 on bad usage.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** One OpenAPI document of HubSpot's, with where it was found (for the report). */
export interface VendorDoc {
  file: string;
  doc: Json;
}

interface VendorOperation extends VendorDoc {
  template: string;
  method: string;
  op: Json;
  parameters: Json[];
}

/** Path segments HubSpot's files spell differently from the connector (HubSpot accepts both). */
export const VENDOR_SPELLING: Record<string, string> = { deals: '0-3' };

export interface Comparison {
  /** Where our contract and HubSpot's specs disagree. */
  disagreements: string[];
  /** Differences our contract marks as intended (`x-not-in-vendor-spec`). */
  known: string[];
}

const isParam = (segment: string) => /^\{.+\}$/.test(segment);

/** `$ref`s resolved within their own document, and `allOf` merged, so two schemas compare by shape. */
function resolve(schema: unknown, doc: Json, depth = 0): Json {
  let s = (schema ?? {}) as Json;
  for (let i = 0; typeof s.$ref === 'string' && i < 20; i++) {
    const path = (s.$ref as string).replace(/^#\//, '').split('/');
    s = path.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc) as Json;
    if (!s) return {};
  }
  if (Array.isArray(s.allOf) && depth < 10) {
    const parts = (s.allOf as unknown[]).map((p) => resolve(p, doc, depth + 1));
    return {
      ...s,
      allOf: undefined,
      type: s.type ?? parts.find((p) => p.type)?.type,
      required: [...new Set([...((s.required as string[]) ?? []), ...parts.flatMap((p) => (p.required as string[]) ?? [])])],
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), s.properties ?? {}),
    };
  }
  return s;
}

/** The JSON schema of a request body or response (any JSON-ish content type), resolved. */
function bodySchema(holder: unknown, doc: Json): Json | undefined {
  const resolved = resolve(holder, doc);
  const content = (resolved.content ?? {}) as Record<string, { schema?: unknown }>;
  const media = content['application/json'] ?? content['*/*'] ?? Object.values(content)[0];
  return media?.schema ? resolve(media.schema, doc) : undefined;
}

/** Every way a schema of ours disagrees with HubSpot's, for a request (what we send) or an answer (what we read). */
function compareSchemas(ours: Json, theirs: Json, where: string, direction: 'request' | 'response', oursDoc: Json, theirsDoc: Json, out: Comparison, seen = new Set<string>()): void {
  const key = `${where}\u0000${JSON.stringify(ours)}`;
  if (seen.has(key)) return;
  seen.add(key);
  if (ours.type && theirs.type && ours.type !== theirs.type) {
    out.disagreements.push(`${where}: type ${String(ours.type)} in our contract, ${String(theirs.type)} in HubSpot's`);
    return;
  }
  if (Array.isArray(ours.enum) && Array.isArray(theirs.enum)) {
    const missing = (ours.enum as unknown[]).filter((v) => !(theirs.enum as unknown[]).includes(v));
    if (missing.length) out.disagreements.push(`${where}: ${missing.map((v) => JSON.stringify(v)).join(', ')} not among HubSpot's values`);
  }
  const ourRequired = (ours.required as string[] | undefined) ?? [];
  const theirRequired = (theirs.required as string[] | undefined) ?? [];
  for (const name of theirRequired.filter((n) => !ourRequired.includes(n))) {
    out.disagreements.push(direction === 'request' ? `${where}: HubSpot requires ${name}; our contract does not send it as required` : `${where}: HubSpot always sends ${name}; our contract has it optional`);
  }
  if (direction === 'response') {
    for (const name of ourRequired.filter((n) => !theirRequired.includes(n))) out.disagreements.push(`${where}: our contract relies on ${name}; HubSpot's does not promise it`);
  }
  const theirProps = (theirs.properties ?? {}) as Json;
  for (const [name, prop] of Object.entries((ours.properties ?? {}) as Json)) {
    const our = resolve(prop, oursDoc);
    const at = `${where}.${name}`;
    if (typeof our['x-not-in-vendor-spec'] === 'string') {
      out.known.push(`${at}: ${our['x-not-in-vendor-spec'] as string}`);
      continue;
    }
    if (!(name in theirProps)) {
      // An open map of theirs (additionalProperties) takes any name.
      if (!theirs.additionalProperties) out.disagreements.push(`${at}: not in HubSpot's schema`);
      continue;
    }
    compareSchemas(our, resolve(theirProps[name], theirsDoc), at, direction, oursDoc, theirsDoc, out, seen);
  }
  if (ours.items && theirs.items) compareSchemas(resolve(ours.items, oursDoc), resolve(theirs.items, theirsDoc), `${where}[]`, direction, oursDoc, theirsDoc, out, seen);
  if (ours.additionalProperties && typeof ours.additionalProperties === 'object' && theirs.additionalProperties && typeof theirs.additionalProperties === 'object') {
    compareSchemas(resolve(ours.additionalProperties, oursDoc), resolve(theirs.additionalProperties, theirsDoc), `${where}{}`, direction, oursDoc, theirsDoc, out, seen);
  }
}

/** HubSpot's operations, by method, with path-item parameters merged in. */
function vendorOperations(docs: VendorDoc[]): VendorOperation[] {
  const out: VendorOperation[] = [];
  for (const { file, doc } of docs) {
    for (const [template, rawItem] of Object.entries((doc.paths ?? {}) as Json)) {
      const item = resolve(rawItem, doc);
      const shared = ((item.parameters ?? []) as unknown[]).map((p) => resolve(p, doc));
      for (const method of METHODS) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        const own = ((op.parameters ?? []) as unknown[]).map((p) => resolve(p, doc));
        const parameters = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
        out.push({ file, doc, template, method, op, parameters });
      }
    }
  }
  return out;
}

/** The concrete paths an operation of ours stands for: one per combination of its enum path parameters. */
function concretePaths(template: string, parameters: Json[]): Array<{ path: string; values: Record<string, string> }> {
  let paths: Array<{ path: string; values: Record<string, string> }> = [{ path: template, values: {} }];
  for (const p of parameters.filter((p) => p.in === 'path')) {
    const values = ((p.schema as Json | undefined)?.enum as string[] | undefined) ?? [];
    if (!values.length) continue;
    paths = paths.flatMap(({ path, values: v }) => values.map((value) => ({ path: path.replace(`{${String(p.name)}}`, value), values: { ...v, [String(p.name)]: value } })));
  }
  return paths;
}

/** HubSpot's operations for a concrete path, the most literal first match (as a router picks). */
function matchVendor(vendor: VendorOperation[], method: string, path: string): VendorOperation[] {
  const segments = path.split('/').map((s) => VENDOR_SPELLING[s] ?? s);
  const scored = vendor
    .filter((v) => v.method === method)
    .map((v) => ({ v, theirs: v.template.split('/') }))
    .filter(({ theirs }) => theirs.length === segments.length && theirs.every((t, i) => isParam(t) || isParam(segments[i]!) || t === segments[i]))
    .map(({ v, theirs }) => ({ v, literal: theirs.filter((t, i) => !isParam(t) && t === segments[i]).length }));
  const best = Math.max(-1, ...scored.map((s) => s.literal));
  return scored.filter((s) => s.literal === best).map((s) => s.v);
}

/** OAuth scopes an operation of HubSpot's accepts (any one of its security requirements). */
function vendorScopes(v: VendorOperation): Set<string> {
  const security = (v.op.security ?? v.doc.security ?? []) as Array<Record<string, string[]>>;
  return new Set(security.flatMap((req) => Object.values(req).flat()));
}

/** The scopes our contract lists for one object type of an operation (`x-scopes`: a list, or per type, or from/to). */
function ourScopes(op: Json, values: Record<string, string>): string[] {
  const scopes = op['x-scopes'];
  if (Array.isArray(scopes)) return scopes as string[];
  if (!scopes || typeof scopes !== 'object') return [];
  const s = scopes as Json;
  const pick = (entry: unknown, type: string | undefined) => (Array.isArray(entry) ? (entry as string[]) : type ? (((entry as Json | undefined)?.[type] as string[] | undefined) ?? []) : []);
  if ('from' in s || 'to' in s) {
    const types = Object.values(values);
    return [...pick(s.from, types[0]), ...pick(s.to, types[types.length - 1])];
  }
  return pick(s, Object.values(values)[0]);
}

/** Where our contract and HubSpot's documents disagree, operation by operation. */
export function compareContract(contract: Json, vendorDocs: VendorDoc[]): Comparison {
  const out: Comparison = { disagreements: [], known: [] };
  const vendor = vendorOperations(vendorDocs);
  for (const [template, rawItem] of Object.entries(contract.paths as Json)) {
    const item = rawItem as Json;
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const parameters = ((op.parameters ?? []) as unknown[]).map((p) => resolve(p, contract));
      for (const { path, values } of concretePaths(template, parameters)) {
        const label = `${method.toUpperCase()} ${path}`;
        const matches = matchVendor(vendor, method, path);
        if (!matches.length) {
          out.disagreements.push(`${label}: no such operation in HubSpot's specs`);
          continue;
        }
        for (const v of matches) {
          const at = matches.length > 1 ? `${label} (${v.file})` : label;
          compareOperation(at, op, parameters, values, v, contract, out);
        }
      }
    }
  }
  return out;
}

function compareOperation(at: string, op: Json, parameters: Json[], values: Record<string, string>, v: VendorOperation, contract: Json, out: Comparison): void {
  // Parameters: ours must be theirs, theirs required must be ours (path parameters are matched by position).
  for (const p of parameters.filter((p) => p.in === 'query')) {
    const theirs = v.parameters.find((t) => t.in === 'query' && t.name === p.name);
    if (!theirs) out.disagreements.push(`${at}: query parameter ${String(p.name)} not in HubSpot's operation`);
    else compareSchemas(resolve(p.schema, contract), resolve(theirs.schema, v.doc), `${at} ?${String(p.name)}`, 'request', contract, v.doc, out);
  }
  for (const t of v.parameters.filter((t) => t.in === 'query' && t.required)) {
    if (!parameters.some((p) => p.in === 'query' && p.name === t.name)) out.disagreements.push(`${at}: HubSpot requires query parameter ${String(t.name)}`);
  }
  const ourBody = bodySchema(op.requestBody, contract);
  const theirBody = bodySchema(v.op.requestBody, v.doc);
  if (ourBody && !theirBody) out.disagreements.push(`${at}: we send a body HubSpot's operation does not take`);
  else if (!ourBody && theirBody && resolve(v.op.requestBody, v.doc).required) out.disagreements.push(`${at}: HubSpot requires a body`);
  else if (ourBody && theirBody) compareSchemas(ourBody, theirBody, `${at} request`, 'request', contract, v.doc, out);
  const theirResponses = (v.op.responses ?? {}) as Json;
  for (const [status, response] of Object.entries((op.responses ?? {}) as Json)) {
    const resolved = resolve(response, contract);
    if (typeof resolved['x-not-in-vendor-spec'] === 'string') {
      out.known.push(`${at} ${status}: ${resolved['x-not-in-vendor-spec'] as string}`);
      continue;
    }
    const theirs = theirResponses[status] ?? theirResponses.default;
    if (!theirs) {
      out.disagreements.push(`${at}: status ${status} not among HubSpot's responses`);
      continue;
    }
    const ours = bodySchema(resolved, contract);
    const their = bodySchema(theirs, v.doc);
    if (ours && !their) out.disagreements.push(`${at} ${status}: our contract reads a body HubSpot's response does not have`);
    else if (ours && their) compareSchemas(ours, their, `${at} ${status}`, 'response', contract, v.doc, out);
  }
  const accepted = vendorScopes(v);
  for (const scope of ourScopes(op, values)) if (accepted.size && !accepted.has(scope)) out.disagreements.push(`${at}: scope ${scope} not accepted by HubSpot's operation`);
}

/** Every OpenAPI JSON document under a folder (HubSpot's collection keeps them under PublicApiSpecs/). */
export function readVendorDocs(root: string): VendorDoc[] {
  const docs: VendorDoc[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === '.git' || name === 'node_modules') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json')) {
        try {
          const doc = JSON.parse(readFileSync(path, 'utf8')) as Json;
          if (typeof doc.openapi === 'string' && doc.paths) docs.push({ file: relative(root, path), doc });
        } catch {
          // Not JSON, or not an OpenAPI document: not one of theirs to compare.
        }
      }
    }
  };
  walk(root);
  return docs;
}

function main(argv: string[]): number {
  const exists = (p: string) => statSync(p, { throwIfNoEntry: false });
  if (!argv.length || argv.some((p) => !exists(p))) {
    console.error('usage: compare.ts <checkout of HubSpot/HubSpot-public-api-spec-collection, or folders or .json files of it>...');
    return 2;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const contract = JSON.parse(readFileSync(join(here, 'hubspot.contract.json'), 'utf8')) as Json;
  const docs = argv.flatMap((p) => (exists(p)!.isDirectory() ? readVendorDocs(p) : readVendorDocs(dirname(p)).filter((d) => join(dirname(p), d.file) === join(p))));
  if (!docs.length) {
    console.error(`${argv.join(' ')}: no OpenAPI JSON documents found`);
    return 2;
  }
  const { disagreements, known } = compareContract(contract, docs);
  console.log(`Compared with ${docs.length} OpenAPI document(s).`);
  // The same intended difference on many operations is one line: the reason, and how many it covers.
  const reasons = new Map<string, Set<string>>();
  for (const line of known) {
    const [where, ...why] = line.split(': ');
    const reason = why.join(': ');
    reasons.set(reason, (reasons.get(reason) ?? new Set()).add(where!.replace(/ \d{3}$/, '')));
  }
  for (const [reason, where] of reasons) console.log(`known, on ${where.size} operation(s): ${reason}`);
  for (const line of [...new Set(disagreements)]) console.log(`DISAGREES: ${line}`);
  console.log(disagreements.length ? `${new Set(disagreements).size} disagreement(s): check HubSpot's reference and fix the contract (or the connector).` : 'Our contract agrees with HubSpot’s specs.');
  return disagreements.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
