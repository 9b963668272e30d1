import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { RequestError } from '#commons/errors';
import { ConnectorRegistry } from '#connectors/registry';
import { lambdaContext } from './support.ts';

const fakeCtx = vi.hoisted(() => ({ tag: 'test context' }));
const domain = vi.hoisted(() => ({
  actWithConnector: vi.fn(async (_ctx: unknown, _registry: unknown, requestId: string, connectorId: string, _progress?: unknown) => ({
    connectorId, status: 'succeeded', records: 1, objects: { account: 1 }, stagingKeys: {}, requestId,
  })),
  confirmErasure: vi.fn(async () => ({ confirmed: true, unconfirmed: [] })),
  sweepSubjectRetention: vi.fn(async () => ({ purged: 2, read: 3 })),
}));

vi.mock('#domain/context', () => ({ appContext: () => fakeCtx }));
vi.mock('#domain/workflow/act', () => ({ actWithConnector: domain.actWithConnector }));
vi.mock('#domain/workflow/confirm-erasure', () => ({ confirmErasure: domain.confirmErasure }));
vi.mock('#domain/retention/subjects', () => ({ sweepSubjectRetention: domain.sweepSubjectRetention }));

const { handler: erase } = await import('../../../functions/handlers/workflow/act.ts');
const { handler: confirm } = await import('../../../functions/handlers/workflow/confirm-erasure.ts');
const { handler: sweep } = await import('../../../functions/handlers/scheduled/retention-sweep.ts');
const { actionInput, validate } = await import('../../../functions/handlers/http.ts');

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Error);

beforeEach(() => {
  vi.stubEnv('DSAR_CREDENTIALS_FILE', '/nonexistent/credentials.json');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.clearAllMocks();
});

describe('the ActWithConnector step', () => {
  it.each([
    ['no connector', { requestId: 'dsar_abc12345' }, 'connectorId'],
    ['an empty request id', { requestId: '', connectorId: 'accounts' }, 'requestId'],
    ['no input at all', null, ''],
  ])('rejects input with %s as InvalidStepInput, without acting', async (_what, input, field) => {
    const err = await failure(erase(input, lambdaContext()));

    expect(err.name).toBe('InvalidStepInput');
    expect(err.message).toContain(field);
    expect(domain.actWithConnector).not.toHaveBeenCalled();
  });

  it('acts with the parsed request and connector, and returns the step’s result', async () => {
    const out = await erase({ requestId: 'dsar_abc12345', connectorId: 'accounts', extra: 'dropped' }, lambdaContext());

    expect(out).toMatchObject({ connectorId: 'accounts', status: 'succeeded' });
    const [ctx, registry, requestId, connectorId] = domain.actWithConnector.mock.calls[0]!;
    expect(ctx).toBe(fakeCtx);
    expect(registry).toBeInstanceOf(ConnectorRegistry);
    expect([requestId, connectorId]).toEqual(['dsar_abc12345', 'accounts']);
  });

  it('hands the throttle counters the Map carries over to the step', async () => {
    await erase({ requestId: 'dsar_abc12345', connectorId: 'hubspot', throttleWaits: 2, waitedSeconds: 7200 }, lambdaContext());

    expect(domain.actWithConnector.mock.calls[0]![4]).toEqual({ throttleWaits: 2, waitedSeconds: 7200 });
  });

  it("throws a hinted throttle as VendorThrottled, whose message the Map's wait loop reads back", async () => {
    domain.actWithConnector.mockResolvedValueOnce({ connectorId: 'hubspot', status: 'throttled', waitSeconds: 30, throttleWaits: 1, waitedSeconds: 30 } as never);

    const err = await failure(erase({ requestId: 'dsar_abc12345', connectorId: 'hubspot' }, lambdaContext()));

    expect(err.name).toBe('VendorThrottled');
    expect(JSON.parse(err.message)).toEqual({ waitSeconds: 30, throttleWaits: 1, waitedSeconds: 30 });
  });

  it('keeps one registry across invocations of a warm function', async () => {
    await erase({ requestId: 'dsar_abc12345', connectorId: 'accounts' }, lambdaContext());
    await erase({ requestId: 'dsar_abc12345', connectorId: 'calls' }, lambdaContext());

    const [first, second] = domain.actWithConnector.mock.calls.map((c) => c[1]);
    expect(second).toBe(first);
  });
});

