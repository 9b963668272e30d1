import { describe, expect, it } from 'vitest';
import { startScriptArgs } from '../../support/runtime-process.ts';

describe('npm start', () => {
  // The runtime's resident memory is bounded by V8's settings (docs/benchmarks.md, "Embedded runtime
  // memory"): without --optimize-for-size the heap kept ~36 MB of slack after 1,000 filings, and the
  // runtime measured 361 MB against 283 MB with it.
  it('runs the runtime with V8 sized for memory: optimize-for-size and bounded heap spaces', () => {
    const args = startScriptArgs();
    expect(args).toEqual(expect.arrayContaining(['--optimize-for-size', '--max-old-space-size=256', '--max-semi-space-size=1']));
    expect(args.at(-1)).toBe('infra/local/main.ts');
  });
});
