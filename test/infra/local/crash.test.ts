/**
 * The embedded runtime survives its own crashes and stops cleanly: it runs as a real child process, the
 * way `npm start` runs it, on ephemeral ports. A SIGKILL at a random moment of collection (sometimes of
 * the S3 emulator too) never keeps it from starting again, and every request then completes with all
 * its data; a torn file in its data folder is moved aside with a warning; SIGINT and SIGTERM drain and
 * stop everything it started. The long version of the crash loop is bench/crash-loop.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALICE } from '../../../infra/local/demo/people.ts';
import { crash, crashAtRandom, fileAndApprove, isRunning, packageCounts, startRuntimeProcess, waitForStatus, waitUntil, type RuntimeProcess } from '../../support/runtime-process.ts';

const KILLS = 3;
let dir: string;
let running: RuntimeProcess | undefined;
/** Records per connector of alice's access request, from a run nobody interrupted. */
let expected: Record<string, number>;
/** How long that run took from approval to completion: the span the kills are spread over. */
let processingMs: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dsar-crash-'));
});
// A test that failed half-way leaves its runtime up, holding the data folder's locks: stop it so the
// next test reports its own outcome instead of "Database failed to open".
afterEach(async () => {
  if (running && isRunning(running.pid)) await crash(running, false);
});
afterAll(async () => {
  if (running && isRunning(running.pid)) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function start() {
  running = await startRuntimeProcess(dir);
  return running;
}

function portIsClosed(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function urlsOf(rt: RuntimeProcess): string[] {
  return [rt.info.apiUrl, rt.info.mailUrl, ...Object.values(rt.info.endpoints), ...Object.values(rt.info.sandboxes)];
}

describe('the runtime killed during collection', () => {
  it('completes a request nobody interrupts (the counts to compare with)', async () => {
    const rt = await start();
    const id = await fileAndApprove(rt.info, ALICE.email);
    const approvedAt = performance.now();
    const done = await waitForStatus(rt.info, id, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);
    processingMs = performance.now() - approvedAt;
    expect(done.request.status).toBe('completed');
    expected = await packageCounts(rt.info, id);
    expect(Object.keys(expected).sort()).toEqual(['accounts', 'calls', 'google-analytics', 'hubspot', 'product-db', 'salesforce', 'stripe']);
    await crash(rt, false);
  }, 180_000);

  it(`starts again after each of ${KILLS} kills and completes every request with all its data`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      const rt = await start();
      const id = await fileAndApprove(rt.info, ALICE.email);
      ids.push(id);
      // A random moment between approval and the time an uninterrupted run took to complete: collection
      // (fan-out, staging writes, reconcile) and assembly.
      const { afterMs: killAfterMs, status } = await crashAtRandom(rt, id, processingMs, i % 2 === 1);

      const again = await start();
      const done = await waitForStatus(again.info, id, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);
      expect(done.request.status, `request ${id} after a kill ${killAfterMs} ms after approval (${status}); attention: ${JSON.stringify(done.request.attention)}`).toBe('completed');
      expect(await packageCounts(again.info, id), `the package of ${id}`).toEqual(expected);
      await crash(again, false);
    }
    expect(new Set(ids).size).toBe(KILLS);
  }, 600_000);
});

describe('a torn object in the data folder', () => {
  it('is moved aside with a warning naming its request, and the runtime starts', async () => {
    // What an in-place write killed half-way left: content, and a metadata file with nothing in it.
    const key = join(dir, 'data', 's3', 'dsar-staging', 'staging', 'dsar_torn1', 'stripe');
    mkdirSync(key, { recursive: true });
    writeFileSync(join(key, 'charges.jsonl._S3rver_object'), '{"id":"ch_1"}\n');
    writeFileSync(join(key, 'charges.jsonl._S3rver_metadata.json'), '');

    const rt = await start();

    expect(rt.output()).toMatch(/Warning: the S3 object dsar-staging\/staging\/dsar_torn1\/stripe\/charges\.jsonl of request dsar_torn1 was torn by a crash \(its metadata file is empty\); it was moved aside to \S+\.quarantine/);
    expect(readdirSync(key)).toEqual([]);
    const head = await fetch(`${rt.info.endpoints.s3}/dsar-staging`, { method: 'HEAD' });
    expect(head.status).not.toBe(500);
    await crash(rt, false);
  }, 120_000);
});

describe('stopping', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal === 'SIGINT' ? 'Ctrl-C (SIGINT to its process group)' : 'SIGTERM'} during collection drains, says "Stopped.", exits 0, leaves no port open and no emulator running, and the request completes on the next start`, async () => {
      const rt = await start();
      expect(rt.emulatorPids.length).toBeGreaterThan(0);
      const id = await fileAndApprove(rt.info, ALICE.email);
      await waitForStatus(rt.info, id, ['in_progress', 'assembling', 'completed'], 30_000);

      if (signal === 'SIGINT') rt.ctrlC();
      else rt.child.kill(signal);
      const exit = await rt.exited;

      expect(exit).toEqual({ code: 0, signal: null });
      expect(rt.output()).toContain(`${signal}: stopping (waiting for running functions`);
      expect(rt.output()).toContain('Stopped.');
      for (const url of urlsOf(rt)) expect(await portIsClosed(url), url).toBe(true);
      await waitUntil('the emulators to exit', () => rt.emulatorPids.every((pid) => !isRunning(pid)), 10_000);
      // Drained: no write to S3 was cut off (a cut-off write leaves its temp files under .pending).
      expect(readdirSync(join(dir, 'data', 's3', '.pending'))).toEqual([]);

      const again = await start();
      const done = await waitForStatus(again.info, id, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);
      expect(done.request.status).toBe('completed');
      expect(await packageCounts(again.info, id)).toEqual(expected);
      await crash(again, false);
    }, 240_000);
  }

  for (const how of ['SIGTERM to npm', 'Ctrl-C (npm forwards a second SIGINT)'] as const) {
    it(`stops the runtime under npm start on ${how}`, async () => {
      const rt = await startRuntimeProcess(dir, { via: 'npm' });
      running = rt;

      if (how === 'SIGTERM to npm') rt.child.kill('SIGTERM');
      else rt.ctrlC();
      await rt.exited;

      await waitUntil('the runtime to exit', () => !isRunning(rt.pid), 30_000);
      // One stop, not a forced one: the signal npm forwards is the same keypress.
      expect(rt.output()).toContain('Stopped.');
      expect(rt.output()).not.toContain('stopping at once');
      for (const url of urlsOf(rt)) expect(await portIsClosed(url), url).toBe(true);
      await waitUntil('the emulators to exit', () => rt.emulatorPids.every((pid) => !isRunning(pid)), 10_000);
    }, 120_000);
  }

  it('stops the runtime when npm start is killed outright (npm cannot forward a SIGKILL)', async () => {
    const rt = await startRuntimeProcess(dir, { via: 'npm' });
    running = rt;

    rt.child.kill('SIGKILL');
    await rt.exited;

    await waitUntil('the runtime to exit', () => !isRunning(rt.pid), 30_000);
    for (const url of urlsOf(rt)) expect(await portIsClosed(url), url).toBe(true);
    await waitUntil('the emulators to exit', () => rt.emulatorPids.every((pid) => !isRunning(pid)), 10_000);
  }, 120_000);
});
