/**
 * What each Lambda carries, built the way the stack's NodejsFunction builds it (ESM, node24, minified,
 * main fields module/main, nothing external, the createRequire banner; infra/stack/dsar-orchestrator.ts).
 * One esbuild call builds every function, so this stays a few seconds. Sizes are bytes, not times.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasesOf, CONNECTOR_SIDE_FILES, REQUIRE_BANNER } from '../../infra/bundling.ts';
import { FUNCTIONS } from '../../infra/functions.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
/** Issue 18's target, in bytes (10^6, the stricter reading of 1 MB). */
const ONE_MB = 1_000_000;

let outputs: Array<{ id: string; bytes: number; inputs: string[] }>;

const SETTINGS: BuildOptions = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  mainFields: ['module', 'main'],
  external: [],
  banner: { js: REQUIRE_BANNER },
  logLevel: 'silent',
};

beforeAll(async () => {
  const result = await build({
    ...SETTINGS,
    entryPoints: Object.fromEntries([...FUNCTIONS.map((f) => [f.id, join(ROOT, f.entry)]), ...CONNECTOR_SIDE_FILES.map((s) => [s.file.replace(/\.mjs$/, ''), join(ROOT, s.entry)])]),
    // The side files' aliases (only iconv-lite, which nothing but the MySQL driver imports).
    alias: Object.assign({}, ...CONNECTOR_SIDE_FILES.map((s) => aliasesOf(ROOT, s))),
    // No shared chunks: each function is its own asset, as in the stack.
    splitting: false,
    outdir: join(ROOT, 'cdk.out', 'bundle-test'),
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
  });
  const meta: Metafile = result.metafile;
  outputs = Object.entries(meta.outputs).map(([path, out]) => ({
    id: path.split('/').at(-1)!.replace(/\.mjs$/, ''),
    bytes: out.bytes,
    inputs: Object.keys(out.inputs),
  }));
}, 120_000);

describe('the Lambda bundles', () => {
  it('are built for every function, and each side file', () => {
    expect(outputs.map((o) => o.id).sort()).toEqual([...FUNCTIONS.map((f) => f.id), ...CONNECTOR_SIDE_FILES.map((s) => s.file.replace(/\.mjs$/, ''))].sort());
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
    const functionIds = new Set(FUNCTIONS.map((f) => f.id));
    const offenders = outputs.filter((o) => functionIds.has(o.id) && !runsConnectors.has(o.id)).flatMap((o) => o.inputs.filter((i) => connectorCode.test(i)).map((i) => `${o.id}: ${i}`));
    expect(offenders).toEqual([]);
    // The check looks where it should: create-request is such a function, and a connector step does carry pg.
    expect(runsConnectors.has('create-request')).toBe(false);
    expect(outputs.find((o) => o.id === 'collect')!.inputs.some((i) => i.includes('node_modules/pg/'))).toBe(true);
  });

  it('leave the mysql2 driver to its side file, which only a MySQL connector loads', () => {
    const withMysql = outputs.filter((o) => o.inputs.some((i) => i.includes('node_modules/mysql2/'))).map((o) => o.id);
    expect(withMysql).toEqual(['mysql-driver']);
  });

  it("carry zod's tree-shakable mini build, not the classic package", () => {
    const offenders = outputs.flatMap((o) => o.inputs.filter((i) => i.includes('node_modules/zod/v4/classic/')).map((i) => `${o.id}: ${i}`));
    expect(offenders).toEqual([]);
  });

  it('leave the SES and Step Functions clients out of the functions that neither mail nor drive the workflow', () => {
    const storeOnly = ['assemble', 'admin-release'];
    const offenders = outputs
      .filter((o) => storeOnly.includes(o.id))
      .flatMap((o) => o.inputs.filter((i) => /node_modules\/@aws-sdk\/client-(sesv2|sfn)\//.test(i)).map((i) => `${o.id}: ${i}`));
    expect(outputs.filter((o) => storeOnly.includes(o.id))).toHaveLength(storeOnly.length);
    expect(offenders).toEqual([]);
  });
});

describe('the MySQL driver side file', () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is found beside the bundled connector module and loads', async () => {
    // The connector module and the driver, bundled as the stack bundles them, side by side in one folder.
    dir = mkdtempSync(join(tmpdir(), 'dsar-side-file-'));
    await build({ ...SETTINGS, entryPoints: { index: join(ROOT, 'functions/connectors/sql/mysql.ts') }, outdir: dir, outExtension: { '.js': '.mjs' } });
    for (const side of CONNECTOR_SIDE_FILES) await build({ ...SETTINGS, entryPoints: [join(ROOT, side.entry)], outfile: join(dir, side.file), alias: aliasesOf(ROOT, side) });
    expect(statSync(join(dir, 'mysql-driver.mjs')).size).toBeLessThan(ONE_MB);
    // Plain Node, as Lambda loads it (the test runner's own module loader would resolve differently).
    const script = `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
      const d = await m.loadMysqlDriver();
      console.log(JSON.stringify(d.classifyMysqlError(Object.assign(new Error('denied'), { errno: 1045, sqlState: '28000' }))));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ kind: 'auth', code: 'MySQL error 1045, SQLSTATE 28000' });
  });
});
