/**
 * The hub's one upload worker, kept for as long as the hub runs: Node, tsx and OpenCV start once, not
 * for every probe and every recording (on a busy machine, at the worker's lower priority, starting
 * them took longer than counting a short recording). It is started when first needed (the first
 * upload: its route calls `start` before the file arrives, so the start overlaps the transfer), not
 * with the hub: a hub that never gets an upload keeps neither the memory nor the start-up CPU. A worker
 * that dies fails what it was doing (worker-process.ts) and a new one starts at once, so the next
 * upload does not wait for it; one that dies within `RESTART_AFTER_MS` of its start is not restarted
 * until the next request (no restart loop when it cannot start). `stop` ends it with the hub.
 */
import type { Done, Probed, ProbeRequest, ProcessRequest } from './worker-messages.ts';
import { type Answer, UploadWorkerError, type WorkerHooks, WorkerProcess } from './worker-process.ts';

/** A worker that ran at least this long is restarted as soon as it dies. */
const RESTART_AFTER_MS = 10_000;

export interface UploadWorkerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export class UploadWorker {
  private current: WorkerProcess | undefined;
  private stopped = false;

  constructor(private readonly log?: UploadWorkerLogger) {}

  /** The worker process's id, while one runs (tests kill it). */
  get pid(): number | undefined {
    return this.live()?.pid;
  }

  /** Starts the worker unless one runs. */
  start(): void {
    if (!this.stopped) this.worker();
  }

  /**
   * Is this a video? Resolves with what the decoder read from its header and first frame (and, with
   * `countFrames`, how many frames it could read; `signal` stops that).
   */
  async probe(
    request: Omit<ProbeRequest, 'type' | 'id'>,
    signal?: AbortSignal,
  ): Promise<Probed & { stderr: string }> {
    const answer = await this.request({ type: 'probe', ...request }, signal ? { signal } : undefined);
    if (answer.type !== 'probed')
      throw new UploadWorkerError('the upload worker answered a probe with a count');
    return answer;
  }

  /** Counts a recording; its events go to `hooks.onEvents` batch by batch. */
  async process(
    request: Omit<ProcessRequest, 'type' | 'id'>,
    hooks?: WorkerHooks,
  ): Promise<Done & { stderr: string }> {
    const answer = await this.request({ type: 'process', ...request }, hooks);
    if (answer.type !== 'done')
      throw new UploadWorkerError('the upload worker answered a recording with a probe');
    return answer;
  }

  /** Ends the worker with the hub; what it was doing fails. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.stop();
  }

  private request(
    request: Omit<ProcessRequest, 'id'> | Omit<ProbeRequest, 'id'>,
    hooks?: WorkerHooks,
  ): Promise<Answer> {
    if (this.stopped)
      return Promise.reject(new UploadWorkerError('the hub is shutting down: upload again once it runs'));
    return this.worker().request(request, hooks);
  }

  private live(): WorkerProcess | undefined {
    return this.current && !this.current.exited ? this.current : undefined;
  }

  private worker(): WorkerProcess {
    const live = this.live();
    if (live) return live;
    const at = Date.now();
    const started = new WorkerProcess({
      onReady: (ms) => this.log?.info({ pid: started.pid, ms: Math.round(ms) }, 'upload worker ready'),
      onExit: (code, signal, failed) => {
        if (this.stopped) return;
        const restart = Date.now() - at >= RESTART_AFTER_MS;
        this.log?.warn(
          { pid: started.pid, code, signal, failedJobs: failed },
          restart
            ? 'the upload worker stopped; starting a new one'
            : 'the upload worker stopped; the next upload starts a new one',
        );
        if (restart) this.start();
      },
    });
    this.current = started;
    return started;
  }
}
