/**
 * The hub's side of live video with its rules spelled out on a bus the test reads: renewals while
 * anyone watches, a box that comes back online asked again, a camera moved to another box (the old one
 * told to stop), and pictures relayed only from the box that was asked, for the camera of the topic.
 */
import { incoming, topics, type VideoFrame, type WatchRequest } from '@oskartrack/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { VideoLeases } from '../../../agent/src/runtime/video-leases.ts';
import { topicMatches } from '../../src/broker/acl.ts';
import type { InboundMessage, MessageBus, MessageHandler } from '../../src/broker/bus.ts';
import type { Repositories } from '../../src/db/repositories/index.ts';
import { LiveFeed, type LiveSocket } from '../../src/live/feed.ts';

/** An in-process bus: what is published goes to the matching subscriptions, and is kept. */
class MemoryBus implements MessageBus {
  readonly published: InboundMessage[] = [];
  private readonly subs: { pattern: string; handler: MessageHandler }[] = [];
  async subscribe(pattern: string, handler: MessageHandler): Promise<void> {
    this.subs.push({ pattern, handler });
  }
  async publish(topic: string, payload: string | Buffer): Promise<void> {
    const message = { topic, payload: Buffer.from(payload) };
    this.published.push(message);
    for (const s of this.subs) if (topicMatches(s.pattern, topic)) await s.handler(message);
  }
  async close(): Promise<void> {}
  /** The watch requests sent so far, as [device, leaseMs]. */
  watches(): [string, number][] {
    return this.published
      .filter((m) => m.topic.endsWith('/request/watch'))
      .map((m) => [m.topic.split('/')[3]!, (JSON.parse(m.payload.toString()) as WatchRequest).leaseMs]);
  }
}

class Socket implements LiveSocket {
  bufferedAmount = 0;
  readyState = 1;
  readonly sent: { type: string; frame?: VideoFrame }[] = [];
  send(data: Buffer): void {
    this.sent.push(JSON.parse(data.toString()) as { type: string });
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
  pictures(): VideoFrame[] {
    return this.sent.filter((m) => m.type === 'video').map((m) => m.frame!);
  }
}

const picture = (cameraId: string, at: number): VideoFrame => ({
  v: 1,
  cameraId,
  at,
  frame: at,
  width: 64,
  height: 48,
  sourceWidth: 64,
  sourceHeight: 48,
  jpeg: '/9j/AAAA',
});
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 200) throw new Error(`never: ${what}`);
    await tick(20);
  }
}

