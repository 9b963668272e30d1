/**
 * The embedded runtime's total resident memory (issue 18): starts it as a user does, `npm start` (a real
 * process tree, ephemeral ports, a fresh temp data folder, so the first start seeds), and sums VmRSS from
 * /proc/<pid>/status over every process of the tree
 *   1. at rest after the first (seeding) start, and
 *   2. at rest after filing N open access requests through the API (default 1,000; each waits for its
 *      verification code, so it stays open), loopback only, at most 8 at a time.
 * "At rest" means the tree's CPU time stopped growing for 3 s in a row and the product database's process,
 * started on demand, has ended (checked at most 60 s).
 * Prints each process's figure and the totals beside the targets; asserts nothing. Linux only (/proc).
 *
 *   npx tsx bench/runtime-memory.ts [requests=1000] [npm|node]
 *
 * `node` starts the start script's command without npm (what is left when npm is not the launcher).
 * The rate limits on intake are lifted by the config file test/support/runtime-process.ts writes.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, isRunning, startRuntimeProcess, waitUntil, type RuntimeProcess } from '../test/support/runtime-process.ts';

const requests = Number(process.argv[2] ?? 1000);
if (!Number.isInteger(requests) || requests < 0 || requests > 10_000) throw new Error('requests: a whole number from 0 to 10,000');
const via = (process.argv[3] ?? 'npm') as 'npm' | 'node';
if (via !== 'npm' && via !== 'node') throw new Error('launcher: npm or node');

const TARGET_AT_REST_MB = 400;
const TARGET_OPEN_MB = 500;
const CONCURRENCY = 8;

interface Proc {
  pid: number;
  ppid: number;
  name: string;
  rssKb: number;
  cpuTicks: number;
}

/** Every process on the machine, from /proc (a process that exits meanwhile is skipped). */
function processes(): Proc[] {
  const all: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: the fields after it are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      all.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        name: cmdline,
        rssKb: rss ? Number(rss[1]) : 0,
        cpuTicks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // gone between readdir and read
    }
  }
  return all;
}

/** The process `root` and all its descendants. */
function tree(root: number): Proc[] {
  const all = processes();
  const out: Proc[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const p = all.find((x) => x.pid === pid);
    if (p) out.push(p);
    for (const c of all) if (c.ppid === pid) queue.push(c.pid);
  }
  return out;
}

/** What a process is, in a word or two. */
function label(p: Proc): string {
  if (p.name.includes('s3-child')) return 'S3 emulator (s3-child.ts)';
  if (p.name.includes('seed-child')) return 'seeding (seed-child.ts)';
  if (p.name.includes('postgres-child')) return 'product database (postgres-child.ts)';
  if (p.name.includes('esbuild')) return "esbuild's service (tsx)";
  if (p.name.includes('infra/local/main.ts')) return 'runtime (main.ts)';
  if (/\bnpm\b/.test(p.name)) return 'npm';
  if (/^(sh|\/bin\/sh)\b/.test(p.name)) return 'sh';
  return p.name.slice(0, 40);
}

const mb = (kb: number) => kb / 1024;

/**
 * Waits until the tree's CPU time has not grown for 3 s in a row and no short-lived child (the seeding,
 * the product database, which ends 15 s after its last client) is left, at most 60 s.
 */
async function atRest(root: number): Promise<boolean> {
  let last = -1;
  let still = 0;
  for (let waited = 0; waited < 60_000; waited += 1000) {
    const procs = tree(root);
    const ticks = procs.reduce((n, p) => n + p.cpuTicks, 0);
    const transient = procs.some((p) => p.name.includes('seed-child') || p.name.includes('postgres-child'));
    // A tick or two a second is timers and the npm watchdog, not work.
    still = last >= 0 && ticks - last <= 2 && !transient ? still + 1 : 0;
    if (still >= 3) return true;
    last = ticks;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

function report(title: string, root: number, targetMb: number, rested: boolean): number {
  const procs = tree(root);
  const total = procs.reduce((n, p) => n + p.rssKb, 0);
  const withoutNpm = procs.filter((p) => label(p) !== 'npm').reduce((n, p) => n + p.rssKb, 0);
  process.stdout.write(`\n${title}${rested ? '' : ' (did not come to rest within 60 s)'}\n`);
  for (const p of procs) process.stdout.write(`  ${label(p).padEnd(30)} pid ${String(p.pid).padStart(7)}  ${mb(p.rssKb).toFixed(0).padStart(5)} MB\n`);
  process.stdout.write(`  ${'total'.padEnd(30)} ${' '.repeat(11)}  ${mb(total).toFixed(1).padStart(7)} MB   target < ${targetMb} MB  ${mb(total) < targetMb ? 'met' : 'NOT met'}\n`);
  if (withoutNpm !== total) process.stdout.write(`  ${'total without npm'.padEnd(30)} ${' '.repeat(11)}  ${mb(withoutNpm).toFixed(1).padStart(7)} MB\n`);
  return mb(total);
}

async function fileOpenRequests(rt: RuntimeProcess, n: number): Promise<void> {
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
      while (next < n) {
        const i = next++;
        const res = await api(rt.info, 'POST', '/v1/requests', { body: { type: 'access', email: `bench-open-${i}@example.test` } });
        if (res.status !== 202) failed += 1;
      }
    }),
  );
  if (failed) throw new Error(`${failed} of ${n} filings were not accepted (202)`);
}

const dir = mkdtempSync(join(tmpdir(), 'dsar-runtime-memory-'));
let rt: RuntimeProcess | undefined;
try {
  process.stdout.write(`runtime memory: started through ${via === 'npm' ? '`npm start`' : 'the start script\'s command'}, data in ${dir}\n`);
  rt = await startRuntimeProcess(dir, { via, timeoutMs: 300_000 });
  const root = rt.child.pid!;
  const rest = report('at rest after the first (seeding) start', root, TARGET_AT_REST_MB, await atRest(root));
  let open = NaN;
  if (requests > 0) {
    await fileOpenRequests(rt, requests);
    open = report(`at rest with ${requests.toLocaleString('en')} open requests`, root, TARGET_OPEN_MB, await atRest(root));
  }
  process.stdout.write(
    `\n| figure | measured | target |\n|---|---:|---:|\n| at rest, first start | ${rest.toFixed(1)} MB | < ${TARGET_AT_REST_MB} MB |\n` +
      (requests > 0 ? `| ${requests.toLocaleString('en')} open requests | ${open.toFixed(1)} MB | < ${TARGET_OPEN_MB} MB |\n` : ''),
  );
} finally {
  if (rt) {
    const pids = tree(rt.child.pid!).map((p) => p.pid);
    rt.ctrlC();
    await rt.exited;
    await waitUntil('the runtime tree to exit', () => pids.every((pid) => !isRunning(pid)), 30_000).catch(() => undefined);
  }
  rmSync(dir, { recursive: true, force: true });
}
