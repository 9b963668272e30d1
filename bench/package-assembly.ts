/**
 * Package assembly benchmark (issue 18): for 10k, 100k and 1M call-history records (about 230 bytes of
 * JSON each) for one subject, stages them into s3rver with StagingWriter and builds the access package
 * with assemblePackage, each phase in a fresh Node process. The assembling process reports its true peak
 * resident memory (VmHWM from /proc/self/status, read as it ends). Then, in the same run, the package's
 * own files are unpacked and `zip -6` packs the same files, so assembly speed is printed as a ratio to
 * zip's (zip's time / assembly's time; 1.0 = as fast as zip). It prints figures beside their targets and
 * asserts nothing (timings depend on the machine).
 *
 *   npx tsx bench/package-assembly.ts [records,records,...]     (default 10000,100000,1000000)
 *
 * Needs `zip` and `unzip` on the PATH (Debian: `apt-get install -y zip unzip`).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { connectorName, parseConfig } from '#commons/config';
import type { DataRecord } from '#connectors/types';
import { StagingWriter } from '../functions/domain/staging/index.ts';
import { assemblePackage, type PackageSource } from '../functions/domain/package/index.ts';
import { s3rverClient, startS3rver } from '../test/support/s3rver.ts';

const STAGING = 'bench-staging';
const EXPORTS = 'bench-exports';
const MiB = 1024 * 1024;

const config = parseConfig(JSON.parse(readFileSync(new URL('../config/example.config.json', import.meta.url), 'utf8')));
const calls = config.connectors.find((c) => c.id === 'calls');
const CONNECTOR = calls?.id ?? config.connectors[0]!.id;
const DISPLAY = connectorName(config, calls?.id ?? config.connectors[0]!.id);
const OBJECT = calls && 'objectName' in calls ? calls.objectName : 'call';

/** A realistic call-history record: one meeting the subject took part in (about 200 bytes of JSON). */
function callRecord(i: number): DataRecord {
  const start = Date.UTC(2024, 0, 1) + i * 7_919_000;
  const duration = 60 + ((i * 37) % 5400);
  return {
    object: OBJECT,
    id: `call-${i.toString(36).padStart(8, '0')}`,
    data: {
      meetingId: `m-${(i * 2654435761 >>> 0).toString(16)}`,
      startedAt: new Date(start).toISOString(),
      durationSeconds: duration,
      role: i % 3 === 0 ? 'host' : 'guest',
      participants: 2 + (i % 7),
      client: i % 2 ? 'desktop/5.12' : 'ios/5.11',
      network: { country: 'NO', type: i % 5 ? 'wifi' : 'cellular' },
    },
  };
}

class RssSampler {
  peak = 0;
  peakHeap = 0;
  private timer: NodeJS.Timeout | undefined;
  start(): void {
    this.peak = process.memoryUsage().rss;
    this.peakHeap = 0;
    this.timer = setInterval(() => {
      const m = process.memoryUsage();
      this.peak = Math.max(this.peak, m.rss);
      this.peakHeap = Math.max(this.peakHeap, m.heapUsed + m.external);
    }, 50);
  }
  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
    return this.peak;
  }
}

interface StageFigures {
  records: number;
  stagedMiB: number;
  stagingSeconds: number;
  stagingPeakRssMiB: number;
  stagingPeakHeapMiB: number;
  source: PackageSource;
}

interface AssemblyFigures {
  assemblySeconds: number;
  zipMiB: number;
  rssBeforeAssemblyMiB: number;
  assemblyPeakRssMiB: number;
  assemblyPeakHeapMiB: number;
  /** The assembling process's true peak resident memory (VmHWM), whole process life. */
  assemblyVmHwmMiB: number;
  zipKey: string;
}

