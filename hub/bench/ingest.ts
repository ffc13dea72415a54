/**
 * Ingest benchmark: simulated devices (mqtt.js clients) publish event batches through a real aedes
 * broker (TCP, QoS 1) into the hub's ingest and PostgreSQL, and wait for the end-to-end acks.
 *
 *   node --import tsx hub/bench/ingest.ts [--devices 10] [--events 6000] [--backlog 100000]
 *        [--live-seconds 10] [--live-rate 50]
 *
 * Phases: (1) sustained: every device sends its events as fast as its window of 4 unacknowledged
 * batches of 500 allows; (2) backlog: one device drains a 100,000-event outbox; (3) live: every device
 * sends a small batch at a steady rate, as a shop does with the link up. Reports events/s and the
 * latency from publish to the ack that covers the batch. Uses BENCH_DATABASE_URL, TEST_DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/test, in a fresh schema dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { type SequencedEvent, type TrackingEvent, topics } from '@oskartrack/protocol';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import pg from 'pg';
import type { InboundMessage, MessageBus, MessageHandler, PublishOptions } from '../src/broker/bus.ts';
import { generateSecret, hashSecret } from '../src/broker/credentials.ts';
import { openDatabase } from '../src/db/database.ts';
import { createRepositories } from '../src/db/repositories/index.ts';
import { Ingest } from '../src/ingest/index.ts';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '10' },
    events: { type: 'string', default: '6000' },
    backlog: { type: 'string', default: '100000' },
    'live-seconds': { type: 'string', default: '10' },
    'live-rate': { type: 'string', default: '50' },
    'batch-size': { type: 'string', default: '500' },
    window: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '4' },
  },
});
const DEVICES = Number(args.devices);
const EVENTS = Number(args.events);
const BACKLOG = Number(args.backlog);
const LIVE_SECONDS = Number(args['live-seconds']);
/** Events per second per device in the live phase. */
const LIVE_RATE = Number(args['live-rate']);
const BATCH = Number(args['batch-size']);
const WINDOW = Number(args.window);
const URL_ =
  process.env.BENCH_DATABASE_URL ||
  process.env.TEST_DATABASE_URL ||
  'postgres://postgres@127.0.0.1:5432/test';

