import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions.ts';

const doc = readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8');
/** The path keys of the document (two-space indented under `paths:`). */
const documented = new Set([...doc.matchAll(/^ {2}(\/v1\/\S+):$/gm)].map((m) => m[1]));

describe('the OpenAPI document', () => {
  it('describes every route the functions serve, with its method', () => {
    for (const spec of FUNCTIONS) {
      for (const route of spec.routes ?? []) {
        expect({ route: route.path, documented: documented.has(route.path) }).toEqual({ route: route.path, documented: true });
        const block = doc.slice(doc.indexOf(`  ${route.path}:\n`)).split(/\n {2}\/v1\//)[0]!;
        expect({ route: route.path, method: block.includes(`    ${route.method.toLowerCase()}:`) }).toEqual({ route: route.path, method: true });
      }
    }
  });

  it('documents no route that does not exist', () => {
    const served = new Set(FUNCTIONS.flatMap((f) => (f.routes ?? []).map((r) => r.path)));
    expect([...documented].filter((p) => !served.has(p!))).toEqual([]);
  });

  it('marks the staff routes as needing the staff token, and no public route', () => {
    for (const spec of FUNCTIONS) {
      for (const route of spec.routes ?? []) {
        const block = doc.slice(doc.indexOf(`  ${route.path}:\n`)).split(/\n {2}\/v1\//)[0]!;
        expect({ route: route.path, staff: block.includes('security: [{ staff: [] }]') }).toEqual({ route: route.path, staff: Boolean(route.staff) });
      }
    }
  });
});
