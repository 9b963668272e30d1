/**
 * Package assembly benchmark: stages N call-history records (about 200 bytes each) for one subject into
 * s3rver with StagingWriter, then builds the access package with assemblePackage, sampling the process's
 * RSS every 50 ms. It runs N/10 and then N, so the reader can see that memory does not grow with the size
 * of the export. It prints figures; it asserts nothing (timings depend on the machine).
 *
 *   npx tsx bench/package-assembly.ts [records]     (default 1,000,000)
 *
 * s3rver runs in its own process (see test/support/s3rver.ts), and staging and assembly each run in a
 * fresh child process of this script, so each RSS figure is that phase's alone.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { parseConfig } from '#commons/config';
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
const DISPLAY = calls?.displayName ?? config.connectors[0]!.displayName;
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
  };
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
  return JSON.parse(out) as T;
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

const total = Number(process.argv[2] ?? 1_000_000);
if (!Number.isInteger(total) || total < 10) throw new Error('usage: npx tsx bench/package-assembly.ts [records >= 10]');
const s3rver = await startS3rver({ buckets: [STAGING, EXPORTS] });
try {
  console.log(`package assembly benchmark: node ${process.version}, ${total.toLocaleString('en')} records (and ${(total / 10).toLocaleString('en')} first)`);
  const rows: Array<StageFigures & AssemblyFigures> = [];
  for (const [i, n] of [Math.floor(total / 10), total].entries()) {
    const requestId = `dsar_bench${i}`;
    const staged = await inChild<StageFigures>(['--phase', 'stage', s3rver.endpoint, String(n), requestId]);
    const assembled = await inChild<AssemblyFigures>(['--phase', 'assemble', s3rver.endpoint, String(n), requestId, JSON.stringify(staged.source)]);
    const f = { ...staged, ...assembled };
    rows.push(f);
    console.log(
      `${f.records.toLocaleString('en').padStart(10)} records | staged ~${f.stagedMiB.toFixed(0)} MiB in ${f.stagingSeconds.toFixed(1)} s` +
        ` (peak RSS ${f.stagingPeakRssMiB.toFixed(0)} MiB, heap+external ${f.stagingPeakHeapMiB.toFixed(0)} MiB)` +
        ` | assembly ${f.assemblySeconds.toFixed(1)} s, ZIP ${f.zipMiB.toFixed(1)} MiB, RSS before ${f.rssBeforeAssemblyMiB.toFixed(0)} MiB,` +
        ` peak during assembly ${f.assemblyPeakRssMiB.toFixed(0)} MiB (heap+external ${f.assemblyPeakHeapMiB.toFixed(0)} MiB)`,
    );
  }
  console.log('\n| records | staged (MiB) | staging (s) | staging peak RSS (MiB) | assembly (s) | ZIP (MiB) | RSS before assembly (MiB) | peak RSS during assembly (MiB) | peak heap+external during assembly (MiB) |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of rows) {
    console.log(
      `| ${f.records.toLocaleString('en')} | ${f.stagedMiB.toFixed(0)} | ${f.stagingSeconds.toFixed(1)} | ${f.stagingPeakRssMiB.toFixed(0)} | ${f.assemblySeconds.toFixed(1)} | ${f.zipMiB.toFixed(1)} | ${f.rssBeforeAssemblyMiB.toFixed(0)} | ${f.assemblyPeakRssMiB.toFixed(0)} | ${f.assemblyPeakHeapMiB.toFixed(0)} |`,
    );
  }
} finally {
  await s3rver.close();
}
