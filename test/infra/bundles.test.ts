/**
 * What each Lambda carries, built the way the stack's NodejsFunction builds it (ESM, node24, minified,
 * main fields module/main, nothing external, the createRequire banner; infra/stack/dsar-orchestrator.ts).
 * One esbuild call builds every function, so this stays a few seconds. Sizes are bytes, not times.
 */
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
/** Issue 18's target, in bytes (10^6, the stricter reading of 1 MB). */
const ONE_MB = 1_000_000;

let outputs: Array<{ id: string; bytes: number; inputs: string[] }>;

beforeAll(async () => {
  const result = await build({
    entryPoints: Object.fromEntries(FUNCTIONS.map((f) => [f.id, join(ROOT, f.entry)])),
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    mainFields: ['module', 'main'],
    external: [],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    // No shared chunks: each function is its own asset, as in the stack.
    splitting: false,
    outdir: join(ROOT, 'cdk.out', 'bundle-test'),
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const meta: Metafile = result.metafile;
  outputs = Object.entries(meta.outputs).map(([path, out]) => ({
    id: path.split('/').at(-1)!.replace(/\.mjs$/, ''),
    bytes: out.bytes,
    inputs: Object.keys(out.inputs),
  }));
}, 120_000);

describe('the Lambda bundles', () => {
  it('are built for every function', () => {
    expect(outputs.map((o) => o.id).sort()).toEqual(FUNCTIONS.map((f) => f.id).sort());
  });

  it('are each under 1 MB', () => {
    expect(outputs.filter((o) => o.bytes >= ONE_MB).map((o) => `${o.id}: ${o.bytes} bytes`)).toEqual([]);
  });

  it('carry no holiday library: the deadline engine reads the generated table', () => {
    const offenders = outputs.flatMap((o) => o.inputs.filter((i) => /node_modules\/(date-holidays|moment-timezone|astronomia)\//.test(i)).map((i) => `${o.id}: ${i}`));
    expect(offenders).toEqual([]);
  });

  it('carry connector code only where a function runs connectors: no driver, no registry elsewhere', () => {
    // A function runs connectors exactly when the stack grants it their secrets (infra/functions.ts).
    const runsConnectors = new Set(FUNCTIONS.filter((f) => f.grants.some((g) => g.startsWith('connectors'))).map((f) => f.id));
    const connectorCode = /node_modules\/(pg|pg-protocol|pg-pool|mysql2|iconv-lite|@aws-sdk\/client-rds-data)\/|functions\/connectors\/(registry|saas|s3-objects|dynamodb-table|sql\/(postgres|mysql|sql-connector|data-api))\.ts/;
    const offenders = outputs.filter((o) => !runsConnectors.has(o.id)).flatMap((o) => o.inputs.filter((i) => connectorCode.test(i)).map((i) => `${o.id}: ${i}`));
    expect(offenders).toEqual([]);
    // The check looks where it should: create-request is such a function, and a connector step does carry pg.
    expect(runsConnectors.has('create-request')).toBe(false);
    expect(outputs.find((o) => o.id === 'collect')!.inputs.some((i) => i.includes('node_modules/pg/'))).toBe(true);
  });

  it("carry zod's tree-shakable mini build, not the classic package", () => {
    const offenders = outputs.flatMap((o) => o.inputs.filter((i) => i.includes('node_modules/zod/v4/classic/')).map((i) => `${o.id}: ${i}`));
    expect(offenders).toEqual([]);
  });
});
