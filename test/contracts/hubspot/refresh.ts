/**
 * Refreshes the trimmed HubSpot specifications in this folder from full spec files of HubSpot's
 * `HubSpot/HubSpot-public-api-spec-collection` repository, given on the command line (nothing is
 * downloaded here, nor at test time):
 *
 *   npx tsx test/contracts/hubspot/refresh.ts --commit <sha> <path/to/contacts.json> <path/to/notes.json> ...
 *
 * It keeps only the operations the connector calls (OPERATIONS below) and the components they reference,
 * transitively, and writes `<file name>` here with the source repository, path and commit under
 * `info.x-source`. Add an operation here when the connector starts calling one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Method and path template of every operation the connector may call, as the specs spell them. */
export const OPERATIONS: ReadonlyArray<readonly [string, string]> = [
  ['post', '/crm/v3/objects/contacts/search'],
  ['post', '/crm/v3/objects/contacts/gdpr-delete'],
  ['post', '/crm/v3/objects/{type}/batch/read'],
  ['post', '/crm/v3/objects/{type}/batch/archive'],
  ['delete', '/crm/v3/objects/{type}/{id}'],
  ['patch', '/crm/v3/objects/{type}/{id}'],
  ['get', '/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}'],
  ['post', '/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read'],
  ['get', '/communication-preferences/v3/status/email/{emailAddress}'],
];

/** The CRM objects the connector reads; deals are `0-3` in their spec (HubSpot's object type id). */
const CRM_TYPES = ['contacts', 'companies', '0-3', 'tickets', 'notes', 'emails', 'calls', 'meetings', 'tasks'];
const ARCHIVED_BY_CONNECTOR = ['notes', 'emails', 'calls', 'meetings', 'tasks'];

type Json = Record<string, unknown>;

/** Whether a spec's own path (with its own parameter names) is one of OPERATIONS for this method. */
function wanted(method: string, path: string): boolean {
  const crm = /^\/crm\/v3\/objects\/([^/]+)\/(batch\/read|batch\/archive|\{[^}]+\})$/.exec(path);
  if (crm) {
    const [, type, rest] = crm;
    if (!CRM_TYPES.includes(type!)) return false;
    if (rest === 'batch/read') return method === 'post';
    if (rest === 'batch/archive') return method === 'post' && ARCHIVED_BY_CONNECTOR.includes(type!);
    return method === 'delete' || method === 'patch';
  }
  return OPERATIONS.some(([m, p]) => m === method && p === path);
}

function refsIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.add(v);
      else refsIn(v, out);
    }
  }
  return out;
}

export function trim(spec: Json, source: { repository: string; path: string; commit: string }): Json {
  const paths: Record<string, Json> = {};
  for (const [path, item] of Object.entries(spec.paths as Record<string, Json>)) {
    const kept: Json = {};
    for (const [method, op] of Object.entries(item)) if (method !== 'parameters' && wanted(method, path)) kept[method] = op;
    if (Object.keys(kept).length) paths[path] = item.parameters ? { parameters: item.parameters, ...kept } : kept;
  }
  // Components referenced from the kept operations, and from those components, until nothing is new.
  const components: Record<string, Json> = {};
  const pending = [...refsIn(paths, new Set())];
  const seen = new Set<string>();
  while (pending.length) {
    const ref = pending.pop()!;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const [, , section, name] = ref.split('/');
    const target = ((spec.components as Record<string, Json>)[section!] ?? {})[name!];
    if (target === undefined) throw new Error(`${source.path}: ${ref} is not in the spec`);
    ((components[section!] ??= {}) as Json)[name!] = target;
    pending.push(...refsIn(target, new Set()));
  }
  for (const section of Object.values(components)) {
    const sorted = Object.fromEntries(Object.entries(section).sort(([a], [b]) => a.localeCompare(b)));
    for (const k of Object.keys(section)) delete section[k];
    Object.assign(section, sorted);
  }
  const info = { ...(spec.info as Json), 'x-source': source };
  return { openapi: spec.openapi, info, servers: spec.servers, paths, components };
}

function main(argv: string[]): void {
  const at = argv.indexOf('--commit');
  const commit = at >= 0 ? argv[at + 1] : undefined;
  const files = argv.filter((_, i) => i !== at && i !== at + 1);
  if (!commit || !/^[0-9a-f]{40}$/.test(commit) || !files.length) {
    console.error('usage: refresh.ts --commit <40-hex sha> <full spec file>...');
    process.exit(2);
  }
  const here = dirname(fileURLToPath(import.meta.url));
  for (const file of files) {
    const spec = JSON.parse(readFileSync(file, 'utf8')) as Json;
    // The repository path from the file's own path (PublicApiSpecs/...), as the README of this folder cites it.
    const path = file.includes('PublicApiSpecs/') ? file.slice(file.indexOf('PublicApiSpecs/')) : basename(file);
    const trimmed = trim(spec, { repository: 'https://github.com/HubSpot/HubSpot-public-api-spec-collection', path, commit });
    const out = join(here, basename(file));
    writeFileSync(out, `${JSON.stringify(trimmed, null, 2)}\n`);
    console.log(`${out}: ${Object.keys(trimmed.paths as Json).length} paths`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