/** The hub side of the broker: the same MessageBus the hub's embedded broker gives ingest. */
class AedesBus implements MessageBus {
  constructor(private readonly broker: Aedes) {}
  subscribe(pattern: string, handler: MessageHandler): Promise<void> {
    return new Promise((resolve) =>
      this.broker.subscribe(
        pattern,
        (packet, done) => {
          const m: InboundMessage = { topic: packet.topic, payload: Buffer.from(packet.payload) };
          void handler(m);
          done();
        },
        resolve,
      ),
    );
  }
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    return new Promise((resolve, reject) =>
      this.broker.publish(
        { cmd: 'publish', topic, payload, qos: options.qos, retain: options.retain, dup: false },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  async close(): Promise<void> {}
}

/** A shop's stream: visitors with a start, area entry and exit, line crossings, the visit and the end. */
function visitorStream(cameraId: string, zoneId: string, lineId: string, count: number, t0: number) {
  const out: TrackingEvent[] = [];
  for (let i = 0; i < count; i++) {
    const trackId = i + 1;
    const at = t0 + i * 7_000;
    const dur = 20_000 + ((i * 37_000) % 300_000);
    const zoneMs = Math.min(dur - 2000, 3_000 + ((i * 11_000) % 90_000));
    const end = at + dur;
    const path = Array.from({ length: 20 }, (_, k) => ({
      at: at + Math.round((k * dur) / 19),
      point: [100 + k * 10, 300 - k * 5] as [number, number],
    }));
    out.push(
      { kind: 'track_started', cameraId, at, trackId, box: [10, 20, 30, 60] },
      { kind: 'line_crossed', cameraId, at: at + 500, trackId, lineId, direction: 'in' },
      { kind: 'zone_entered', cameraId, at: at + 1000, trackId, zoneId },
      { kind: 'zone_left', cameraId, at: at + 1000 + zoneMs, trackId, zoneId, dwellMs: zoneMs },
      { kind: 'line_crossed', cameraId, at: end - 500, trackId, lineId, direction: 'out' },
      {
        kind: 'visit_closed',
        cameraId,
        at: end,
        trackId,
        startedAt: at,
        durationMs: dur,
        path,
        zones: [{ zoneId, dwellMs: zoneMs, entries: 1 }],
      },
      { kind: 'track_ended', cameraId, at: end, trackId, firstSeen: at, durationMs: dur },
    );
  }
  return out
    .map((event, i) => ({ event, i }))
    .sort((a, b) => a.event.at - b.event.at || a.i - b.i)
    .map(({ event }) => event);
}

interface Scene {
  deviceId: string;
  cameraId: string;
  zoneId: string;
  lineId: string;
}

/** One simulated agent: seqs only grow, at most `window` batches unacknowledged. */
class SimDevice {
  private client: mqtt.MqttClient | undefined;
  private acked = 0;
  private nextSeq = 1;
  private waiters: { seq: number; resolve: () => void }[] = [];
  readonly latencies: number[] = [];

  constructor(
    readonly scene: Scene,
    private readonly port: number,
  ) {}

  async connect(): Promise<void> {
    this.client = await mqtt.connectAsync(`mqtt://127.0.0.1:${this.port}`, {
      clientId: `${this.scene.deviceId}-${randomBytes(3).toString('hex')}`,
      reconnectPeriod: 0,
    });
    this.client.on('message', (_topic, payload) => {
      const upTo = (JSON.parse(payload.toString()) as { upToSeq: number }).upToSeq;
      if (upTo <= this.acked) return;
      this.acked = upTo;
      this.waiters = this.waiters.filter((w) => {
        if (w.seq > upTo) return true;
        w.resolve();
        return false;
      });
    });
    await this.client.subscribeAsync(topics.ack(this.scene.deviceId), { qos: 1 });
  }

  private ackOf(seq: number): Promise<void> {
    if (seq <= this.acked) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Publishes one batch; resolves with the latency when the ack covers it. */
  async send(events: TrackingEvent[], floor?: number): Promise<number> {
    const seqd: SequencedEvent[] = events.map((event) => ({ seq: this.nextSeq++, event }));
    const last = seqd.at(-1)!.seq;
    const payload = JSON.stringify({
      v: 1,
      sentAt: Date.now(),
      floor: floor ?? this.acked + 1,
      events: seqd,
    });
    const t = performance.now();
    const acked = this.ackOf(last);
    await this.client!.publishAsync(topics.events(this.scene.deviceId), payload, { qos: 1 });
    await acked;
    const ms = performance.now() - t;
    this.latencies.push(ms);
    return ms;
  }

  /** Sends everything in batches, `window` unacknowledged at most. */
  async drain(events: TrackingEvent[], batch: number, window: number): Promise<void> {
    const inFlight = new Set<Promise<number>>();
    for (let i = 0; i < events.length; i += batch) {
      while (inFlight.size >= window) await Promise.race(inFlight);
      const p = this.send(events.slice(i, i + batch)).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function main(): Promise<void> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const handle = await openDatabase({ databaseUrl: URL_, dataDir: tmpdir() }, { schema, maxConnections: 8 });
  await handle.migrate();
  const repos = createRepositories(handle.db);
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const log = {
    debug() {},
    info() {},
    warn(obj: object, msg: string) {
      console.error('warn', msg, obj);
    },
    error(obj: object, msg: string) {
      console.error('error', msg, obj);
    },
  };
  const ingest = new Ingest({
    bus: new AedesBus(broker),
    db: handle,
    log,
    concurrency: Number(args.concurrency),
  });
  await ingest.start();

  const store = await repos.stores.create({ id: 'bench-store', name: 'Bench' });
  async function scene(i: number): Promise<Scene> {
    // Ingest refuses devices without credentials (revoked): each gets one, as enrollment gives it.
    const device = await repos.devices.create({
      id: `bench-dev-${i}`,
      storeId: store.id,
      name: `Box ${i}`,
      credentialHash: await hashSecret(generateSecret()),
    });
    const camera = await repos.cameras.create({
      id: `bench-cam-${i}`,
      storeId: store.id,
      deviceId: device.id,
      name: `Camera ${i}`,
      source: '0',
      frameWidth: 640,
      frameHeight: 480,
    });
    const zone = await repos.zones.createZone({
      id: `bench-zone-${i}`,
      cameraId: camera.id,
      name: 'Till',
      polygon: [
        [0, 0],
        [300, 0],
        [300, 300],
      ],
    });
    return { deviceId: device.id, cameraId: camera.id, zoneId: zone.id, lineId: `bench-line-${i}` };
  }

  const rows: string[][] = [];
  const t0 = Date.now() - 2 * 24 * 3_600_000;
  try {
    // 1. Sustained: DEVICES devices, EVENTS events each, as fast as the window allows.
    const sims = await Promise.all(
      Array.from({ length: DEVICES }, async (_, i) => new SimDevice(await scene(i), port)),
    );
    await Promise.all(sims.map((s) => s.connect()));
    const streams = sims.map((s) =>
      visitorStream(s.scene.cameraId, s.scene.zoneId, s.scene.lineId, Math.ceil(EVENTS / 7), t0).slice(
        0,
        EVENTS,
      ),
    );
    let start = performance.now();
    await Promise.all(sims.map((s, i) => s.drain(streams[i]!, BATCH, WINDOW)));
    let secs = (performance.now() - start) / 1000;
    const sustainedLat = sims.flatMap((s) => s.latencies);
    rows.push([
      `sustained, ${DEVICES} devices x ${EVENTS} events (batches of ${BATCH}, window ${WINDOW})`,
      String(DEVICES * EVENTS),
      secs.toFixed(2),
      Math.round((DEVICES * EVENTS) / secs).toString(),
      percentile(sustainedLat, 50).toFixed(0),
      percentile(sustainedLat, 95).toFixed(0),
    ]);
    await Promise.all(sims.map((s) => s.close()));

    // 2. Backlog: one device back after an outage with BACKLOG events waiting.
    const backlogDevice = new SimDevice(await scene(DEVICES), port);
    await backlogDevice.connect();
    const backlog = visitorStream(
      backlogDevice.scene.cameraId,
      backlogDevice.scene.zoneId,
      backlogDevice.scene.lineId,
      Math.ceil(BACKLOG / 7),
      t0,
    ).slice(0, BACKLOG);
    start = performance.now();
    await backlogDevice.drain(backlog, BATCH, WINDOW);
    secs = (performance.now() - start) / 1000;
    rows.push([
      `backlog drain, 1 device (batches of ${BATCH}, window ${WINDOW})`,
      String(BACKLOG),
      secs.toFixed(2),
      Math.round(BACKLOG / secs).toString(),
      percentile(backlogDevice.latencies, 50).toFixed(0),
      percentile(backlogDevice.latencies, 95).toFixed(0),
    ]);
    await backlogDevice.close();

    // 3. Live: every device sends what happened in the last 200 ms, five times a second.
    const live = await Promise.all(
      Array.from({ length: DEVICES }, async (_, i) => new SimDevice(await scene(DEVICES + 1 + i), port)),
    );
    await Promise.all(live.map((s) => s.connect()));
    const perTick = Math.max(1, Math.round(LIVE_RATE / 5));
    const liveStreams = live.map((s) =>
      visitorStream(
        s.scene.cameraId,
        s.scene.zoneId,
        s.scene.lineId,
        Math.ceil((LIVE_RATE * LIVE_SECONDS) / 7) + 1,
        Date.now(),
      ),
    );
    start = performance.now();
    const pendingSends: Promise<number>[] = [];
    for (let tick = 0; tick < LIVE_SECONDS * 5; tick++) {
      live.forEach((s, i) => {
        const chunk = liveStreams[i]!.slice(tick * perTick, (tick + 1) * perTick);
        if (chunk.length > 0) pendingSends.push(s.send(chunk));
      });
      await new Promise((r) => setTimeout(r, 200));
    }
    await Promise.all(pendingSends);
    secs = (performance.now() - start) / 1000;
    const liveLat = live.flatMap((s) => s.latencies);
    const liveEvents = perTick * LIVE_SECONDS * 5 * DEVICES;
    rows.push([
      `live, ${DEVICES} devices x ${LIVE_RATE} events/s (a batch every 200 ms)`,
      String(liveEvents),
      secs.toFixed(2),
      Math.round(liveEvents / secs).toString(),
      percentile(liveLat, 50).toFixed(0),
      percentile(liveLat, 95).toFixed(0),
    ]);
    await Promise.all(live.map((s) => s.close()));

    const stats = ingest.stats();
    console.log(
      `\nIngest benchmark: aedes (TCP, QoS 1) -> ingest -> PostgreSQL (${handle.kind}), node ${process.version}\n`,
    );
    console.log('| phase | events | seconds | events/s | p50 publish-to-ack ms | p95 publish-to-ack ms |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(
      `\ningest: ${stats.stored} stored, ${stats.duplicates} duplicates, ${stats.visits} visits, ${stats.groups} transactions, ${stats.acks} acks, ${stats.dbErrors} database errors`,
    );
  } finally {
    await ingest.stop();
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
    await handle.close();
    const client = new pg.Client({ connectionString: URL_ });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

await main();
