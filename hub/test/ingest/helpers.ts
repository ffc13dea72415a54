/**
 * Ingest test helpers: an in-process MessageBus, a scene (store, device, camera, area, line), visitor
 * event streams and batch payloads.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { EventBatch, SequencedEvent, TrackingEvent } from '@oskartrack/protocol';
import type { InboundMessage, MessageBus, MessageHandler, PublishOptions } from '../../src/broker/bus.ts';
import type { Repositories } from '../../src/db/repositories/index.ts';
import type { IngestLogger } from '../../src/ingest/index.ts';
import { seedStore, uid } from '../db/backends.ts';

/** MQTT topic matching with `+` and `#`. */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= t.length) return false;
    if (p[i] !== '+' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

export interface Published {
  topic: string;
  payload: string;
  options: PublishOptions;
}

/** A MessageBus in memory: `inject` plays a device publishing; `published` records what the hub sent. */
export class MemoryBus implements MessageBus {
  readonly published: Published[] = [];
  private readonly subs: { pattern: string; handler: MessageHandler }[] = [];
  /** Runs before a publish completes (tests look at the database at that moment). */
  beforePublish: ((p: Published) => Promise<void>) | undefined;

  async subscribe(pattern: string, handler: MessageHandler): Promise<void> {
    this.subs.push({ pattern, handler });
  }

  async publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    const p = { topic, payload: payload.toString(), options };
    await this.beforePublish?.(p);
    this.published.push(p);
    this.deliver({ topic, payload: Buffer.from(payload) });
  }

  /** A message from a device. Handlers must not throw; a throw here fails the test. */
  inject(topic: string, payload: string | Buffer): void {
    this.deliver({ topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload) });
  }

  private deliver(m: InboundMessage): void {
    for (const s of this.subs) if (topicMatches(s.pattern, m.topic)) void s.handler(m);
  }

  /** The `upToSeq` of every ack sent to the device, in order. */
  acks(deviceId: string): number[] {
    return this.published
      .filter((p) => p.topic === `oskartrack/v1/devices/${deviceId}/ack`)
      .map((p) => (JSON.parse(p.payload) as { upToSeq: number }).upToSeq);
  }

  lastAck(deviceId: string): number | undefined {
    return this.acks(deviceId).at(-1);
  }

  async close(): Promise<void> {}
}

export interface LogLine {
  level: string;
  obj: object;
  msg: string;
}

export function memoryLog(): IngestLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: object, msg: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store with a device, a camera, an area and a counting line. */
/** Stands in for an enrolled device's argon2 hash: ingest refuses broker batches of a device without one. */
export const ENROLLED = '$argon2id$v=19$test-only-not-a-real-hash';

export async function seedScene(repos: Repositories, timezone?: string) {
  const s = await seedStore(repos);
  await repos.devices.setCredential(s.device.id, ENROLLED);
  if (timezone) await repos.stores.update(s.store.id, { timezone });
  const zone = await repos.zones.createZone({
    id: `zone-${s.u}`,
    cameraId: s.camera.id,
    name: 'Till',
    polygon: [
      [0, 0],
      [300, 0],
      [300, 300],
    ],
  });
  const line = await repos.zones.createLine({
    id: `line-${s.u}`,
    cameraId: s.camera.id,
    name: 'Door',
    start: [0, 400],
    end: [600, 400],
    inSide: 'left',
  });
  return { ...s, zone, line };
}

/** A second device with its own camera and area in the same store. */
export async function addDevice(repos: Repositories, storeId: string) {
  const u = uid();
  const device = await repos.devices.create({
    id: `dev-${u}`,
    storeId,
    name: `Box ${u}`,
    credentialHash: ENROLLED,
  });
  const camera = await repos.cameras.create({
    id: `cam-${u}`,
    storeId,
    deviceId: device.id,
    name: 'Back',
    source: 'rtsp://10.0.0.6/stream',
    frameWidth: 640,
    frameHeight: 480,
  });
  const zone = await repos.zones.createZone({
    id: `zone-${u}`,
    cameraId: camera.id,
    name: 'Shelf',
    polygon: [
      [0, 0],
      [300, 0],
      [300, 300],
    ],
  });
  return { device, camera, zone, u };
}

export interface Visitor {
  trackId: number;
  /** Appears at. */
  at: number;
  durationMs: number;
  /** Time in the area, from 1 s after appearing; 0: never enters it. */
  zoneMs: number;
  /** Crosses the line in (1.5 s after appearing) and out (just before leaving). */
  crosses?: boolean;
}

/** The events of one visitor, as the agent would emit them. */
export function visitorEvents(cameraId: string, zoneId: string, lineId: string, v: Visitor): TrackingEvent[] {
  const { trackId, at } = v;
  const end = at + v.durationMs;
  const zoneMs = Math.min(v.zoneMs, v.durationMs - 2000);
  const out: TrackingEvent[] = [{ kind: 'track_started', cameraId, at, trackId, box: [10, 20, 30, 60] }];
  if (v.crosses)
    out.push({ kind: 'line_crossed', cameraId, at: at + 1500, trackId, lineId, direction: 'in' });
  if (zoneMs > 0) {
    out.push({ kind: 'zone_entered', cameraId, at: at + 1000, trackId, zoneId });
    out.push({ kind: 'zone_left', cameraId, at: at + 1000 + zoneMs, trackId, zoneId, dwellMs: zoneMs });
  }
  if (v.crosses)
    out.push({ kind: 'line_crossed', cameraId, at: end - 500, trackId, lineId, direction: 'out' });
  out.push({
    kind: 'visit_closed',
    cameraId,
    at: end,
    trackId,
    startedAt: at,
    durationMs: v.durationMs,
    path: [
      { at, point: [100, 100] },
      { at: end, point: [200, 200] },
    ],
    zones: zoneMs > 0 ? [{ zoneId, dwellMs: zoneMs, entries: 1 }] : [],
  });
  out.push({ kind: 'track_ended', cameraId, at: end, trackId, firstSeen: at, durationMs: v.durationMs });
  return out;
}

/** Visitors' events in time order (ties keep emission order), numbered from `firstSeq`. */
export function sequence(events: TrackingEvent[], firstSeq = 1): SequencedEvent[] {
  return events
    .map((event, i) => ({ event, i }))
    .sort((a, b) => a.event.at - b.event.at || a.i - b.i)
    .map(({ event }, i) => ({ seq: firstSeq + i, event }));
}

/** A deterministic stream of `count` visitors starting at `t0`, some overlapping, some in the area. */
export function visitorStream(
  cameraId: string,
  zoneId: string,
  lineId: string,
  count: number,
  t0: number,
  gapMs = 40_000,
): TrackingEvent[] {
  const out: TrackingEvent[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      ...visitorEvents(cameraId, zoneId, lineId, {
        trackId: i + 1,
        at: t0 + i * gapMs,
        durationMs: 30_000 + ((i * 37_000) % 150_000),
        zoneMs: i % 3 === 0 ? 0 : 5_000 + ((i * 11_000) % 60_000),
        crosses: i % 2 === 0,
      }),
    );
  }
  return out;
}

export function batchPayload(events: SequencedEvent[], floor = events[0]!.seq): string {
  const batch: EventBatch = { v: 1, sentAt: Date.now(), floor, events };
  return JSON.stringify(batch);
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A TCP proxy in front of PostgreSQL that can be cut (every connection dropped, new ones refused). */
export class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private down = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
