/** Where CloudFront fronts the API, a call that did not come through it is refused before anything runs. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpHandler } from '../../../functions/handlers/http.ts';
import { EDGE_SECRET_HEADER } from '../../../functions/handlers/edge-only.ts';
import { answer, apiEvent, lambdaContext, offContract } from './support.ts';

let ran = 0;
const route = offContract(
  httpHandler({}, async () => {
    ran++;
    return { status: 202, body: { ok: true } };
  }),
);
const call = async (headers: Record<string, string> = {}) => answer(await route(apiEvent({ headers }), lambdaContext()));

afterEach(() => {
  vi.unstubAllEnvs();
  ran = 0;
});

describe('an API behind CloudFront (DSAR_EDGE_SECRET set by the stack)', () => {
  it('serves a call that carries the origin secret CloudFront adds', async () => {
    vi.stubEnv('DSAR_EDGE_SECRET', 's3cret-from-secrets-manager');

    const res = await call({ 'X-Dsar-Origin-Verify': 's3cret-from-secrets-manager' });

    expect(res.statusCode).toBe(202);
    expect(ran).toBe(1);
  });

  it('refuses a call straight to the API endpoint, or with a wrong secret, with a JSON 403 and runs nothing', async () => {
    vi.stubEnv('DSAR_EDGE_SECRET', 's3cret-from-secrets-manager');

    for (const headers of [{}, { [EDGE_SECRET_HEADER]: 's3cret' }, { [EDGE_SECRET_HEADER]: 's3cret-from-secrets-manageR' }] as Array<Record<string, string>>) {
      const res = await call(headers);
      expect(res.statusCode).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'edge_only' });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(ran).toBe(0);
  });
});

describe('an API without a distribution in front (no secret configured, the embedded runtime)', () => {
  it('serves every call', async () => {
    expect((await call()).statusCode).toBe(202);
  });
});
