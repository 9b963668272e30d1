import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryEvent } from './history.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A waitForTaskToken task whose token has been handed out and not answered yet. */
export interface WaitingTask {
  token: string;
  stateName: string;
  /** The payload sent to the function, token included. */
  payload: unknown;
  /** Epoch milliseconds at which the task times out; absent when the state has no timeout. */
  deadline?: number;
  heartbeatSeconds?: number;
}

/** How a token ended; SendTask* calls on it then answer TaskTimedOut or TaskDoesNotExist. */
export type ClosedTokenStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Everything about one execution; persisted as one JSON file so a restart can resume it. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  /** The input as the client sent it (a JSON text). */
  input: string;
  status: ExecutionStatus;
  /** Epoch milliseconds. */
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** The top-level state the execution last entered, with the input it entered with: where a resume starts. */
  lastTopLevelState?: { name: string; input: unknown };
  waitingTasks: WaitingTask[];
  closedTokens: Record<string, ClosedTokenStatus>;
}

/** Writes each execution to `<dataDir>/<state machine>:<name>.json`, atomically (temp file, then rename). */
export class ExecutionStore {
  private tempCounter = 0;

  constructor(private readonly dataDir: string) {}

  async open(): Promise<ExecutionRecord[]> {
    await mkdir(this.dataDir, { recursive: true });
    const records: ExecutionRecord[] = [];
    for (const file of await readdir(this.dataDir)) {
      // A temp file is a write that never got renamed: the previous version of its record is intact.
      if (file.endsWith('.tmp')) {
        await rm(join(this.dataDir, file), { force: true });
        continue;
      }
      if (!file.endsWith('.json')) continue;
      records.push(JSON.parse(await readFile(join(this.dataDir, file), 'utf8')) as ExecutionRecord);
    }
    return records;
  }

  async write(record: ExecutionRecord): Promise<void> {
    const file = join(this.dataDir, `${encodeURIComponent(fileKey(record.executionArn))}.json`);
    const temp = `${file}.${process.pid}.${++this.tempCounter}.tmp`;
    await writeFile(temp, JSON.stringify(record));
    await rename(temp, file);
  }
}

/** `<state machine name>:<execution name>`: unique per region and account, readable in a listing. */
function fileKey(executionArn: string): string {
  return executionArn.split(':').slice(6).join(':');
}

/**
 * Serialises and coalesces the writes of one record: at most one write in flight and one queued, and the
 * queued one snapshots the record when it starts, so the file always ends with the latest state.
 */
export class RecordWriter {
  private queued = false;
  private chain: Promise<void> = Promise.resolve();
  private frozen = false;

  constructor(
    private readonly store: ExecutionStore,
    private readonly record: ExecutionRecord,
    private readonly onError: (error: unknown) => void,
  ) {}

  schedule(): void {
    if (this.queued || this.frozen) return;
    this.queued = true;
    this.chain = this.chain
      // One macrotask of delay lets the interpreter's event log (drained in microtasks) catch up first.
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        this.queued = false;
        return this.store.write(this.record);
      })
      .catch(this.onError);
  }

  /** No write starts after this; resolves when the last scheduled one is on disk. */
  freeze(): Promise<void> {
    this.frozen = true;
    return this.chain;
  }

  flushed(): Promise<void> {
    return this.chain;
  }
}
