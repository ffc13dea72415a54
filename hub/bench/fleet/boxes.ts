/** The simulated boxes as the main thread drives them: spread over worker threads, asked together. */
import type { BoxCommand, BoxLinkSettings, BoxReply, BoxState, BoxWorkerData } from './box-messages.ts';
import type { BoxSpec } from './provision.ts';
import { tsWorker, WorkerChannel } from './workers.ts';

export interface FleetSnapshot {
  boxes: BoxState[];
  publishToAck: number[];
  madeToAck: number[];
  made: number;
  burstLeft: number;
}

export class Fleet {
  private constructor(private readonly channels: WorkerChannel<BoxCommand, BoxReply>[]) {}

  static start(
    specs: readonly BoxSpec[],
    threads: number,
    options: { hubKey: string; link: BoxLinkSettings; inside: number },
  ): Fleet {
    const n = Math.max(1, Math.min(threads, specs.length));
    const channels = Array.from({ length: n }, (_, t) => {
      const data: BoxWorkerData = {
        boxes: specs.filter((_, i) => i % n === t),
        hubKey: options.hubKey,
        link: options.link,
        inside: options.inside,
      };
      return new WorkerChannel<BoxCommand, BoxReply>(
        tsWorker(new URL('./box-worker.ts', import.meta.url).href, data),
      );
    });
    return new Fleet(channels);
  }

  async tell(command: BoxCommand): Promise<void> {
    await Promise.all(this.channels.map((c) => c.ask(command)));
  }

  /** Every box's state; the latency samples since the last snapshot. */
  async snapshot(): Promise<FleetSnapshot> {
    const replies = await Promise.all(this.channels.map((c) => c.ask({ type: 'snapshot' })));
    const out: FleetSnapshot = { boxes: [], publishToAck: [], madeToAck: [], made: 0, burstLeft: 0 };
    for (const r of replies) {
      if (r.type !== 'snapshot') throw new Error('a box thread did not answer with its state');
      out.boxes.push(...r.boxes);
      for (const v of r.latencies.publishToAck) out.publishToAck.push(v);
      for (const v of r.latencies.madeToAck) out.madeToAck.push(v);
      out.made += r.made;
      out.burstLeft += r.burstLeft;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.channels.map(async (c) => {
        await c.ask({ type: 'close' }).catch(() => undefined);
        await c.worker.terminate();
      }),
    );
  }
}
