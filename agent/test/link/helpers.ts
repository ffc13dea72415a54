import { createServer, type Server, type Socket } from 'node:net';
import {
  type Ack,
  EventBatch,
  type HubStatus,
  parsePayload,
  type TrackingEvent,
  topics,
} from '@oskartrack/protocol';
import { Aedes } from 'aedes';
import { hubSigned } from '../support/hub-key.ts';

export type Handler = (topic: string, payload: Buffer) => void;

/** An in-process aedes broker on a TCP port (0: a free one; or a given one, to restart it). */
export class TestBroker {
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly broker: Aedes,
    private readonly server: Server,
    readonly port: number,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(port = 0): Promise<TestBroker> {
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    return new TestBroker(broker, server, address.port);
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Kills every client connection without an MQTT DISCONNECT: the last wills fire. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  publish(topic: string, payload: string | Buffer, retain = false): Promise<void> {
    return new Promise((resolve, reject) =>
      this.broker.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos: 1,
          retain,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }

  subscribe(pattern: string, handler: Handler): Promise<void> {
    return new Promise((resolve) =>
      this.broker.subscribe(
        pattern,
        (packet, done) => {
          handler(packet.topic, Buffer.from(packet.payload));
          done();
        },
        () => resolve(),
      ),
    );
  }
}

/**
 * The hub's side of delivery, as small as it gets: validates each batch, "stores" its events (a map
 * that outlives broker restarts, like the database), and acknowledges the highest seq stored with no
 * gap before it. Its acks and hub status are signed with TEST_HUB_KEY, as the hub signs with its key.
 */
export class FakeHub {
  readonly stored = new Map<number, TrackingEvent>();
  /** Every seq as it arrived, duplicates included. */
  readonly arrivals: number[] = [];
  readonly invalid: string[] = [];
  batches = 0;
  ackedUpTo = 0;
  withhold = false;
  ackDelayMs = 0;
  private broker: TestBroker | undefined;

  constructor(readonly deviceId: string) {}

  async attach(broker: TestBroker, announce = true): Promise<void> {
    this.broker = broker;
    await broker.subscribe(topics.events(this.deviceId), (_topic, payload) => this.onBatch(payload));
    if (announce) await this.setStatus('online');
  }

  setStatus(state: 'online' | 'offline'): Promise<void> {
    const status: HubStatus = { v: 1, state, at: Date.now() };
    return this.broker!.publish(topics.hubStatus, hubSigned(topics.hubStatus, status), true);
  }

  /** Sends an ack for what is stored now. */
  ack(upToSeq = this.ackedUpTo): Promise<void> {
    const ack: Ack = { v: 1, upToSeq, at: Date.now() };
    return this.broker!.publish(topics.ack(this.deviceId), hubSigned(topics.ack(this.deviceId), ack));
  }

  uniqueSeqs(): number[] {
    return [...this.stored.keys()].sort((a, b) => a - b);
  }

  private onBatch(payload: Buffer): void {
    const batch = parsePayload(EventBatch, payload);
    if (!batch.ok) {
      this.invalid.push(batch.error);
      return;
    }
    this.batches++;
    let previous = 0;
    for (const { seq, event } of batch.value.events) {
      if (seq <= previous) this.invalid.push(`batch not ascending at ${seq}`);
      previous = seq;
      this.arrivals.push(seq);
      if (!this.stored.has(seq)) this.stored.set(seq, event);
    }
    while (this.stored.has(this.ackedUpTo + 1)) this.ackedUpTo++;
    if (this.withhold) return;
    const upTo = this.ackedUpTo;
    if (this.ackDelayMs > 0) setTimeout(() => void this.ack(upTo).catch(() => {}), this.ackDelayMs);
    else void this.ack(upTo).catch(() => {});
  }
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let counter = 0;
/** A device id unique to this test run (Mosquitto is shared with other runs). */
export function deviceId(prefix = 'dev'): string {
  counter++;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
