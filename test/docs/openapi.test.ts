import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions.ts';
import { openapi } from '../support/contract.ts';

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const routes = FUNCTIONS.flatMap((spec) => (spec.routes ?? []).map((route) => ({ ...route, method: route.method.toLowerCase() })));

describe('the OpenAPI document', () => {
  it('describes every route the functions serve, with its method', () => {
    for (const route of routes) {
      expect({ route: route.path, method: route.method, documented: Boolean(openapi.paths[route.path]?.[route.method]) }).toEqual({
        route: route.path,
        method: route.method,
        documented: true,
      });
    }
  });

  it('documents no route that does not exist', () => {
    const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const documented = Object.entries(openapi.paths).flatMap(([path, methods]) => Object.keys(methods).filter((m) => METHODS.has(m)).map((m) => `${m} ${path}`));
    expect(documented.filter((d) => !served.has(d))).toEqual([]);
  });

  it('marks the staff routes as needing the staff token, and the public routes as needing none', () => {
    for (const route of routes) {
      const security = (openapi.paths[route.path]?.[route.method] as { security?: unknown } | undefined)?.security;
      expect({ route: route.path, security }).toEqual({ route: route.path, security: route.staff ? [{ staff: [] }] : [] });
    }
  });
});
