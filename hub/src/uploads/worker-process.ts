/**
 * The hub's side of an upload worker: starts hub/src/uploads/worker.ts as a child process (Node with
 * tsx, as the demo box is started), sends it one request, checks every message it sends back, and
 * turns its end into a result or an error. A worker that dies (a decoder crash, SIGKILL, out of
 * memory) is an error naming how it ended; the hub itself carries on. The child's stderr (FFmpeg
 * prints a line per damaged frame) is read here and kept as a short summary, never copied to the log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TrackingEvent } from '@oskartrack/protocol';
import {
  type Done,
  type Probed,
  type ProbeRequest,
  type ProcessRequest,
  type Progress,
  parseToHub,
  type ToWorker,
} from './worker-messages.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/**
 * How much nicer than the hub the worker runs: on a busy machine the kernel serves the hub's event
 * loop (the API, the boxes' ingest) first and the recording gets the rest of the CPU.
 */
export const WORKER_NICE = 10;

/** The nice value a worker gets: the hub's own plus WORKER_NICE, at most 19 (the lowest priority). */
export function workerNice(): number {
  return Math.min(19, getPriority() + WORKER_NICE);
}

/** The worker could not do its job; `rejected`: because the file is not a video the hub can read. */
export class UploadWorkerError extends Error {
  override name = 'UploadWorkerError';
  constructor(
    message: string,
    readonly rejected = false,
  ) {
    super(message);
  }
}

export interface WorkerHooks {
  onProgress?: (p: Progress) => void;
  /** Stores a batch; batches are stored one after the other, in order (the worker runs a few ahead). */
  onEvents?: (events: TrackingEvent[]) => Promise<void>;
  /** Stops the worker (SIGTERM); the run then fails with `stopMessage`. */
  signal?: AbortSignal;
  /** The child, once started (tests kill it). */
  onStart?: (child: ChildProcess) => void;
}

/** What the child printed: how many lines, and the last few different ones. */
export class StderrSummary {
  lines = 0;
  readonly last: string[] = [];
  private rest = '';

  add(chunk: Buffer): void {
    const text = this.rest + chunk.toString('utf8');
    const parts = text.split('\n');
    this.rest = parts.pop()?.slice(-1000) ?? '';
    for (const raw of parts) this.line(raw);
  }

  private line(raw: string): void {
    const line = raw.trim().slice(0, 300);
    if (!line) return;
    this.lines++;
    if (this.last.includes(line)) return;
    this.last.push(line);
    if (this.last.length > 3) this.last.shift();
  }

  /** One sentence for a log line or an error ("312 decoder messages, the last: ..."), or ''. */
  toString(): string {
    if (this.rest.trim()) this.line(this.rest);
    this.rest = '';
    if (this.lines === 0) return '';
    return `${this.lines} decoder message${this.lines === 1 ? '' : 's'}, the last: ${this.last.join(' | ')}`;
  }
}

function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', TSX, WORKER], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  try {
    if (child.pid !== undefined) setPriority(child.pid, workerNice());
  } catch {
    // A platform that refuses it: the worker runs at the hub's priority.
  }
  return child;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, stderr: StderrSummary): string {
  const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
  const said = stderr.toString();
  return `the video decoder stopped unexpectedly: its process ${how}${said ? `; ${said}` : ''}`;
}

/** Runs one request in a new worker; resolves with its `done` or `probed`, rejects with UploadWorkerError. */
export function runWorker(request: ProcessRequest, hooks?: WorkerHooks): Promise<Done & { stderr: string }>;
export function runWorker(request: ProbeRequest, hooks?: WorkerHooks): Promise<Probed & { stderr: string }>;
export function runWorker(
  request: ProcessRequest | ProbeRequest,
  hooks: WorkerHooks = {},
): Promise<(Done | Probed) & { stderr: string }> {
  const child = spawnWorker();
  const stderr = new StderrSummary();
  child.stdout?.on('data', (c: Buffer) => stderr.add(c));
  child.stderr?.on('data', (c: Buffer) => stderr.add(c));
  hooks.onStart?.(child);
  return new Promise((resolve, reject) => {
    let result: Done | Probed | undefined;
    let failure: UploadWorkerError | undefined;
    const stop = () => child.kill('SIGTERM');
    hooks.signal?.addEventListener('abort', stop, { once: true });
    const tell = (msg: ToWorker) => {
      if (child.connected) child.send(msg);
    };
    let storing: Promise<void> = Promise.resolve();
    child.on('message', (raw: unknown) => {
      try {
        const msg = parseToHub(raw);
        if (msg.type === 'progress') hooks.onProgress?.(msg);
        else if (msg.type === 'events') {
          const events = msg.events;
          storing = storing.then(() => hooks.onEvents?.(events)).then(() => tell({ type: 'ack' }));
          storing.catch(fail);
        } else if (msg.type === 'error') failure ??= new UploadWorkerError(msg.message, msg.rejected);
        else result ??= msg;
      } catch (err) {
        fail(err);
      }
    });
    function fail(err: unknown): void {
      failure ??=
        err instanceof UploadWorkerError
          ? err
          : new UploadWorkerError(err instanceof Error ? err.message : String(err));
      child.kill('SIGKILL');
    }
    child.on('error', (err) =>
      fail(new UploadWorkerError(`the upload worker did not start: ${err.message}`)),
    );
    child.on('close', (code, signal) => {
      hooks.signal?.removeEventListener('abort', stop);
      if (failure) reject(failure);
      else if (result) resolve({ ...result, stderr: stderr.toString() });
      else reject(new UploadWorkerError(describeExit(code, signal, stderr)));
    });
    tell(request);
  });
}
