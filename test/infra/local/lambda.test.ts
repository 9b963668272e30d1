import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { FunctionSpec } from '../../../infra/functions.ts';
import { lambdaContext, loadHandlers } from '../../../infra/local/lambda.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const spec = (id: string): FunctionSpec => ({
  id,
  entry: 'test/infra/local/fixtures/logging-handler.ts',
  grants: [],
  timeoutSeconds: 15,
  memoryMb: 128,
});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('loadHandlers', () => {
  it('labels each log line with the function that wrote it while two functions run at once', async () => {
    // The tests log errors only; the logger is created when loadHandlers imports the fixture, below.
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const lines: Array<Record<string, any>> = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, any>);
      return true;
    });
    const specs = [spec('create-request'), spec('verify-request')];
    const handlers = await loadHandlers(ROOT, specs);
    const first = gate();
    const second = gate();

    // create-request starts, then verify-request starts (and sets its context), then create-request logs again.
    const a = handlers.get('create-request')!({ step: 'a', goOn: first.opened }, lambdaContext(specs[0]!, 'eu-north-1'));
    const b = handlers.get('verify-request')!({ step: 'b', goOn: second.opened }, lambdaContext(specs[1]!, 'eu-north-1'));
    first.open();
    await a;
    second.open();
    await b;

    const logged = lines.filter((l) => l.step).map((l) => [l.step, l.message, l.function_name]);
    expect(logged).toEqual([
      ['a', 'started', 'dsar-create-request'],
      ['b', 'started', 'dsar-verify-request'],
      ['a', 'finished', 'dsar-create-request'],
      ['b', 'finished', 'dsar-verify-request'],
    ]);
    const requestIds = new Set(lines.filter((l) => l.step).map((l) => `${l.step} ${l.function_request_id}`));
    expect(requestIds.size).toBe(2);
  });
});
