/**
 * A thread of simulated boxes. Each box is the agent's own link (agent/src/link: windowed sender,
 * signature-checked acks, resend after a reconnect or an ack time-out) over the agent's own outbox
 * (agent/src/outbox, SQLite in memory instead of a file), logged in to Mosquitto with its own account.
 * Only the camera and the engine are replaced: a ShopDay makes the events.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Link } from '@oskartrack/agent/link/link';
import { Outbox } from '@oskartrack/agent/outbox/outbox';
import type { TrackingEvent } from '@oskartrack/protocol';
import { publicKeyFromBase64 } from '@oskartrack/protocol/signing';
import pino from 'pino';
import type { BoxCommand, BoxReply, BoxState, BoxWorkerData, Latencies } from './box-messages.ts';
import type { BoxSpec } from './provision.ts';
import { ShopDay } from './store-day.ts';

const TICK_MS = 100;

/** The agent's outbox, noting when each event was made and first published, to time the acks. */
class TimedOutbox extends Outbox {
  private readonly madeAt = new Map<number, number>();
  private readonly sentAt = new Map<number, number>();
  private marked = 0;
  private acked = 0;

  constructor(private readonly samples: { on: boolean; latencies: Latencies }) {
    super(':memory:', { logger: pino({ level: 'silent' }) });
  }

  override append(events: readonly TrackingEvent[]): number[] {
    const seqs = super.append(events);
    const now = Date.now();
    for (const seq of seqs) this.madeAt.set(seq, now);
    return seqs;
  }

  override markSent(seq: number): void {
    super.markSent(seq);
    const now = Date.now();
    for (let s = Math.max(this.marked, this.acked) + 1; s <= seq; s++) this.sentAt.set(s, now);
    this.marked = Math.max(this.marked, seq);
  }

  override ackUpTo(seq: number): number {
    const deleted = super.ackUpTo(seq);
    const now = Date.now();
    for (let s = this.acked + 1; s <= seq; s++) {
      const made = this.madeAt.get(s);
      const sent = this.sentAt.get(s);
      if (this.samples.on && made !== undefined) this.samples.latencies.madeToAck.push(now - made);
      if (this.samples.on && sent !== undefined) this.samples.latencies.publishToAck.push(now - sent);
      this.madeAt.delete(s);
      this.sentAt.delete(s);
    }
    this.acked = Math.max(this.acked, seq);
    return deleted;
  }
}

interface SimBox {
  spec: BoxSpec;
  outbox: TimedOutbox;
  link: Link;
  day: ShopDay;
  /** Fractional events owed by the rate. */
  owed: number;
  burstLeft: number;
}

function makeBox(data: BoxWorkerData, spec: BoxSpec, samples: { on: boolean; latencies: Latencies }): SimBox {
  const outbox = new TimedOutbox(samples);
  const l = data.link;
  const link = new Link({
    url: spec.mqttUrl,
    deviceId: spec.deviceId,
    secret: spec.secret,
    software: 'oskartrack-fleet-sim',
    outbox,
    hubKey: publicKeyFromBase64(data.hubKey),
    ...(l.batchSize ? { batchSize: l.batchSize } : {}),
    ...(l.window ? { window: l.window } : {}),
    ...(l.ackTimeoutMs ? { ackTimeoutMs: l.ackTimeoutMs } : {}),
    ...(l.reconnectPeriodMs ? { reconnectPeriodMs: l.reconnectPeriodMs } : {}),
    logger: pino({ level: 'silent' }),
  });
  const layout = { cameraId: spec.cameraId, lineId: spec.lineId, zoneIds: spec.zoneIds };
  return { spec, outbox, link, day: new ShopDay(layout, spec.index + 1, data.inside), owed: 0, burstLeft: 0 };
}

function stateOf(box: SimBox): BoxState {
  const s = box.link.state();
  return {
    deviceId: box.spec.deviceId,
    connected: s.connected,
    lastSeq: s.outbox.lastSeq,
    ackedUpTo: s.ackedUpTo,
    depth: s.outbox.depth,
    refused: s.refusedMessages,
    rewinds: s.rewinds,
    ackTimeouts: s.ackTimeouts,
  };
}

function run(data: BoxWorkerData): void {
  const port = parentPort!;
  const samples = { on: false, latencies: { publishToAck: [], madeToAck: [] } as Latencies };
  const boxes = data.boxes.map((spec) => makeBox(data, spec, samples));
  let perSecond = 0;
  let burstPerTick = 0;
  let made = 0;
  let last = Date.now();
  const produce = () => {
    const now = Date.now();
    const dt = (now - last) / 1000;
    last = now;
    for (const box of boxes) {
      box.owed += perSecond * dt;
      let n = Math.floor(box.owed);
      box.owed -= n;
      const extra = Math.min(box.burstLeft, Math.ceil(burstPerTick * dt * (1000 / TICK_MS)));
      box.burstLeft -= extra;
      n += extra;
      if (n > 0) {
        box.outbox.append(box.day.next(n));
        made += n;
      }
    }
  };
  const timer = setInterval(produce, TICK_MS);

  const answer = async (c: BoxCommand): Promise<BoxReply> => {
    if (c.type === 'start') await Promise.all(boxes.map((b) => b.link.start()));
    else if (c.type === 'rate') perSecond = c.perSecond;
    else if (c.type === 'burst') {
      for (const b of boxes) b.burstLeft += c.perBox;
      burstPerTick = Math.max(1, (c.perBox * TICK_MS) / Math.max(TICK_MS, c.overMs));
    } else if (c.type === 'measure') samples.on = c.on;
    else if (c.type === 'snapshot') {
      const latencies = samples.latencies;
      samples.latencies = { publishToAck: [], madeToAck: [] };
      const burstLeft = boxes.reduce((s, b) => s + b.burstLeft, 0);
      return { type: 'snapshot', boxes: boxes.map(stateOf), latencies, made, burstLeft };
    } else if (c.type === 'close') {
      clearInterval(timer);
      await Promise.all(boxes.map((b) => b.link.stop()));
      for (const b of boxes) b.outbox.close();
    }
    return { type: 'ok' };
  };
  port.on('message', (c: BoxCommand) => {
    answer(c).then(
      (reply) => port.postMessage(reply),
      (error: unknown) => {
        throw error;
      },
    );
  });
}

run(workerData as BoxWorkerData);