describe('live video in the feed', () => {
  const feeds: LiveFeed[] = [];
  afterEach(() => {
    for (const f of feeds.splice(0)) f.close();
  });

  async function setup(renewMs: number, instanceId?: string, shared?: MemoryBus) {
    const cameras: Record<string, { storeId: string; deviceId: string | null }> = {
      'cam-a': { storeId: 'store-a', deviceId: 'dev-a' },
    };
    const repos = {
      devices: { find: async (id: string) => (id.startsWith('dev-') ? { storeId: 'store-a' } : undefined) },
      cameras: { find: async (id: string) => cameras[id] },
    } as unknown as Pick<Repositories, 'devices' | 'cameras'>;
    const feed = new LiveFeed({
      repos,
      log: { debug() {}, info() {}, warn() {}, error() {} },
      limits: { videoLeaseMs: 10_000, videoRenewMs: renewMs },
      ...(instanceId ? { instanceId } : {}),
    });
    feeds.push(feed);
    const bus = shared ?? new MemoryBus();
    await feed.attach(bus);
    const socket = new Socket();
    const principal = {
      userId: 'u',
      name: 'u',
      role: 'viewer' as const,
      storeIds: ['store-a'],
      sessionId: 's',
    };
    const client = feed.connect(socket, { principal, token: 't', verify: async () => principal });
    await feed.receive(client, JSON.stringify({ type: 'watch', cameraId: 'cam-a' }));
    const before = bus.watches().length;
    await until(() => bus.watches().length === before + 1, 'the first watch request');
    const send = (deviceId: string, topicCamera: string, frame: VideoFrame) =>
      bus.publish(topics.video(deviceId, topicCamera), JSON.stringify(frame));
    return { feed, bus, socket, client, cameras, send };
  }

  it('two hubs on one broker: each names itself, so one hub stopping leaves the box sending for the other', async () => {
    const box = new VideoLeases(() => 0);
    const a = await setup(60_000, 'hub-a');
    const b = await setup(60_000, 'hub-b', a.bus);
    const requests = () =>
      a.bus.published
        .filter((m) => m.topic.endsWith('/request/watch'))
        .map((m) => JSON.parse(m.payload.toString()) as WatchRequest);
    for (const r of requests()) box.renew(r.cameraId, r.leaseMs, r.hub);
    expect(requests().map((r) => r.hub)).toEqual(['hub-a', 'hub-b']);
    await b.feed.receive(b.client, JSON.stringify({ type: 'unwatch', cameraId: 'cam-a' }));
    await until(() => requests().length === 3, 'hub B stopping');
    const stop = requests()[2]!;
    expect(stop).toMatchObject({ hub: 'hub-b', leaseMs: 0 });
    box.renew(stop.cameraId, stop.leaseMs, stop.hub);
    expect(box.active('cam-a')).toBe(true);
  });

  it('renews the lease while someone watches, and stops renewing once the last watcher leaves', async () => {
    const s = await setup(50);
    await until(() => s.bus.watches().length >= 3, 'two renewals');
    expect(new Set(s.bus.watches().map(([d, lease]) => `${d} ${lease}`))).toEqual(new Set(['dev-a 10000']));
    // Every request is one the box would accept.
    for (const m of s.bus.published) expect(incoming('request', m.payload).ok).toBe(true);
    await s.feed.receive(s.client, JSON.stringify({ type: 'unwatch', cameraId: 'cam-a' }));
    const stopped = s.bus.watches().length;
    expect(s.bus.watches().at(-1)).toEqual(['dev-a', 0]);
    await tick(200);
    expect(s.bus.watches()).toHaveLength(stopped); // no renewals after the last watcher left
  });

  it('asks a box that comes online again, and tells the old box to stop when the camera moved', async () => {
    const s = await setup(3_600_000);
    const online = (deviceId: string, state: 'online' | 'offline') =>
      s.feed.deviceStatus(deviceId, {
        v: 1,
        state,
        at: Date.now(),
        connection: 1,
        software: 't',
        configRevision: 1,
        outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 },
        cameras: [],
      });
    online('dev-a', 'online');
    await until(() => s.bus.watches().length === 2, 'asked again on coming online');
    online('dev-a', 'online'); // a status refresh is not a comeback
    online('dev-a', 'offline');
    s.cameras['cam-a'] = { storeId: 'store-a', deviceId: 'dev-b' };
    online('dev-a', 'online');
    await until(() => s.bus.watches().length === 4, 'the move noticed');
    expect(s.bus.watches().slice(2)).toEqual([
      ['dev-a', 0],
      ['dev-b', 10_000],
    ]);
    // Taken off every box: the box asked last is told to stop, and nobody is asked after it.
    s.cameras['cam-a'] = { storeId: 'store-a', deviceId: null };
    online('dev-b', 'offline');
    online('dev-b', 'online');
    await until(() => s.bus.watches().length === 5, 'the unassignment noticed');
    expect(s.bus.watches()[4]).toEqual(['dev-b', 0]);
  });

  it('relays pictures only from the box asked, for the camera of the topic', async () => {
    const s = await setup(3_600_000);
    await s.send('dev-a', 'cam-a', picture('cam-a', 1));
    await s.send('dev-evil', 'cam-a', picture('cam-a', 2)); // another box speaking for the camera
    await s.send('dev-a', 'cam-a', picture('cam-b', 3)); // a camera id not matching the topic
    await s.send('dev-a', 'cam-a', { ...picture('cam-a', 4), jpeg: 'not base64!' });
    await s.send('dev-a', 'cam-a', picture('cam-a', 5));
    await until(() => s.socket.pictures().length === 2, 'two pictures');
    expect(s.socket.pictures().map((p) => p.at)).toEqual([1, 5]);
    expect(s.feed.videoStats()).toMatchObject({ relayed: 2, rejected: 3, watchRequests: 1 });
  });
});
