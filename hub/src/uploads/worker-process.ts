/**
 * One upload worker process as the hub sees it: starts hub/src/uploads/worker.ts as a child process
 * (Node with tsx, as the demo box is started) at a lower priority, sends it requests, checks every
 * message it sends back and routes it to its request by id, and turns each request's end into a
 * result or an error. A worker that dies (a decoder crash, SIGKILL, out of memory) fails the requests
 * it was answering with words naming how it ended; the hub itself carries on, and upload-worker.ts
 * starts a new process for the next request. The child's stderr (FFmpeg prints a line per damaged
 * frame) is read here and kept as a short summary per request, never copied to the log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TrackingEvent } from '@oskartrack/protocol';
import { StderrSummary } from './stderr-summary.ts';
import {
  type Done,
  type Probed,
  type ProbeRequest,
  type ProcessRequest,
  type Progress,
  parseToHub,
  type ToHub,
  type ToWorker,
} from './worker-messages.ts';

export { StderrSummary } from './stderr-summary.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/**
 * How much nicer than the hub the worker runs: on a busy machine the kernel serves the hub's event
 * loop (the API, the boxes' ingest) first and the recording gets the rest of the CPU.
 */
export const WORKER_NICE = 10;
/** How long a cancelled recording may take to stop before its worker is killed. */
const CANCEL_GRACE_MS = 15_000;

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
  /** Stops the request (`cancel`); a worker that does not stop in time is killed. */
  signal?: AbortSignal;
}

export type Answer = (Done | Probed) & { stderr: string };
type Request = Omit<ProcessRequest, 'id'> | Omit<ProbeRequest, 'id'>;

interface Pending {
  hooks: WorkerHooks;
  stderr: StderrSummary;
  /** The batches stored so far, one after the other. */
  storing: Promise<void>;
  failure?: UploadWorkerError;
  resolve(answer: Answer): void;
  reject(err: UploadWorkerError): void;
  cleanup(): void;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, stderr: StderrSummary): string {
  const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
  const said = stderr.toString();
  return `the video decoder stopped unexpectedly: its process ${how}${said ? `; ${said}` : ''}; upload the recording again, and if it stops again the file is probably damaged`;
}

function asWorkerError(err: unknown): UploadWorkerError {
  return err instanceof UploadWorkerError
    ? err
    : new UploadWorkerError(err instanceof Error ? err.message : String(err));
}

export interface WorkerProcessEvents {
  /** OpenCV and the engine are loaded (ms since the start). */
  onReady?: (ms: number) => void;
  /** The process ended; `pending`: how many requests it failed. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null, pending: number) => void;
}

export class WorkerProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has ended and its requests are settled. */
  readonly closed: Promise<void>;
  private readonly pending = new Map<string, Pending>();
  private readonly startedAt = performance.now();
  private nextId = 0;
  private ended = false;
  /** The process ended (or never started): requests go to a new one. */
  exited = false;

  constructor(private readonly events: WorkerProcessEvents = {}) {
    // --expose-gc: the worker collects after each recording (worker.ts says why).
    this.child = spawn(process.execPath, ['--expose-gc', '--import', TSX, WORKER], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    try {
      if (this.child.pid !== undefined) setPriority(this.child.pid, workerNice());
    } catch {
      // A platform that refuses it: the worker runs at the hub's priority.
    }
    const heard = (c: Buffer) => {
      for (const p of this.pending.values()) p.stderr.add(c);
    };
    this.child.stdout?.on('data', heard);
    this.child.stderr?.on('data', heard);
    this.child.on('message', (raw: unknown) => this.receive(raw));
    this.child.on('exit', () => {
      this.exited = true;
    });
    this.closed = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve(this.end(code, signal)));
      this.child.on('error', (err) => {
        this.exited = true;
        const failure = new UploadWorkerError(`the upload worker did not start: ${err.message}`);
        for (const p of this.pending.values()) p.failure ??= failure;
        // A process that never started emits no 'close'.
        if (this.child.pid === undefined) resolve(this.end(null, null));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Requests being answered. */
  get busy(): number {
    return this.pending.size;
  }

  /** Sends a request; resolves with its `done` or `probed`, rejects with UploadWorkerError. */
  request(request: Request, hooks: WorkerHooks = {}): Promise<Answer> {
    const id = String(++this.nextId);
    return new Promise<Answer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cancel = () => {
        this.tell({ type: 'cancel', id });
        timer = setTimeout(() => this.child.kill('SIGKILL'), CANCEL_GRACE_MS);
        timer.unref();
      };
      const cleanup = () => {
        hooks.signal?.removeEventListener('abort', cancel);
        if (timer) clearTimeout(timer);
        this.pending.delete(id);
      };
      if (this.exited) return reject(new UploadWorkerError('the upload worker had stopped: try again'));
      this.pending.set(id, {
        hooks,
        stderr: new StderrSummary(),
        storing: Promise.resolve(),
        resolve,
        reject,
        cleanup,
      });
      this.tell({ ...request, id });
      if (hooks.signal?.aborted) cancel();
      else hooks.signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  /** Ends the process (SIGTERM, then SIGKILL if it lingers); its requests fail. */
  async stop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      setTimeout(() => this.child.kill('SIGKILL'), 5000).unref();
    }
    await this.closed;
  }

  private tell(msg: ToWorker): void {
    // With a callback, a channel closed meanwhile is not an 'error' event: the 'close' says what happened.
    if (this.child.connected) this.child.send(msg, () => undefined);
  }

  private receive(raw: unknown): void {
    let msg: ToHub;
    try {
      msg = parseToHub(raw);
    } catch (err) {
      // A confused worker: nothing it says can be trusted any more.
      for (const p of this.pending.values()) p.failure ??= asWorkerError(err);
      this.child.kill('SIGKILL');
      return;
    }
    if (msg.type === 'ready') {
      this.events.onReady?.(performance.now() - this.startedAt);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') p.hooks.onProgress?.(msg);
    else if (msg.type === 'events') this.store(msg.id, p, msg.events);
    else {
      const end = msg;
      void p.storing.catch(() => undefined).then(() => this.settle(p, end));
    }
  }

  /** Stores a batch after the ones before it, then acknowledges it; a failure cancels the recording. */
  private store(id: string, p: Pending, events: TrackingEvent[]): void {
    p.storing = p.storing.then(async () => {
      await p.hooks.onEvents?.(events);
      this.tell({ type: 'ack', id });
    });
    p.storing.catch((err: unknown) => {
      if (p.failure) return;
      p.failure = asWorkerError(err);
      this.tell({ type: 'cancel', id });
    });
  }

  private settle(p: Pending, end: Exclude<ToHub, { type: 'ready' | 'progress' | 'events' }>): void {
    p.cleanup();
    if (p.failure) p.reject(p.failure);
    else if (end.type === 'error') p.reject(new UploadWorkerError(end.message, end.rejected));
    else p.resolve({ ...end, stderr: p.stderr.toString() });
  }

  /** The process is gone: every request still open fails, saying how it ended. */
  private end(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    const open = [...this.pending.values()];
    for (const p of open) {
      p.cleanup();
      p.reject(p.failure ?? new UploadWorkerError(describeExit(code, signal, p.stderr)));
    }
    if (!this.ended) this.events.onExit?.(code, signal, open.length);
    this.ended = true;
  }
}
