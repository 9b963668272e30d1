/**
 * Checks HTTP exchanges against OpenAPI 3.0 documents (a vendor's, or one we wrote): each request must
 * match an operation (method and path template, path parameters valid against their schemas, query
 * parameters the operation declares, a JSON body valid against its request schema), and each response
 * body must be valid against the schema the operation gives for
 * that status (or its `default`). Validation is ajv with formats; OpenAPI's `example`/`x-*` keywords are
 * annotations, so strict mode is off.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

type Json = Record<string, unknown>;

export interface Exchange {
  method: string;
  url: string;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
}

export interface Operation {
  spec: string;
  method: string;
  template: string;
  pattern: RegExp;
  /** Names of the template's path parameters, in the order `pattern` captures them. */
  pathNames: string[];
  literalSegments: number;
  parameters: Parameter[];
  op: Json;
}

/** ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped once more. */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

export class OpenApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly operations: Operation[] = [];
  private readonly cache = new Map<string, ValidateFunction>();

  /**
   * Every `*.json` OpenAPI document in `source` (a folder), or that one document (a `.json` file);
   * `aliases` rewrites request path segments (`deals` -> `0-3`).
   */
  constructor(
    source: string,
    private readonly aliases: Record<string, string> = {},
  ) {
    addFormats(this.ajv);
    // OpenAPI's int32/int64 are number formats ajv-formats knows; nothing else here needs one.
    const files = source.endsWith('.json') ? [[basename(source), source]] : readdirSync(source).filter((f) => f.endsWith('.json')).map((f) => [f, join(source, f)]);
    for (const [file, path] of files as Array<[string, string]>) {
      const doc = JSON.parse(readFileSync(path, 'utf8')) as Json;
      this.ajv.addSchema({ $id: file, components: doc.components ?? {} } as Json);
      for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
        // Parameters of the path item apply to each of its operations, which may override them by name.
        const shared = (item.parameters ?? []) as Parameter[];
        for (const [method, op] of Object.entries(item)) {
          if (method === 'parameters') continue;
          const own = ((op as Json).parameters ?? []) as Parameter[];
          const parameters = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
          const segments = template.split('/');
          const pattern = new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? '([^/]+)' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}$`);
          const pathNames = segments.filter((s) => /^\{.+\}$/.test(s)).map((s) => s.slice(1, -1));
          this.operations.push({ spec: file, method: method.toUpperCase(), template, pattern, pathNames, literalSegments: segments.filter((s) => !s.startsWith('{')).length, parameters, op: op as Json });
        }
      }
    }
  }

  /** The operations of the documents, in document order. */
  get all(): readonly Operation[] {
    return this.operations;
  }

  /** The decoded values of an operation's path parameters in a request path. */
  pathParameters(op: Operation, path: string): Record<string, string> {
    const match = op.pattern.exec(this.aliased(path));
    return Object.fromEntries(op.pathNames.map((name, i) => [name, decodeURIComponent(match?.[i + 1] ?? '')]));
  }

  private aliased(path: string): string {
    return path.split('/').map((s) => this.aliases[s] ?? s).join('/');
  }

  get size(): number {
    return this.operations.length;
  }

  /** The operation an exchange is, or undefined: literal segments win over parameters, as routers do. */
  operationOf(method: string, path: string): Operation | undefined {
    const aliased = this.aliased(path);
    return this.operations
      .filter((o) => o.method === method.toUpperCase() && o.pattern.test(aliased))
      .sort((a, b) => b.literalSegments - a.literalSegments)[0];
  }

  /** What is wrong with an exchange against the specs; empty when it matches. */
  problems(ex: Exchange): string[] {
    const url = new URL(ex.url);
    const label = `${ex.method} ${url.pathname}`;
    const op = this.operationOf(ex.method, url.pathname);
    if (!op) return [`${label}: no operation in the contract`];
    const out: string[] = [];
    const params = op.parameters;
    // A path parameter with a schema (an enum of object types, say) is checked like any other value.
    for (const [name, value] of Object.entries(this.pathParameters(op, url.pathname))) {
      const schema = params.find((p) => p.in === 'path' && p.name === name)?.schema;
      if (schema) out.push(...this.validate(op.spec, schema, value).map((e) => `${label}: path parameter ${name} ${JSON.stringify(value)}: ${e}`));
    }
    for (const name of new Set(url.searchParams.keys())) {
      if (!params.some((p) => p.in === 'query' && p.name === name)) out.push(`${label}: query parameter ${name} is not declared by ${op.template}`);
    }
    for (const p of params.filter((p) => p.in === 'query' && p.required)) {
      if (!url.searchParams.has(p.name)) out.push(`${label}: required query parameter ${p.name} missing`);
    }
    const requestBody = op.op.requestBody as { required?: boolean; content?: Record<string, { schema?: Json }> } | undefined;
    if (ex.requestBody !== undefined) {
      const schema = requestBody?.content?.['application/json']?.schema;
      if (!schema) out.push(`${label}: sends a JSON body ${op.template} does not take`);
      else out.push(...this.validate(op.spec, schema, ex.requestBody).map((e) => `${label} request: ${e}`));
    } else if (requestBody?.required) {
      out.push(`${label}: ${op.template} requires a body`);
    }
    const responses = op.op.responses as Record<string, Json>;
    const declared = responses[String(ex.status)] ?? responses.default;
    if (!declared) return [...out, `${label}: status ${ex.status} is not a response of ${op.template}`];
    const schema = this.responseSchema(op.spec, declared);
    if (schema && ex.responseBody !== undefined) out.push(...this.validate(op.spec, schema, ex.responseBody).map((e) => `${label} ${ex.status}: ${e}`));
    if (!schema && ex.responseBody !== undefined && ex.responseBody !== '') out.push(`${label} ${ex.status}: a body where the spec declares none`);
    return out;
  }

  private responseSchema(spec: string, declared: Json): Json | undefined {
    let response = declared;
    if (typeof response.$ref === 'string') {
      const [, , section, name] = response.$ref.split('/');
      response = ((this.ajv.getSchema(spec)?.schema as Json).components as Record<string, Json>)[section!]![name!] as Json;
    }
    const content = (response.content ?? {}) as Record<string, { schema?: Json }>;
    return (content['application/json'] ?? content['*/*'])?.schema;
  }

  private validate(spec: string, schema: Json, value: unknown): string[] {
    const key = `${spec}\u0000${JSON.stringify(schema)}`;
    let fn = this.cache.get(key);
    if (!fn) {
      // A schema that is only a $ref points into its own document; an inline one resolves refs against it.
      const rooted = typeof schema.$ref === 'string' && Object.keys(schema).length === 1 ? { $ref: `${spec}${schema.$ref}` } : (rewriteRefs(schema, spec) as Json);
      fn = this.ajv.compile(rooted);
      this.cache.set(key, fn);
    }
    return fn(value) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  }
}

function rewriteRefs(value: unknown, spec: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, spec));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${spec}${v}` : rewriteRefs(v, spec)]));
  }
  return value;
}

/**
 * Records every exchange `fetch` makes to a base URL while `run` runs (the connectors call the global
 * fetch), with parsed JSON bodies. Restores fetch afterwards.
 */
export async function recordExchanges<T>(baseUrl: string, run: () => Promise<T>): Promise<{ result: T; exchanges: Exchange[] }> {
  const original = globalThis.fetch;
  const exchanges: Exchange[] = [];
  globalThis.fetch = async (input, init) => {
    const res = await original(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(baseUrl)) return res;
    const text = await res.clone().text();
    const body = typeof init?.body === 'string' ? init.body : undefined;
    // JSON where it is JSON; a form body (an OAuth token request) stays text.
    const parse = (t: string | undefined): unknown => {
      if (!t) return undefined;
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return t;
      }
    };
    exchanges.push({ method: (init?.method ?? 'GET').toUpperCase(), url, requestBody: parse(body), status: res.status, responseBody: parse(text) });
    return res;
  };
  try {
    return { result: await run(), exchanges };
  } finally {
    globalThis.fetch = original;
  }
}
