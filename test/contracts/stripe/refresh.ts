/**
 * Trims Stripe's published OpenAPI spec (`openapi/spec3.json` of the stripe/openapi repository, MIT) to
 * the operations the connector calls and the component schemas they reference, and writes
 * `spec3.trimmed.json` next to this file. Nothing is downloaded: the operator passes the full file.
 *
 *   npx tsx test/contracts/stripe/refresh.ts path/to/spec3.json <commit of stripe/openapi>
 *
 * Descriptions are dropped (they are most of the size and no test reads them). The redaction-job
 * operations are public preview and absent from the GA spec: when the given file has them (a preview
 * spec), they are kept too; otherwise `privacy-redaction-jobs.json` stays the contract for them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every operation the connector (functions/connectors/stripe) makes: path template -> methods. */
export const OPERATIONS: Record<string, Array<'get' | 'post' | 'delete'>> = {
  '/v1/customers': ['get'],
  '/v1/customers/search': ['get'],
  '/v1/customers/{customer}': ['get', 'post', 'delete'],
  '/v1/customers/{customer}/payment_methods': ['get'],
  '/v1/customers/{customer}/sources': ['get'],
  '/v1/customers/{customer}/sources/{id}': ['post', 'delete'],
  '/v1/customers/{customer}/tax_ids': ['get'],
  '/v1/customers/{customer}/tax_ids/{id}': ['delete'],
  '/v1/customers/{customer}/balance_transactions': ['get'],
  '/v1/customers/{customer}/balance_transactions/{transaction}': ['post'],
  '/v1/charges': ['get'],
  '/v1/charges/{charge}': ['post'],
  '/v1/payment_intents': ['get'],
  '/v1/payment_intents/{intent}': ['post'],
  '/v1/invoices': ['get'],
  '/v1/invoices/{invoice}': ['post'],
  '/v1/invoiceitems': ['get'],
  '/v1/invoiceitems/{invoiceitem}': ['post', 'delete'],
  '/v1/subscriptions': ['get'],
  '/v1/subscriptions/{subscription_exposed_id}': ['post', 'delete'],
  '/v1/payment_methods/{payment_method}': ['post'],
  '/v1/payment_methods/{payment_method}/detach': ['post'],
  '/v1/credit_notes': ['get'],
  '/v1/credit_notes/{id}': ['post'],
  '/v1/privacy/redaction_jobs': ['post'],
  '/v1/privacy/redaction_jobs/{job}': ['get'],
  '/v1/privacy/redaction_jobs/{job}/run': ['post'],
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function withoutDescriptions(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (value && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) if (!(k === 'description' && typeof v === 'string')) out[k] = withoutDescriptions(v); // a property named description is an object
    return out;
  }
  return value;
}

function refsIn(value: Json, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.replace('#/components/schemas/', ''));
      else refsIn(v, out);
    }
  }
}

export function trim(full: { openapi: string; info: Json; paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } }, source: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const [path, methods] of Object.entries(OPERATIONS)) {
    const item = full.paths[path];
    if (!item) continue;
    paths[path] = {};
    for (const m of methods) if (item[m]) paths[path][m] = withoutDescriptions(item[m]);
  }
  // The closure of referenced schemas: a schema pulls in those it names, until nothing new comes.
  const schemas: Record<string, Json> = {};
  const pending = new Set<string>();
  refsIn(paths as Json, pending);
  while (pending.size) {
    const [name] = pending;
    pending.delete(name!);
    if (schemas[name!] !== undefined) continue;
    const schema = full.components.schemas[name!];
    if (schema === undefined) throw new Error(`the spec references a schema it does not define: ${name}`);
    schemas[name!] = withoutDescriptions(schema);
    const next = new Set<string>();
    refsIn(schemas[name!]!, next);
    for (const n of next) if (schemas[n] === undefined) pending.add(n);
  }
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return { openapi: full.openapi, info: { ...(full.info as object), 'x-trimmed-from': source }, paths, components: { schemas: sorted } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, commit] = process.argv.slice(2);
  if (!file || !commit) {
    console.error('usage: refresh.ts <full spec3.json> <stripe/openapi commit it came from>');
    process.exit(2);
  }
  const full = JSON.parse(readFileSync(file, 'utf8'));
  const out = trim(full, `stripe/openapi@${commit}:openapi/spec3.json (MIT)`);
  const target = join(dirname(fileURLToPath(import.meta.url)), 'spec3.trimmed.json');
  writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
  const missing = Object.entries(OPERATIONS).flatMap(([p, ms]) => ms.filter((m) => !(out as { paths: Record<string, Record<string, unknown>> }).paths[p]?.[m]).map((m) => `${m.toUpperCase()} ${p}`));
  console.log(`wrote ${target}${missing.length ? `; not in this spec (see privacy-redaction-jobs.json): ${missing.join(', ')}` : ''}`);
}
