/**
 * The heap flags of the functions that build access packages (issue 18, docs/benchmarks.md "Package
 * assembly"): Lambda passes them to Node through NODE_OPTIONS, which Node reads only for the options it
 * allows there, so the test also starts Node with exactly that variable. Bundling is skipped
 * (stack.test.ts checks the bundles).
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, PACKAGE_HEAP_FLAGS } from '../../../infra/functions.ts';
import { logicalId, synthFast } from './helpers.ts';

let synthesized: ReturnType<typeof synthFast>;
beforeAll(() => {
  synthesized = synthFast('HeapFlags', { alarmEmail: 'ops@example-video.test' });
}, 300_000);

const nodeOptionsOf = (id: string): unknown => {
  const { template, stack } = synthesized;
  return template.toJSON().Resources[logicalId(stack, stack.orchestrator.functions[id]!)].Properties.Environment.Variables.NODE_OPTIONS;
};

describe('the heap of the functions that assemble packages', () => {
  it('bounds the young and old generations of assemble and of admin-release, which rebuilds a package when staff withhold', () => {
    expect(synthesized.error?.message).toBeUndefined();
    for (const id of ['assemble', 'admin-release']) {
      expect({ id, options: nodeOptionsOf(id) }).toEqual({ id, options: '--enable-source-maps --max-semi-space-size=4 --max-old-space-size=192' });
    }
  });

  it('leaves every other function with source maps only', () => {
    const others = FUNCTIONS.filter((f) => f.id !== 'assemble' && f.id !== 'admin-release');
    expect(others.length).toBeGreaterThan(0);
    for (const { id } of others) expect({ id, options: nodeOptionsOf(id) }).toEqual({ id, options: '--enable-source-maps' });
  });

  it('uses only flags Node accepts in NODE_OPTIONS, and Node applies them', () => {
    const run = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(require("node:v8").getHeapStatistics().heap_size_limit))'], {
      env: { ...process.env, NODE_OPTIONS: ['--enable-source-maps', ...PACKAGE_HEAP_FLAGS].join(' ') },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const limitMiB = Number(run.stdout) / 2 ** 20;
    // The limit is the old space plus the young generation: far below V8's default of several GiB here.
    expect(limitMiB).toBeGreaterThanOrEqual(192);
    expect(limitMiB).toBeLessThan(256);
  });
});
