/**
 * The embedded runtime as a real child process, started the way `npm start` starts it (or through
 * `npm start` itself), on ephemeral ports with its data in a given folder: for the crash and signal
 * tests and bench/crash-loop.ts. Also a small API client for it (file, verify, approve, read).
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PORT_VARIABLES, ROOT, type RuntimeInfo } from '../../infra/local/runtime.ts';
import { unzipToText } from './zip.ts';
import { CODE_LINE } from './code-mail.ts';

export interface RuntimeProcess {
  child: ChildProcess;
  /** The runtime's own process (under npm, npm's child). */
  pid: number;
  info: RuntimeInfo;
  /** The emulator processes it started (its children other than esbuild's service). */
  emulatorPids: number[];
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves when the process that was spawned exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** A Ctrl-C in the terminal: SIGINT to every process of the foreground group (npm and the runtime under npm). */
  ctrlC(): void;
}

export interface StartOptions {
  /** `node`: the start script's command (default); `npm`: `npm start` itself. */
  via?: 'node' | 'npm';
  timeoutMs?: number;
}

/** The Node arguments of the start script (`exec node <args>` in package.json), so both ways start the same. */
export function startScriptArgs(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const match = /^exec node (.+)$/.exec(script);
  if (!match) throw new Error(`the start script is no longer "exec node ...": ${script}`);
  return match[1]!.split(/\s+/);
}

/** The processes whose parent is `pid`, with their command lines. */
export function childrenOf(pid: number): Array<{ pid: number; command: string }> {
  const out = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [p, ...rest] = l.split(/\s+/);
      return { pid: Number(p), command: rest.join(' ') };
    });
}

/** Whether a process is alive (a zombie waiting to be reaped is not). */
export function isRunning(pid: number): boolean {
  const state = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return state !== '' && !state.startsWith('Z');
}

export async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILL, as a crash or `kill -9` does; with `emulators`, those die at the same moment too. */
export async function crash(rt: RuntimeProcess, emulators: boolean): Promise<void> {
  if (emulators) for (const pid of rt.emulatorPids) process.kill(pid, 'SIGKILL');
  rt.child.kill('SIGKILL');
  await rt.exited;
  // An emulator that outlived the runtime stops when its stdin ends; the next start must not race it.
  await waitUntil('the emulators of the killed runtime to exit', () => rt.emulatorPids.every((pid) => !isRunning(pid)), 20_000);
}

/**
 * Crashes the runtime at a random moment up to `withinMs` from now (from request `id`'s approval, a span
 * an uninterrupted run took to complete it). Says when, and the status the request had just before: the
 * moment only picks when to kill; nothing that uses it may depend on how long anything took.
 */
export async function crashAtRandom(rt: RuntimeProcess, id: string, withinMs: number, emulators: boolean): Promise<{ afterMs: number; status: string }> {
  const afterMs = Math.floor(Math.random() * withinMs);
  await new Promise((r) => setTimeout(r, afterMs));
  const status = (await requestDetail(rt.info, id)).request.status as string;
  await crash(rt, emulators);
  return { afterMs, status };
}

