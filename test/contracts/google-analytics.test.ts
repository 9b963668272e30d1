/**
 * The Google Analytics connector and sandbox against Google's published reference for
 * `properties.submitUserDeletion` (Admin API v1alpha), the Google API error format and the OAuth token
 * response, as written down in test/contracts/google-analytics/submit-user-deletion.json (Google publishes
 * no OpenAPI spec; the fixture cites its sources). Every request must be that method with a body that
 * sets exactly one identifier of the union and nothing else; every answer must have the documented shape.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSaasConnector } from '#connectors/saas';
import { startSandboxes, type Sandboxes } from '../../infra/local/sandboxes/index.ts';
import { collect, ctx, depsFor, gaSettings, policies, saasConfig, subjectOf } from '../functions/connectors/support.ts';
import { recordExchanges, type Exchange } from './support/openapi3.ts';

type Json = Record<string, unknown>;
const here = dirname(fileURLToPath(import.meta.url));
const doc = JSON.parse(readFileSync(join(here, 'google-analytics', 'submit-user-deletion.json'), 'utf8')) as {
  resources: { properties: { methods: { submitUserDeletion: { httpMethod: string; flatPath: string } } } };
  schemas: Record<string, Json & { properties: Record<string, Json>; 'x-union'?: string[] }>;
};
const method = doc.resources.properties.methods.submitUserDeletion;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
// Discovery's `google-datetime` is an RFC 3339 timestamp.
ajv.addFormat('google-datetime', { type: 'string', validate: (v: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) });

/** A discovery schema as JSON Schema: its fields only (Google rejects unknown names), a union exactly one. */
function jsonSchema(name: string, required: string[] = []): Json {
  const s = doc.schemas[name]!;
  const union = s['x-union'];
  return {
    type: 'object',
    properties: s.properties,
    additionalProperties: false,
    required,
    ...(union ? { oneOf: union.map((k) => ({ required: [k] })) } : {}),
  };
}
const request = ajv.compile(jsonSchema('GoogleAnalyticsAdminV1alphaSubmitUserDeletionRequest'));
const response = ajv.compile(jsonSchema('GoogleAnalyticsAdminV1alphaSubmitUserDeletionResponse', ['deletionRequestTime']));
const error = ajv.compile({ ...jsonSchema('GoogleRpcStatusError', ['error']), properties: { error: { ...doc.schemas.GoogleRpcStatusError!.properties.error, required: ['code', 'message', 'status'] } } });
const token = ajv.compile({ ...jsonSchema('OAuthTokenResponse', ['access_token', 'token_type', 'expires_in']), additionalProperties: true });
const flat = new RegExp(`^/${method.flatPath.replace('{propertiesId}', '[^/:]+')}$`);

function problems(ex: Exchange): string[] {
  const url = new URL(ex.url);
  const errs = (fn: typeof request) => (fn.errors ?? []).map((e) => `${url.pathname} ${ex.status}: ${e.instancePath || '/'} ${e.message}`);
  if (url.pathname === '/token') {
    // The OAuth token endpoint (RFC 6749 5.1 success; its errors are OAuth's own `error` codes).
    return ex.status === 200 && !token(ex.responseBody) ? errs(token) : [];
  }
  if (ex.method !== method.httpMethod || !flat.test(url.pathname) || url.search) return [`${ex.method} ${url.pathname}${url.search}: not properties.submitUserDeletion`];
  const out: string[] = [];
  if (!request(ex.requestBody)) out.push(...errs(request));
  if (ex.status === 200 ? !response(ex.responseBody) : !error(ex.responseBody)) out.push(...errs(ex.status === 200 ? response : error));
  return out;
}

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes({ crowd: 20 });
});
afterAll(() => sb.close());
afterEach(() => sb.faults.reset());

const connector = (settings: Record<string, unknown> = {}) =>
  createSaasConnector(
    saasConfig('google-analytics', sb.urls.googleAnalytics, { ...gaSettings(sb, 10), ...settings }),
    depsFor(sb),
  );

describe('Google Analytics connector and sandbox against Google’s published reference', () => {
  it('submits one deletion per identifier, each a body with exactly one identifier, and gets the documented acknowledgement', async () => {
    const { exchanges } = await recordExchanges(sb.urls.googleAnalytics, async () => {
      await connector().erase(subjectOf('alice@example.com'), policies({}), ctx);
      await collect(connector().access(subjectOf('alice@example.com'), ctx));
    });
    const deletions = exchanges.filter((ex) => ex.url.includes(':submitUserDeletion'));
    expect(deletions.map((ex) => Object.keys(ex.requestBody as Json))).toEqual([['userId'], ['clientId']]);
    expect(exchanges.flatMap(problems)).toEqual([]);
  });

  it('gets throttling, an unknown property and a server failure answered in Google’s error format', async () => {
    const { exchanges } = await recordExchanges(sb.urls.googleAnalytics, async () => {
      sb.faults.set('google-analytics', { throttle: { count: 1, form: '429' } });
      await connector().erase(subjectOf('alice@example.com'), policies({}), ctx);
      sb.faults.reset();
      await connector({ propertyId: '1' }).erase(subjectOf('alice@example.com'), policies({}), ctx).catch(() => undefined);
      sb.faults.set('google-analytics', { failNext: { match: 'submitUserDeletion', status: 503, count: 1 } });
      await connector().erase(subjectOf('alice@example.com'), policies({}), ctx).catch(() => undefined);
    });
    expect(exchanges.map((ex) => ex.status)).toEqual(expect.arrayContaining([429, 404, 503]));
    expect(exchanges.flatMap(problems)).toEqual([]);
  });

  it('refuses, in the sandbox as at Google, a body with two identifiers or none', async () => {
    const headers = { authorization: `Bearer ${await mintToken()}`, 'content-type': 'application/json' };
    const url = `${sb.urls.googleAnalytics}/v1alpha/properties/${sb.settings.googleAnalytics.propertyId}:submitUserDeletion`;
    for (const body of [{ userId: 'a', clientId: 'b' }, {}]) {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
      const answer = (await res.json()) as unknown;
      expect(res.status).toBe(400);
      expect(error(answer)).toBe(true);
      expect(request(body)).toBe(false);
    }
  });
});

/** A token from the sandbox through the connector's own flow (recorded, so its shape is checked too). */
async function mintToken(): Promise<string> {
  const { exchanges } = await recordExchanges(sb.urls.googleAnalytics, () => connector().erase(subjectOf('alice@example.com'), policies({}), ctx));
  const minted = exchanges.find((ex) => new URL(ex.url).pathname === '/token');
  expect(minted && problems(minted)).toEqual([]);
  return (minted!.responseBody as { access_token: string }).access_token;
}
