/**
 * The API contract, checked on every call the tests make: docs/openapi.yaml is the promise, and a request
 * or an answer it does not describe fails the test that made it. The end-to-end helper
 * (test/support/runtime.ts `api`) and the handler tests' wrapper (test/functions/handlers/support.ts
 * `checked`, which `answer` insists on) call these, so no test has to remember to.
 *
 * Checked: the route (path template and method) is documented; the status is declared for that
 * operation; the answer's body is valid against the declared schema with the declared content type (and
 * is empty where no content is declared); a request body is valid against the operation's requestBody,
 * or else (a test sending a malformed body on purpose) the answer must be a 4xx: a body the document
 * rejects and the handler accepts is drift, whichever of the two is wrong.
 * The schemas are validated by ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) with formats.
 *
 * Stricter than the document on one point: an object schema that lists its `properties` is read here as
 * closed (`additionalProperties: false` unless it says otherwise). The document stays open so that
 * integrators ignore fields added later, but every field the API answers today must be documented: a
 * field added to a handler and not to docs/openapi.yaml fails the tests that see it.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { parse } from 'yaml';

export const OPENAPI_PATH = new URL('../../docs/openapi.yaml', import.meta.url);
const DOC_ID = 'https://dsar.invalid/openapi.yaml';

interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  $ref?: string;
  description?: string;
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId?: string;
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, unknown>>;
}

export const openapi = parse(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;

// ajv-formats is CommonJS: imported from ESM, the plugin is the `default` of its module.exports.
const addFormats = ajvFormats.default;
// The whole document is registered once under an id, so `#/components/...` references inside any of its
// schemas resolve as they do for an OpenAPI tool; OpenAPI's own keywords (`example`) are annotations.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
ajv.addSchema({ ...(closed(structuredClone(openapi)) as object), $id: DOC_ID });
const validators = new Map<string, ValidateFunction>();

/** Closes every object schema that lists its properties and says nothing of others (see the top of the file). */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) node.forEach(closed);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object' && o.additionalProperties === undefined && o.patternProperties === undefined) o.additionalProperties = false;
    Object.values(o).forEach(closed);
  }
  return node;
}

function pointer(...segments: string[]): string {
  return `#/${segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

/** A validator for the schema at a JSON pointer inside the document (compiled once). */
function schemaAt(ptr: string): ValidateFunction {
  let v = validators.get(ptr);
  if (!v) {
    v = ajv.compile({ $ref: `${DOC_ID}${ptr}` });
    validators.set(ptr, v);
  }
  return v;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');
}

function resolve<T>(obj: T & { $ref?: string }): { value: T; at: string | undefined } {
  if (!obj.$ref) return { value: obj, at: undefined };
  const parts = obj.$ref.replace(/^#\//, '').split('/');
  let cur: unknown = openapi;
  for (const p of parts) cur = (cur as Record<string, unknown>)[p.replaceAll('~1', '/').replaceAll('~0', '~')];
  return { value: cur as T, at: obj.$ref };
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

interface Match {
  template: string;
  method: string;
  operation: Operation;
}

const templates = Object.keys(openapi.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}/?$`),
  // A literal segment beats a parameter (`/requests/{id}/pause` before `/requests/{id}/{action}`), as in
  // OpenAPI's own matching rule and API Gateway's.
  params: (template.match(/\{/g) ?? []).length,
}));

