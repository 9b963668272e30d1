/**
 * Bundle size of every Lambda in `infra/functions.ts`, built with esbuild the way the CDK stack's
 * NodejsFunction bundles them (infra/stack/dsar-orchestrator.ts): ESM, platform node, target node24,
 * minified, source map, main fields module/main, nothing external (the AWS SDK is bundled), and the
 * createRequire banner. Nothing is written to disk: esbuild's metafile says which input contributed
 * how many bytes, so each bundle is split into the connector modules, the rest of the product code,
 * the AWS SDK (with Smithy), and other packages.
 *
 * Each bundle is also written to a temporary directory and imported by fresh `node` processes (the one
 * running this script, so Node 24), `runs` times, to report its cold import time: the median of the
 * time from just before `import()` to its resolution. That is the part of a Lambda's cold init the bundle
 * decides (parsing and evaluating its modules); the runtime's own start is not in it. Nothing is
 * invoked, so no configuration or AWS endpoint is needed (the application context is built lazily).
 *
 *   npx tsx bench/bundle-sizes.ts [runs]     (default 5)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { FUNCTIONS } from '../infra/functions.ts';
import { ROOT } from '../infra/local/runtime.ts';

/** Issue 18's target: no bundle over 1 MB (10^6 bytes, the stricter reading). */
const TARGET_BYTES = 1_000_000;
const RUNS = Number(process.argv[2] ?? 5);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`runs must be a positive integer, got ${process.argv[2]}`);

/** The functions issue 4 is about: the ones that load connectors. */
const HIGHLIGHT = new Set(['collect', 'act', 'confirm-erasure', 'plan-connectors']);

type Part = 'connectors' | 'product' | 'aws-sdk' | 'other packages';

function partOf(input: string): Part {
  if (input.startsWith('functions/connectors/')) return 'connectors';
  const pkg = packageOf(input);
  if (!pkg) return 'product';
  if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/') || pkg.startsWith('@aws-crypto/') || pkg === '@aws/lambda-invoke-store') return 'aws-sdk';
  return 'other packages';
}

function packageOf(input: string): string | undefined {
  const i = input.lastIndexOf('node_modules/');
  if (i < 0) return undefined;
  const parts = input.slice(i + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

interface Row {
  id: string;
  memoryMb: number;
  js: number;
  gzip: number;
  map: number;
  parts: Record<Part, number>;
  packages: Map<string, number>;
  /** Median cold import time in ms, and every run's. */
  importMs: number;
  importRuns: number[];
}

/** Imports the bundle in a fresh node process and returns how long `import()` took, in ms. */
function coldImport(file: string): number {
  const script = 'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(out);
  if (!Number.isFinite(ms)) throw new Error(`cold import of ${file} printed ${JSON.stringify(out)}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function bundle(id: string, entry: string, memoryMb: number, dir: string): Promise<Row> {
  const outfile = join(dir, id, 'index.mjs');
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    external: [],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    outfile,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.mjs'))!;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  const meta: Metafile = result.metafile;
  const output = Object.entries(meta.outputs).find(([path]) => path.endsWith('.mjs'))![1];
  const parts: Record<Part, number> = { connectors: 0, product: 0, 'aws-sdk': 0, 'other packages': 0 };
  const packages = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    parts[partOf(input)] += bytesInOutput;
    const pkg = packageOf(input) ?? (input.startsWith('functions/connectors/') ? '(connectors)' : '(product)');
    packages.set(pkg, (packages.get(pkg) ?? 0) + bytesInOutput);
  }
  // Outside the repository, so the import can only resolve what the bundle holds, as in the asset ZIP.
  mkdirSync(dirname(js.path), { recursive: true });
  writeFileSync(js.path, js.contents);
  const importRuns = Array.from({ length: RUNS }, () => coldImport(js.path));
  return {
    id,
    memoryMb,
    js: js.contents.byteLength,
    gzip: gzipSync(js.contents).byteLength,
    map: map?.contents.byteLength ?? 0,
    parts,
    packages,
    importMs: median(importRuns),
    importRuns,
  };
}

const kib = (n: number) => (n / 1024).toFixed(1);
const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(1)}%`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dsar-bundles-'));
  try {
    for (const spec of FUNCTIONS) rows.push(await bundle(spec.id, spec.entry, spec.memoryMb, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `Bundled ${rows.length} functions and imported each ${RUNS} times in fresh node ${process.version} processes in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
  );

  console.log(
    table(
      ['function', 'MB', 'index.mjs KiB', 'vs 1 MB', 'cold import ms (median)', 'gzip KiB', 'map KiB', 'connectors KiB (share)', 'product KiB', 'AWS SDK KiB (share)', 'other pkgs KiB'],
      rows.map((r) => [
        HIGHLIGHT.has(r.id) ? `**${r.id}**` : r.id,
        String(r.memoryMb),
        kib(r.js),
        r.js <= TARGET_BYTES ? 'under' : `OVER by ${kib(r.js - TARGET_BYTES)} KiB`,
        r.importMs.toFixed(1),
        kib(r.gzip),
        kib(r.map),
        r.parts.connectors ? `${kib(r.parts.connectors)} (${pct(r.parts.connectors, r.js)})` : '0',
        kib(r.parts.product),
        `${kib(r.parts['aws-sdk'])} (${pct(r.parts['aws-sdk'], r.js)})`,
        kib(r.parts['other packages']),
      ]),
    ),
  );

  const largest = rows.reduce((a, b) => (b.js > a.js ? b : a));
  for (const r of rows.filter((x) => HIGHLIGHT.has(x.id) || x === largest)) {
    const top = [...r.packages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.log(`\n${r.id}: the 12 largest contributors (bytes in the minified output)`);
    console.log(table(['package', 'KiB', 'share'], top.map(([name, bytes]) => [name, kib(bytes), pct(bytes, r.js)])));
  }

  const plain = rows.filter((r) => !HIGHLIGHT.has(r.id));
  const sorted = plain.map((r) => r.js).sort((a, b) => a - b);
  console.log(`\nOther functions: median ${kib(sorted[Math.floor(sorted.length / 2)]!)} KiB, smallest ${kib(sorted[0]!)} KiB, largest ${kib(sorted.at(-1)!)} KiB.`);
  console.log('Bytes per part are esbuild metafile bytesInOutput; the remainder to index.mjs is the banner and the bundle runtime glue.');

  const over = rows.filter((r) => r.js > TARGET_BYTES);
  const imports = rows.map((r) => r.importMs).sort((a, b) => a - b);
  const slowest = rows.reduce((a, b) => (b.importMs > a.importMs ? b : a));
  console.log(`\n| figure | now | target |\n|---|---|---|`);
  console.log(`| bundles over 1 MB (10^6 bytes) | ${over.length} of ${rows.length} (largest ${largest.id}, ${(largest.js / 1e6).toFixed(2)} MB) | none |`);
  console.log(`| cold import, median of ${RUNS} fresh processes: median / slowest function | ${median(imports).toFixed(1)} ms / ${slowest.importMs.toFixed(1)} ms (${slowest.id}) | reported |`);
}

await main();
