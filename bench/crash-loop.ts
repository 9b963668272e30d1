/**
 * The long version of test/infra/local/crash.test.ts: kills the embedded runtime (a real child process,
 * started as `npm start` starts it, on ephemeral ports, in a temp folder) with SIGKILL at random moments
 * between approval and completion, many times, and counts how often it started again and how often the request completed
 * with all its data (the records per connector of an uninterrupted run).
 *
 *   npx tsx bench/crash-loop.ts [iterations=20]
 *
 * Every other kill takes the S3 emulator down at the same moment (a whole-tree crash); the others kill
 * the runtime alone (the emulator then stops by itself). Prints one line per kill and the totals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALICE } from '../infra/local/demo/people.ts';
import { crash, crashAtRandom, fileAndApprove, isRunning, packageCounts, startRuntimeProcess, waitForStatus, type RuntimeProcess } from '../test/support/runtime-process.ts';

const iterations = Number(process.argv[2] ?? 20);
if (!Number.isInteger(iterations) || iterations < 1 || iterations > 500) throw new Error('iterations: a whole number from 1 to 500');

const dir = mkdtempSync(join(tmpdir(), 'dsar-crash-loop-'));
let current: RuntimeProcess | undefined;

async function start(): Promise<RuntimeProcess> {
  const started = performance.now();
  current = await startRuntimeProcess(dir);
  startMs.push(performance.now() - started);
  return current;
}

const startMs: number[] = [];
let restarted = 0;
let complete = 0;
let quarantined = 0;
const failures: string[] = [];

try {
  process.stdout.write(`crash loop: ${iterations} kills, data in ${dir}\n`);
  let rt = await start();
  const baselineId = await fileAndApprove(rt.info, ALICE.email);
  const approvedAt = performance.now();
  await waitForStatus(rt.info, baselineId, ['completed'], 120_000);
  const processingMs = performance.now() - approvedAt;
  const expected = await packageCounts(rt.info, baselineId);
  process.stdout.write(`uninterrupted: ${JSON.stringify(expected)}, approval to completion ${Math.round(processingMs)} ms\n`);
  await crash(rt, false);

  for (let i = 1; i <= iterations; i++) {
    rt = await start();
    const id = await fileAndApprove(rt.info, ALICE.email);
    // A random moment between approval and the time the uninterrupted run took to complete.
    const withEmulators = i % 2 === 0;
    const { afterMs: killAfterMs, status } = await crashAtRandom(rt, id, processingMs, withEmulators);

    let line = `#${String(i).padStart(3)} killed ${withEmulators ? 'runtime+S3' : 'runtime   '} ${String(killAfterMs).padStart(5)} ms after approval (${status.padEnd(11)})`;
    try {
      rt = await start();
      restarted += 1;
      quarantined += (rt.output().match(/was torn by a crash/g) ?? []).length;
      const done = await waitForStatus(rt.info, id, ['completed', 'completed_partial', 'awaiting_staff'], 120_000);
      const counts = await packageCounts(rt.info, id);
      const full = done.request.status === 'completed' && JSON.stringify(counts) === JSON.stringify(expected);
      if (full) complete += 1;
      else failures.push(`${id}: ${done.request.status} ${JSON.stringify(counts)}`);
      line += ` -> restarted in ${(startMs.at(-1)! / 1000).toFixed(1)} s, ${done.request.status}${full ? ', all records' : `, counts ${JSON.stringify(counts)}`}`;
      await crash(rt, false);
    } catch (err) {
      failures.push(`#${i} ${id}: ${(err as Error).message.split('\n')[0]}`);
      line += ` -> FAILED: ${(err as Error).message.split('\n')[0]}`;
      if (current && isRunning(current.pid)) await crash(current, true);
    }
    process.stdout.write(`${line}\n`);
  }
} finally {
  if (current && isRunning(current.pid)) await crash(current, true);
  rmSync(dir, { recursive: true, force: true });
}

const sorted = [...startMs].sort((a, b) => a - b);
const pct = (p: number) => (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! / 1000).toFixed(1);
process.stdout.write(
  [
    '',
    `kills:                         ${iterations}`,
    `started again:                 ${restarted}/${iterations}`,
    `completed with all records:    ${complete}/${iterations}`,
    `torn objects moved aside:      ${quarantined}`,
    `start time (s), median / max:  ${pct(0.5)} / ${pct(1)}`,
    ...(failures.length ? ['failures:', ...failures.map((f) => `  ${f}`)] : []),
    '',
  ].join('\n'),
);
process.exitCode = failures.length ? 1 : 0;