/** The documented operation for a concrete path (query string allowed) and method, or a violation. */
export function operationFor(method: string, path: string): Match {
  const pathname = new URL(path, 'http://x').pathname;
  const found = templates.filter((t) => t.pattern.test(pathname)).sort((a, b) => a.params - b.params);
  if (!found.length) throw new ContractViolation(`${method} ${pathname}: no such path in docs/openapi.yaml`);
  for (const t of found) {
    const operation = openapi.paths[t.template]![method.toLowerCase()];
    if (operation) return { template: t.template, method: method.toLowerCase(), operation };
  }
  throw new ContractViolation(`${method} ${pathname}: the method is not documented for ${found[0]!.template}`);
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/**
 * Checks a request body a test sends. `body` is the text on the wire (undefined for none). A test that
 * sends a malformed body on purpose does not call this (see the `malformed` opt-outs of the helpers).
 */
export function checkRequest(method: string, path: string, body: string | undefined, contentType: string | undefined): void {
  const { template, operation } = operationFor(method, path);
  const where = `${method} ${template} request`;
  const declared = operation.requestBody;
  if (body === undefined || body === '') {
    if (declared?.required) throw new ContractViolation(`${where}: the document requires a body and none was sent`);
    return;
  }
  if (!declared?.content) throw new ContractViolation(`${where}: a body was sent but the document declares none`);
  const type = mediaType(contentType);
  if (!type || !declared.content[type]) throw new ContractViolation(`${where}: content type ${contentType} is not one of ${Object.keys(declared.content).join(', ')}`);
  if (type !== 'application/json') return;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ContractViolation(`${where}: the body is not JSON (mark the call malformed if that is the point)`);
  }
  const validate = schemaAt(pointer('paths', template, method.toLowerCase(), 'requestBody', 'content', type, 'schema'));
  if (!validate(json)) throw new ContractViolation(`${where}: body does not match the document: ${describeErrors(validate.errors)} in ${body.slice(0, 300)}`);
}

/** Checks an answer against the operation's declared responses. `body` is the text of the answer. */
export function checkResponse(method: string, path: string, status: number, contentType: string | undefined, body: string): void {
  const { template, operation } = operationFor(method, path);
  const where = `${method} ${template} answered ${status}`;
  const responses = operation.responses ?? {};
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => responses[k]);
  if (!key) throw new ContractViolation(`${where}, a status the document does not declare (declared: ${Object.keys(responses).join(', ')}); body: ${body.slice(0, 300)}`);
  const { value: response, at } = resolve(responses[key]!);
  const base = at ? at.replace(/^#\//, '').split('/') : ['paths', template, method.toLowerCase(), 'responses', key];
  if (!response.content) {
    if (body !== '') throw new ContractViolation(`${where} with a body, but the document declares no content: ${body.slice(0, 300)}`);
    return;
  }
  const type = mediaType(contentType);
  if (!type || !response.content[type]) throw new ContractViolation(`${where} with content type ${contentType}, not one of ${Object.keys(response.content).join(', ')}`);
  let value: unknown = body;
  if (type === 'application/json') {
    try {
      value = JSON.parse(body);
    } catch {
      throw new ContractViolation(`${where} with a body that is not JSON: ${body.slice(0, 300)}`);
    }
  }
  if (!response.content[type]!.schema) return;
  const validate = schemaAt(pointer(...base, 'content', type, 'schema'));
  if (!validate(value)) throw new ContractViolation(`${where}: body does not match the document: ${describeErrors(validate.errors)} in ${body.slice(0, 500)}`);
}

export interface Exchange {
  method: string;
  /** The path as called, with or without its query string. */
  path: string;
  requestBody: string | undefined;
  requestContentType: string | undefined;
  status: number;
  responseContentType: string | undefined;
  responseBody: string;
}

/** Checks one call, request and answer (see the top of this file); throws a ContractViolation. */
export function checkExchange(x: Exchange): void {
  let refused: ContractViolation | undefined;
  try {
    checkRequest(x.method, x.path, x.requestBody, x.requestContentType);
  } catch (err) {
    if (!(err instanceof ContractViolation) || /no such path|method is not documented/.test(err.message)) throw err;
    refused = err;
  }
  checkResponse(x.method, x.path, x.status, x.responseContentType, x.responseBody);
  if (refused && (x.status < 400 || x.status >= 500)) {
    throw new ContractViolation(`${refused.message}; yet the API answered ${x.status}, not a 4xx`);
  }
}
