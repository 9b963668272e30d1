import { afterEach, describe, expect, it, vi } from 'vitest';
import { emfDuring, lambdaContext } from '../support.ts';

// The test configuration disables metrics; Powertools reads the switch when the Metrics instance is made,
// so it is turned on before the handler (and its observability module) is imported.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});
const fakeCtx = vi.hoisted(() => ({ tag: 'test context' }));
const domain = vi.hoisted(() => ({
  reconcile: vi.fn(async (_ctx: unknown, _requestId: string, results: Array<{ connectorId: string; status: string }>) => {
    const failed = results.filter((r) => r.status === 'failed').map((r) => r.connectorId);
    return { hasFailures: failed.length > 0, failed };
  }),
}));
vi.mock('#domain/context', () => ({ appContext: () => fakeCtx }));
vi.mock('#domain/workflow/reconcile', () => ({ reconcile: domain.reconcile }));

const { handler } = await import('../../../../functions/handlers/workflow/reconcile.ts');

const ok = (connectorId: string) => ({ connectorId, status: 'succeeded', records: 1, objects: { a: 1 }, stagingKeys: {} });
const failed = (connectorId: string) => ({ connectorId, status: 'failed', error: { Error: 'ConnectorUnavailable', Cause: '{}' } });

afterEach(() => {
  vi.clearAllMocks();
});

describe('the Reconcile step', () => {
  it.each([
    ['a collect run', [ok('accounts'), failed('hubspot'), failed('stripe')], 2],
    ['an erase run', [{ ...ok('salesforce'), erasure: [{ object: 'Contact', action: 'deleted', count: 1 }] }, failed('calls')], 1],
    ['a run where nothing failed', [ok('accounts')], 0],
  ])('publishes ConnectorFailures (Count, namespace Dsar, service dsar) for %s', async (_what, results, expected) => {
    const docs = await emfDuring(() => handler({ requestId: 'dsar_abc12345', results }, lambdaContext()));

    const doc = docs.find((d) => 'ConnectorFailures' in d)!;
    expect(doc.ConnectorFailures).toBe(expected);
    expect(doc.service).toBe('dsar');
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('Dsar');
    expect(directive.Dimensions).toEqual([['service']]);
    expect(directive.Metrics).toContainEqual({ Name: 'ConnectorFailures', Unit: 'Count' });
  });

  it('returns what the domain step decided, for the Choice after it', async () => {
    const out = await handler({ requestId: 'dsar_abc12345', results: [failed('hubspot')] }, lambdaContext());

    expect(out).toEqual({ hasFailures: true, failed: ['hubspot'] });
    expect(domain.reconcile.mock.calls[0]![0]).toBe(fakeCtx);
  });
});
