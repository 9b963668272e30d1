/**
 * Where slices (slices.ts) run: in this thread one after another, or on a pool of worker threads (as
 * many as `parallel.workers` asks, at most one per vCPU makes sense), each parsing its own slices and
 * deflating its own segments, so a large package is not held to the speed of one thread.
 *
 * A worker runs this same module: from source under tsx, and on Lambda from the function's bundle (the
 * module's URL is then the bundle's, whose top level includes the check at the end of this file), so no
 * second entry point has to be built or shipped. Each worker makes its own S3 client from the plain
 * settings of the caller's (region, endpoint, resolved credentials), since a client cannot cross threads.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SliceWorker, type SliceJob, type SlicePlan, type SliceSettings, type SliceSpool, type SpoolJob } from './slices.ts';

export interface SliceRunner {
  plan(job: SliceJob): Promise<SlicePlan>;
  spool(job: SpoolJob): Promise<SliceSpool>;
  close(): Promise<void>;
}

/** Runs slices in this thread, one at a time (each holds an S3 download open while it runs). */
export class InThreadRunner implements SliceRunner {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly worker: SliceWorker) {}

  plan(job: SliceJob): Promise<SlicePlan> {
    return this.serial(() => this.worker.plan(job));
  }

  spool(job: SpoolJob): Promise<SliceSpool> {
    return this.serial(() => this.worker.spool(job));
  }

  /** Stops the slice running (at its next record) and those waiting, and settles once none runs. */
  async close(): Promise<void> {
    this.worker.stop();
    await this.queue;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const MARK = 'dsar-package-slices';

interface WorkerInit {
  mark: typeof MARK;
  s3: S3ClientConfig;
  settings: SliceSettings;
}

type SliceRequest = { id: number; op: 'plan'; job: SliceJob } | { id: number; op: 'spool'; job: SpoolJob };

interface SliceReply {
  id: number;
  result?: SlicePlan | SliceSpool;
  error?: string;
}

/** Runs slices on worker threads, each taking the next slice when it finishes one. */
export class WorkerPool implements SliceRunner {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<{ resolve: (w: Worker) => void; reject: (err: Error) => void }> = [];
  private readonly calls = new Map<number, { resolve: (r: SlicePlan | SliceSpool) => void; reject: (err: Error) => void }>();
  private next = 0;
  private failure: Error | undefined;
  private closing = false;

  private constructor(size: number, init: WorkerInit) {
    const entry = new URL(import.meta.url);
    // From source (tests, the embedded runtime) the module is TypeScript: the worker needs tsx's loader.
    const execArgv = entry.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [];
    for (let i = 0; i < size; i++) {
      const worker = new Worker(entry, { workerData: init, execArgv });
      worker.on('message', (reply: SliceReply) => this.settle(reply));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`package worker thread exited with ${code}`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  static async start(size: number, s3: S3Client, settings: SliceSettings): Promise<WorkerPool> {
    return new WorkerPool(size, { mark: MARK, s3: await plainS3Config(s3), settings });
  }

  plan(job: SliceJob): Promise<SlicePlan> {
    return this.run({ op: 'plan', job }) as Promise<SlicePlan>;
  }

  spool(job: SpoolJob): Promise<SliceSpool> {
    return this.run({ op: 'spool', job }) as Promise<SliceSpool>;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async run(request: { op: 'plan'; job: SliceJob } | { op: 'spool'; job: SpoolJob }): Promise<SlicePlan | SliceSpool> {
    const worker = await this.take();
    try {
      const id = this.next++;
      const reply = new Promise<SlicePlan | SliceSpool>((resolve, reject) => this.calls.set(id, { resolve, reject }));
      worker.postMessage({ id, ...request } as SliceRequest);
      return await reply;
    } finally {
      this.give(worker);
    }
  }

  private take(): Promise<Worker> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.idle.pop();
    if (worker) return Promise.resolve(worker);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private give(worker: Worker): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(worker);
    else this.idle.push(worker);
  }

  private settle(reply: SliceReply): void {
    const call = this.calls.get(reply.id);
    if (!call) return;
    this.calls.delete(reply.id);
    if (reply.error !== undefined) call.reject(new Error(reply.error));
    else call.resolve(reply.result!);
  }

  /** A thread that dies fails every slice still running or waiting: the package is not built. */
  private fail(err: Error): void {
    this.failure ??= err;
    for (const call of this.calls.values()) call.reject(this.failure);
    this.calls.clear();
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }
}

/** The settings of the caller's S3 client that a worker's own client needs, as plain data. */
async function plainS3Config(s3: S3Client): Promise<S3ClientConfig> {
  const c = s3.config;
  const credentials = await c.credentials();
  const endpoint = c.isCustomEndpoint && c.endpoint ? await c.endpoint() : undefined;
  return {
    region: await c.region(),
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}) },
    forcePathStyle: c.forcePathStyle,
    requestChecksumCalculation: await c.requestChecksumCalculation(),
    responseChecksumValidation: await c.responseChecksumValidation(),
    ...(endpoint ? { endpoint: `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path}` } : {}),
  };
}

/** A worker thread of the pool: plans and spools the slices it is sent, one at a time. */
function serve(init: WorkerInit): void {
  const worker = new SliceWorker(new S3Client(init.s3), init.settings);
  parentPort!.on('message', (request: SliceRequest) => {
    const work = request.op === 'plan' ? worker.plan(request.job) : worker.spool(request.job);
    work.then(
      (result) => parentPort!.postMessage({ id: request.id, result } satisfies SliceReply),
      (err: unknown) => parentPort!.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) } satisfies SliceReply),
    );
  });
}

if (!isMainThread && (workerData as Partial<WorkerInit> | undefined)?.mark === MARK) serve(workerData as WorkerInit);
