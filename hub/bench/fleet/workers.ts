/**
 * Worker threads running TypeScript, and a request / reply channel to them. Node does not apply the
 * parent's loader to a worker's entry: the worker registers tsx first, then imports its module.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** tsx's ESM API, found through its package.json (the test runner has no import.meta.resolve). */
function tsxEsmApi(): string {
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}

const tsxApi = tsxEsmApi();

export function tsWorker(moduleUrl: string, data: unknown): Worker {
  const boot =
    `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); ` +
    `return import(${JSON.stringify(moduleUrl)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

/** One question at a time to a worker that answers every message with one reply. */
export class WorkerChannel<Q, R> {
  private failure: unknown;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly worker: Worker) {
    worker.on('error', (error) => {
      this.failure = error;
    });
  }

  ask(question: Q): Promise<R> {
    const next = this.queue.then(
      () =>
        new Promise<R>((resolve, reject) => {
          if (this.failure) {
            reject(this.failure);
            return;
          }
          const onError = (error: unknown) => reject(error);
          this.worker.once('error', onError);
          this.worker.once('message', (reply: R) => {
            this.worker.off('error', onError);
            resolve(reply);
          });
          this.worker.postMessage(question);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }
}