async function stage(s3: S3Client, n: number, requestId: string): Promise<StageFigures> {
  const sampler = new RssSampler();
  sampler.start();
  const t0 = performance.now();
  let bytes = 0;
  const writer = new StagingWriter({ s3, bucket: STAGING, requestId, connectorId: CONNECTOR });
  for (let i = 0; i < n; i++) {
    const record = callRecord(i);
    if (i < 1000) bytes += JSON.stringify(record).length + 1;
    await writer.write(record);
  }
  const staged = await writer.close();
  const stagingSeconds = (performance.now() - t0) / 1000;
  const peak = sampler.stop();
  return {
    records: n,
    stagedMiB: ((bytes / Math.min(n, 1000)) * n) / MiB,
    stagingSeconds,
    stagingPeakRssMiB: peak / MiB,
    stagingPeakHeapMiB: sampler.peakHeap / MiB,
    source: {
      connectorId: CONNECTOR,
      displayName: DISPLAY,
      objects: Object.entries(staged.stagingKeys).map(([object, stagingKey]) => ({ object, stagingKey, count: staged.objects[object]! })),
    },
  };
}

async function assemble(s3: S3Client, n: number, requestId: string, source: PackageSource): Promise<AssemblyFigures> {
  const sampler = new RssSampler();
  const before = process.memoryUsage().rss;
  sampler.start();
  const t0 = performance.now();
  const result = await assemblePackage({
    s3,
    stagingBucket: STAGING,
    exportsBucket: EXPORTS,
    key: `exports/${requestId}/access-${requestId}.zip`,
    request: {
      requestId,
      type: 'access',
      receivedDate: '2026-03-01',
      dueDate: '2026-04-01',
      jurisdiction: 'GDPR',
      subject: { email: 'bench@example.com' },
    },
    config,
    sources: [source],
    // BENCH_WORKERS=2 assembles on two worker threads (by default: in one thread, as the Lambda does).
    ...(process.env.BENCH_WORKERS ? { parallel: { workers: Number(process.env.BENCH_WORKERS) } } : {}),
  });
  const assemblySeconds = (performance.now() - t0) / 1000;
  const peak = sampler.stop();
  if (result.records !== n) throw new Error(`package holds ${result.records} records, expected ${n}`);
  return {
    assemblySeconds,
    zipMiB: result.bytes / MiB,
    rssBeforeAssemblyMiB: before / MiB,
    assemblyPeakRssMiB: peak / MiB,
    assemblyPeakHeapMiB: sampler.peakHeap / MiB,
    assemblyVmHwmMiB: vmHwmKiB() / 1024,
    zipKey: result.key,
  };
}

/** Peak resident set size of this process so far, from the kernel (not sampled, so no peak is missed). */
function vmHwmKiB(): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  if (!line) throw new Error('no VmHWM in /proc/self/status (Linux only)');
  return Number(line.replace(/\D+/g, ''));
}

/**
 * Each phase runs in a fresh Node process (this file again, with `--phase`), so that the RSS of one
 * phase is not what the previous one left behind: V8 and malloc rarely give memory back to the OS.
 */
async function inChild<T>(args: string[]): Promise<T> {
  const child = spawn(process.execPath, [...process.execArgv, ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), fileURLToPath(import.meta.url), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`benchmark phase ${args[1]} exited with ${String(code)}`);
  // The figures are the last line; V8 tracing flags in BENCH_NODE_FLAGS (--trace-gc) print to stdout
  // before it, so those lines are passed on to stderr rather than breaking the JSON.
  const lines = out.trimEnd().split('\n');
  if (lines.length > 1) process.stderr.write(`${lines.slice(0, -1).join('\n')}\n`);
  return JSON.parse(lines.at(-1)!) as T;
}

interface ZipFigures {
  zipSeconds: number;
  zipCliMiB: number;
}