describe('the ConfirmErasure step', () => {
  it('rejects input without a request id as InvalidStepInput, without reading anything', async () => {
    const err = await failure(confirm({ connectorId: 'accounts' }, lambdaContext()));

    expect(err.name).toBe('InvalidStepInput');
    expect(err.message).toContain('requestId');
    expect(domain.confirmErasure).not.toHaveBeenCalled();
  });

  it('confirms the parsed request and returns whether it was confirmed', async () => {
    const out = await confirm({ requestId: 'dsar_abc12345' }, lambdaContext());

    expect(out).toEqual({ confirmed: true, unconfirmed: [] });
    expect(domain.confirmErasure).toHaveBeenCalledWith(fakeCtx, expect.any(ConnectorRegistry), 'dsar_abc12345');
  });
});

describe('the retention sweep', () => {
  it('sweeps the configured table as of now and returns the counts', async () => {
    vi.stubEnv('DSAR_TABLE', 'dsar-requests');
    const before = Date.now();

    const out = await sweep({}, lambdaContext());

    expect(out).toEqual({ purged: 2, read: 3 });
    const [, table, now] = domain.sweepSubjectRetention.mock.calls[0]! as unknown as [unknown, string, Date];
    expect(table).toBe('dsar-requests');
    expect(now.getTime()).toBeGreaterThanOrEqual(before);
    expect(now.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('fails, naming the variable, when the table is not configured', async () => {
    vi.stubEnv('DSAR_TABLE', '');

    await expect(sweep({}, lambdaContext())).rejects.toThrow('DSAR_TABLE');
    expect(domain.sweepSubjectRetention).not.toHaveBeenCalled();
  });
});

describe('staff action bodies', () => {
  const bodies = {
    approve: z.strictObject({ confirmRequestId: z.string().optional() }),
    'accept-partial': z.strictObject({ reason: z.string().trim().min(1, 'reason is required') }),
  };

  it('passes the body of a known action through, parsed', () => {
    expect(actionInput(bodies, 'approve', { confirmRequestId: 'dsar_abc12345' })).toEqual({ confirmRequestId: 'dsar_abc12345' });
    expect(actionInput(bodies, 'approve', undefined)).toEqual({});
    expect(actionInput(bodies, 'accept-partial', { reason: '  archive offline ' })).toEqual({ reason: 'archive offline' });
  });

  it('answers 404 for an unknown action, naming the known ones, even one inherited from Object', () => {
    for (const action of ['erase', 'toString', '__proto__']) {
      const err = (() => { try { actionInput(bodies, action, {}); } catch (e) { return e; } })() as RequestError;
      expect(err).toBeInstanceOf(RequestError);
      expect(err.status).toBe(404);
      expect(err.code).toBe('unknown_action');
      expect(err.message).toContain('approve, accept-partial');
    }
  });

  it('answers 400 naming each field that is wrong', () => {
    const err = (() => { try { actionInput(bodies, 'accept-partial', { reason: ' ', extra: 1 }); } catch (e) { return e; } })() as RequestError;

    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_request');
    expect(err.message).toContain('reason: reason is required');
    expect(err.message).toContain('extra');
    expect((err.details as { issues: string[] }).issues).toHaveLength(2);
  });

  it('validate uses the code it is given and calls a whole-body problem “body”', () => {
    const err = (() => { try { validate(z.object({ a: z.string() }), 'text', 'bad_input'); } catch (e) { return e; } })() as RequestError;

    expect(err.code).toBe('bad_input');
    expect(err.message).toMatch(/^body: /);
  });
});
