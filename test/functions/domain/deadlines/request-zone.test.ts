import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { JURISDICTIONS } from '#commons/config';
import { computeDeadlines, jurisdictionCountries } from '../../../../functions/domain/deadlines/compute.ts';
import { requestTimeZone, requestToday } from '../../../../functions/domain/deadlines/request-zone.ts';
import { exampleConfig } from '../../../support/in-memory-context.ts';

const ROOT = new URL('../../../../', import.meta.url).pathname;

/** The repository files esbuild puts in a bundle of `entry` (what a Lambda importing it would carry). */
async function bundledFiles(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe("a request's time zone", () => {
  const config = exampleConfig();

  it('is the organisation zone for a request under its own country', () => {
    expect(requestTimeZone(config, { jurisdiction: 'GDPR', country: config.organisation.country })).toBe(config.organisation.timezone);
  });

  it("is the deadline engine's default zone for every other law and country", () => {
    for (const jurisdiction of JURISDICTIONS) {
      for (const country of jurisdictionCountries(jurisdiction).filter((c) => c !== config.organisation.country)) {
        const engine = computeDeadlines({ jurisdiction, country, receivedAt: '2026-03-02T10:00:00Z' }).timezone;
        expect(requestTimeZone(config, { jurisdiction, country }), `${jurisdiction} ${country}`).toBe(engine);
      }
    }
  });

  it("gives a California request's today in Los Angeles, where UTC has already moved on", () => {
    expect(requestToday(config, { jurisdiction: 'CCPA', country: 'US' }, new Date('2026-03-03T05:00:00Z'))).toBe('2026-03-02');
  });

  it('refuses a country the engine does not know', () => {
    expect(() => requestTimeZone(config, { jurisdiction: 'GDPR', country: 'XX' })).toThrow(/unknown country "XX"/);
  });

  it('is found without bundling the holiday calendars or the deadline engine', async () => {
    const files = await bundledFiles('functions/domain/deadlines/request-zone.ts');
    expect(files.some((f) => f.endsWith('functions/domain/deadlines/request-zone.ts'))).toBe(true);
    expect(files.filter((f) => f.includes('date-holidays') || /deadlines\/(holidays|compute)/.test(f))).toEqual([]);
  });

  it('keeps the staff queue and actions, escalation and metrics free of the deadline engine', async () => {
    const entries = ['requests/queries', 'requests/staff', 'deadlines/ops/refusals'].map((m) => `functions/domain/${m}.ts`);
    for (const entry of [...entries, 'functions/domain/escalation/index.ts', 'functions/domain/metrics/index.ts']) {
      const files = await bundledFiles(entry);
      expect(files.filter((f) => f.includes('date-holidays') || /deadlines\/(holidays|compute)/.test(f)), entry).toEqual([]);
    }
  });
});
