import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorAuthFailed, ConnectorIncompleteAnswer, ConnectorMisconfigured, ConnectorThrottled, ConnectorUnavailable } from '#connectors/errors';
import { createSaasConnector } from '#connectors/saas';
import { ALICE } from '../../../infra/local/demo/people.ts';
import { startSandboxes, type Sandboxes } from '../../../infra/local/sandboxes/index.ts';
import { QUOTED, collect, countRequests, ctx, depsFor, gaSettings, policies, saasConfig, subjectOf } from './support.ts';

let sb: Sandboxes;

beforeAll(async () => {
  sb = await startSandboxes({ crowd: 50, extraPeople: [{ email: QUOTED, name: "Siobhan O'Brien" }] });
});
afterAll(() => sb.close());
afterEach(() => sb.faults.reset());

const connector = (settings: Record<string, unknown> = {}, deps = depsFor(sb)) =>
  createSaasConnector(
    saasConfig('google-analytics', sb.urls.googleAnalytics, { ...gaSettings(sb, 20), ...settings }),
    deps,
  );

describe('Google Analytics 4 connector', () => {
  it('reports GA as a recipient holding alice’s user id and client id', async () => {
    expect(await collect(connector().access(subjectOf('Alice@example.com'), ctx))).toEqual([
      {
        object: 'recipient',
        id: 'google-analytics',
        data: {
          recipient: 'Google Analytics 4',
          property: `properties/${sb.settings.googleAnalytics.propertyId}`,
          identifiers: { userId: [ALICE.gaUserId], clientId: [ALICE.gaClientId] },
        },
        origin: 'observed',
      },
    ]);
  });

  it('yields nothing and reports not found for someone without a GA id', async () => {
    const c = connector();
    expect(await collect(c.access(subjectOf('bob@example.com'), ctx))).toEqual([]);
    expect((await c.erase(subjectOf('carol@example.com'), policies({}), ctx)).items).toEqual([{ object: 'recipient', action: 'not_found', count: 0 }]);
  });

  it('submits a user deletion with a service-account token and is safe to repeat', async () => {
    const c = connector();
    const subject = subjectOf(QUOTED);
    const extra = sb.people.find((p) => p.email === QUOTED)!;
    expect(sb.stores.googleAnalytics.countFor(extra.gaUserId, extra.gaClientId)).toEqual({ events: expect.any(Number), clientEvents: expect.any(Number) });
    // Both identifiers, one request each: Google deletes only the identifier a request names.
    expect((await c.erase(subject, policies({}), ctx)).items).toEqual([
      { object: 'recipient', action: 'deleted', count: 2, completion: { vendor: 'Google', withinDays: 63 } },
    ]);
    expect(sb.stores.googleAnalytics.countFor(extra.gaUserId, extra.gaClientId)).toEqual({});
    expect(sb.stores.googleAnalytics.deletions.slice(-2).map((d) => [d.kind, d.id])).toEqual([
      ['userId', extra.gaUserId],
      ['clientId', extra.gaClientId],
    ]);
    expect((await c.erase(subject, policies({}), ctx)).items[0]?.action).toBe('deleted');
  });

  it('leaves the client id’s data when a configuration names only the user id, as Google does', async () => {
    const only = connector({ identifiers: undefined, userIdFrom: { connectorId: 'accounts', attribute: 'gaUserId' } });
    const bobish = sb.people.find((p) => p.systems.has('google-analytics') && p.index === 5)!;
    expect((await only.erase(subjectOf(bobish.email), policies({}), ctx)).items[0]).toMatchObject({ action: 'deleted', count: 1 });
    expect(sb.stores.googleAnalytics.countFor(bobish.gaUserId, bobish.gaClientId)).toEqual({ clientEvents: expect.any(Number) });
  });

  it('refuses a configuration with an identifier type Google does not know, naming what it needs', () => {
    expect(() => connector({ identifiers: [{ type: 'email', from: { connectorId: 'accounts', attribute: 'email' } }] })).toThrow(ConnectorMisconfigured);
  });

  it('mints a new token once after a 401', async () => {
    const c = connector();
    await c.erase(subjectOf('alice@example.com'), policies({}), ctx);
    sb.faults.set('google-analytics', { expireToken: true });
    const { count } = await countRequests('/token', () => c.erase(subjectOf('alice@example.com'), policies({}), ctx));
    expect(count).toBe(1);
  });

  it('reports a key the token endpoint rejects as an auth failure', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const creds = { ...sb.credentials['google-analytics']!, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const deps = depsFor(sb, { 'google-analytics': creds });
    await expect(connector({}, deps).erase(subjectOf('alice@example.com'), policies({}), ctx)).rejects.toBeInstanceOf(ConnectorAuthFailed);
  });

  it('retries RESOURCE_EXHAUSTED as 429 and as 403 after a short hint, and hands a long one on', async () => {
    sb.faults.set('google-analytics', { throttle: { count: 1, form: '429' } });
    await connector().erase(subjectOf('alice@example.com'), policies({}), ctx);
    sb.faults.set('google-analytics', { throttle: { count: 1, form: '403' } });
    await connector().erase(subjectOf('alice@example.com'), policies({}), ctx);
    sb.faults.set('google-analytics', { throttle: { count: 1, form: '403' } });
    const err = await connector({ quotaHintMs: 60_000 }).erase(subjectOf('alice@example.com'), policies({}), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorThrottled);
    expect((err as ConnectorThrottled).retryAfterMs).toBe(60_000);
  });

  it('surfaces a 5xx as unavailable and an unknown property as misconfigured', async () => {
    sb.faults.set('google-analytics', { failNext: { match: 'submitUserDeletion', status: 503, count: 1 } });
    await expect(connector().erase(subjectOf('alice@example.com'), policies({}), ctx)).rejects.toBeInstanceOf(ConnectorUnavailable);
    await expect(connector({ propertyId: '1' }).erase(subjectOf('alice@example.com'), policies({}), ctx)).rejects.toBeInstanceOf(ConnectorMisconfigured);
  });

  it('reports retained GA data with its basis when the policy keeps it', async () => {
    const keep = policies({ recipient: { action: 'retain', legalBasis: 'Aggregated statistics', retentionPeriod: '14 months' } });
    expect((await connector().erase(subjectOf('alice@example.com'), keep, ctx)).items[0]).toMatchObject({ action: 'retained', count: 2 });
  });

  it('fails an erasure whose deletion request GA answers without a deletionRequestTime: no acknowledgement, no proof', async () => {
    const before = sb.stores.googleAnalytics.deletions.length;
    sb.faults.set('google-analytics', { failNext: { match: 'submitUserDeletion', partial: 'no-results', count: 1 } });
    await expect(connector().erase(subjectOf('alice@example.com'), policies({}), ctx)).rejects.toThrow(
      new ConnectorIncompleteAnswer('google-analytics', 'POST submitUserDeletion answered without deletionRequestTime'),
    );
    expect(sb.stores.googleAnalytics.deletions.length).toBe(before);
  });
});