/** Unpacks the package just built and times `zip -6` on the very same files, in the same run. */
async function zipSameFiles(s3: S3Client, key: string): Promise<ZipFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-zip-'));
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: EXPORTS, Key: key }));
    writeFileSync(join(dir, 'package.zip'), await res.Body!.transformToByteArray());
    execFileSync('unzip', ['-q', join(dir, 'package.zip'), '-d', join(dir, 'files')]);
    rmSync(join(dir, 'package.zip'));
    const t0 = performance.now();
    execFileSync('zip', ['-6', '-q', '-r', join(dir, 'zip6.zip'), '.'], { cwd: join(dir, 'files') });
    const zipSeconds = (performance.now() - t0) / 1000;
    return { zipSeconds, zipCliMiB: statSync(join(dir, 'zip6.zip')).size / MiB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const phase = process.argv.indexOf('--phase');
if (phase !== -1) {
  // Child: one phase against the parent's s3rver; figures go to stdout as JSON.
  const [name, endpoint, n, requestId, source] = process.argv.slice(phase + 1);
  const s3 = s3rverClient(endpoint!);
  const figures =
    name === 'stage'
      ? await stage(s3, Number(n), requestId!)
      : await assemble(s3, Number(n), requestId!, JSON.parse(source!) as PackageSource);
  s3.destroy();
  process.stdout.write(JSON.stringify(figures));
  process.exit(0);
}

const sizes = (process.argv[2] ?? '10000,100000,1000000').split(',').map(Number);
if (!sizes.every((n) => Number.isInteger(n) && n >= 10)) throw new Error('usage: npx tsx bench/package-assembly.ts [records,records,... each >= 10]');
for (const tool of ['zip', 'unzip']) {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} is not installed: apt-get install -y zip unzip`);
  }
}
const s3rver = await startS3rver({ buckets: [STAGING, EXPORTS] });
try {
  console.log(`package assembly benchmark: node ${process.version}, ${sizes.map((n) => n.toLocaleString('en')).join(' / ')} records, each in fresh processes`);
  const rows: Array<StageFigures & AssemblyFigures & ZipFigures> = [];
  for (const [i, n] of sizes.entries()) {
    const requestId = `dsar_bench${i}`;
    const staged = await inChild<StageFigures>(['--phase', 'stage', s3rver.endpoint, String(n), requestId]);
    const assembled = await inChild<AssemblyFigures>(['--phase', 'assemble', s3rver.endpoint, String(n), requestId, JSON.stringify(staged.source)]);
    const zipped = await zipSameFiles(s3rver.s3, assembled.zipKey);
    const f = { ...staged, ...assembled, ...zipped };
    rows.push(f);
    console.log(
      `${f.records.toLocaleString('en').padStart(10)} records | staged ~${f.stagedMiB.toFixed(0)} MiB in ${f.stagingSeconds.toFixed(1)} s` +
        ` | assembly ${f.assemblySeconds.toFixed(2)} s (ZIP ${f.zipMiB.toFixed(1)} MiB), zip -6 ${f.zipSeconds.toFixed(2)} s (${f.zipCliMiB.toFixed(1)} MiB)` +
        ` | assembling process VmHWM ${f.assemblyVmHwmMiB.toFixed(0)} MiB (RSS ${f.rssBeforeAssemblyMiB.toFixed(0)} MiB before assembly)`,
    );
  }
  console.log('\n| records | staged (MiB) | assembly (s) | ZIP (MiB) | zip -6 same files (s) | zip -6 (MiB) | speed vs zip -6 | VmHWM assembling (MiB) | sampled peak heap+external (MiB) |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of rows) {
    console.log(
      `| ${f.records.toLocaleString('en')} | ${f.stagedMiB.toFixed(0)} | ${f.assemblySeconds.toFixed(2)} | ${f.zipMiB.toFixed(1)} | ${f.zipSeconds.toFixed(2)} | ${f.zipCliMiB.toFixed(1)} | ${(f.zipSeconds / f.assemblySeconds).toFixed(2)}x | ${f.assemblyVmHwmMiB.toFixed(0)} | ${f.assemblyPeakHeapMiB.toFixed(0)} |`,
    );
  }
  const largest = rows.reduce((a, b) => (b.records > a.records ? b : a));
  const smallest = rows.reduce((a, b) => (b.records < a.records ? b : a));
  console.log('\n| figure | measured | target |');
  console.log('|---|---:|---|');
  console.log(`| speed vs zip -6 at ${largest.records.toLocaleString('en')} records | ${(largest.zipSeconds / largest.assemblySeconds).toFixed(2)}x | >= 0.7x |`);
  console.log(`| peak resident memory at ${largest.records.toLocaleString('en')} records | ${largest.assemblyVmHwmMiB.toFixed(0)} MiB | < 256 MB |`);
  console.log(
    `| peak memory ${largest.records.toLocaleString('en')} / ${smallest.records.toLocaleString('en')} records | ${(largest.assemblyVmHwmMiB / smallest.assemblyVmHwmMiB).toFixed(2)}x | <= 1.3x |`,
  );
} finally {
  await s3rver.close();
}