export async function startRuntimeProcess(dir: string, options: StartOptions = {}): Promise<RuntimeProcess> {
  const runtimeFile = join(dir, 'runtime.json');
  rmSync(runtimeFile, { force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, DSAR_DATA_DIR: join(dir, 'data'), NODE_OPTIONS: '' };
  for (const name of Object.values(PORT_VARIABLES)) env[name] = '0';
  // The example configuration, but with the per-recipient mail and per-IP limits lifted: these tests file
  // alice's request again and again from one address, which those limits (test/security/rate-limits.test.ts)
  // would rightly stop after a few mails.
  const config = JSON.parse(readFileSync(join(ROOT, 'config', 'example.config.json'), 'utf8')) as Record<string, unknown>;
  const lifted = { limit: 100_000, windowSeconds: 3600 };
  config.rateLimits = { perClientIp: { intake: lifted, verify: lifted, resend: lifted }, mailsPerRecipient: lifted, duplicateNoticesPerRecipient: lifted };
  // These tests are about kills and stops between approval and the answer: the package goes out when
  // built, as it did before staff release became the default (release has its own e2e tests).
  config.release = { access: 'automatic', portability: 'automatic' };
  env.DSAR_CONFIG_FILE = join(dir, 'config.json');
  writeFileSync(env.DSAR_CONFIG_FILE, JSON.stringify(config));
  // Not a test worker's settings: the runtime's own defaults, as in a terminal.
  for (const name of Object.keys(env)) if (name.startsWith('VITEST') || name.startsWith('POWERTOOLS_')) delete env[name];
  // In a process group of its own, as a job in a terminal is: a Ctrl-C there goes to the whole group.
  const spawnOptions: SpawnOptions = { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true };
  const child: ChildProcess =
    options.via === 'npm' ? spawn('npm', ['start', '--silent'], spawnOptions) : spawn(process.execPath, startScriptArgs(), spawnOptions);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitUntil(
    'the runtime to be ready',
    () => {
      if (gone) throw new Error(`the runtime exited before it was ready:\n${output}`);
      return output.includes('Press Ctrl-C to stop');
    },
    options.timeoutMs ?? 120_000,
  ).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${output}`);
  });
  const info = JSON.parse(readFileSync(runtimeFile, 'utf8')) as RuntimeInfo;
  const pid = options.via === 'npm' ? childrenOf(child.pid!).find((c) => c.command.includes('infra/local/main.ts'))!.pid : child.pid!;
  const emulatorPids = childrenOf(pid)
    .filter((c) => !c.command.includes('esbuild'))
    .map((c) => c.pid);
  return { child, pid, info, emulatorPids, output: () => output, exited, ctrlC: () => process.kill(-child.pid!, 'SIGINT') };
}

/** Calls the runtime's API; JSON in and out. */
export async function api(info: RuntimeInfo, method: string, path: string, options: { body?: unknown; staff?: boolean } = {}) {
  const res = await fetch(`${info.apiUrl}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.staff ? { authorization: `Bearer ${info.staffToken}` } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
}

/** Files an access request as `email`, verifies it with the mailed code, and approves it as staff. */
export async function fileAndApprove(info: RuntimeInfo, email: string): Promise<string> {
  const filed = await api(info, 'POST', '/v1/requests', { body: { type: 'access', email } });
  if (filed.status !== 202) throw new Error(`filing answered ${filed.status}: ${JSON.stringify(filed.body)}`);
  const id = filed.body.requestId as string;
  let code: string | undefined;
  await waitUntil(
    `the verification code of ${id}`,
    async () => {
      const mails = ((await (await fetch(`${info.mailUrl}/store`)).json()) as { emails: Array<{ body: { text?: string } }> }).emails;
      const text = mails.map((m) => m.body.text ?? '').find((t) => t.includes(id) && CODE_LINE.test(t));
      code = text && CODE_LINE.exec(text)![1];
      return code !== undefined;
    },
    30_000,
  );
  const verified = await api(info, 'POST', `/v1/requests/${id}/verify`, { body: { code } });
  if (verified.status !== 200) throw new Error(`verifying answered ${verified.status}: ${JSON.stringify(verified.body)}`);
  await waitForStatus(info, id, ['awaiting_review'], 30_000);
  const approved = await api(info, 'POST', `/v1/admin/requests/${id}/approve`, { body: {}, staff: true });
  if (approved.status !== 200) throw new Error(`approving answered ${approved.status}: ${JSON.stringify(approved.body)}`);
  return id;
}

export async function requestDetail(info: RuntimeInfo, id: string): Promise<any> {
  const res = await api(info, 'GET', `/v1/admin/requests/${id}`, { staff: true });
  if (res.status !== 200) throw new Error(`GET request answered ${res.status}`);
  return res.body;
}

export async function waitForStatus(info: RuntimeInfo, id: string, statuses: string[], timeoutMs: number): Promise<any> {
  let detail: any;
  await waitUntil(
    `request ${id} to be ${statuses.join('/')}`,
    async () => {
      detail = await requestDetail(info, id);
      return statuses.includes(detail.request.status);
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (last status: ${detail?.request?.status})`);
  });
  return detail;
}

/** Records per connector in the package the subject downloads (read from the exports bucket). */
export async function packageCounts(info: RuntimeInfo, id: string): Promise<Record<string, number>> {
  const s3 = new S3Client({
    endpoint: info.endpoints.s3,
    region: 'eu-north-1',
    // The runtime's own credentials: its S3 accepts only requests signed with them.
    credentials: info.awsCredentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: info.buckets.exports, Key: `exports/${id}/access-${id}.zip` }));
    const files = await unzipToText(Buffer.from(await res.Body!.transformToByteArray()));
    const data = JSON.parse(files.get('data.json')!) as { systems: Array<{ connectorId: string; objects: Array<{ records: unknown[] }> }> };
    return Object.fromEntries(data.systems.map((s) => [s.connectorId, s.objects.reduce((n, o) => n + o.records.length, 0)]));
  } finally {
    s3.destroy();
  }
}
