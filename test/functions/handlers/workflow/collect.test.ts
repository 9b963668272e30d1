import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../support.ts';

const domain = vi.hoisted(() => ({
  collect: vi.fn(async (_ctx: unknown, _registry: unknown, _requestId: string, connectorId: string, _progress?: unknown): Promise<Record<string, unknown>> => ({
    connectorId, status: 'succeeded', records: 2, objects: { charges: 2 }, stagingKeys: {},
  })),
}));

vi.mock('#domain/context', () => ({ appContext: () => ({ config: { connectors: [] } }) }));
vi.mock('#domain/workflow/collect', () => ({ collect: domain.collect }));

const { handler } = await import('../../../../functions/handlers/workflow/collect.ts');

beforeEach(() => {
  vi.stubEnv('DSAR_CREDENTIALS_FILE', '/nonexistent/credentials.json');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.clearAllMocks();
});

describe('the collect step', () => {
  it("returns the step's result, which is the Map iteration's output", async () => {
    const out = await handler({ requestId: 'dsar_abc12345', connectorId: 'stripe', throttleWaits: 1, waitedSeconds: 60 }, lambdaContext());

    expect(out).toEqual({ connectorId: 'stripe', status: 'succeeded', records: 2, objects: { charges: 2 }, stagingKeys: {} });
    expect(domain.collect.mock.calls[0]![4]).toEqual({ throttleWaits: 1, waitedSeconds: 60 });
  });

  it("throws a hinted throttle as VendorThrottled, whose message the Map's wait loop reads back", async () => {
    domain.collect.mockResolvedValueOnce({ connectorId: 'stripe', status: 'throttled', waitSeconds: 120, throttleWaits: 2, waitedSeconds: 180 });

    const err = await handler({ requestId: 'dsar_abc12345', connectorId: 'stripe' }, lambdaContext()).then(
      () => undefined,
      (e: Error) => e,
    );

    expect(err?.name).toBe('VendorThrottled');
    expect(JSON.parse(err!.message)).toEqual({ waitSeconds: 120, throttleWaits: 2, waitedSeconds: 180 });
  });
});
