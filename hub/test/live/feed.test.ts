/**
 * The fan-out's per-client rules with sockets whose buffer the test controls: scoping, live boxes
 * dropped first, queued events, drop notices where the gap is, closing hopeless clients, token
 * rechecks, and the device → store cache.
 */
import type { DeviceStatus, LiveTracks, SequencedEvent, ServerMessage } from '@oskartrack/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/api/scope.ts';
import type { Repositories } from '../../src/db/repositories/index.ts';
import { LiveFeed, type LiveLimits, type LiveSocket } from '../../src/live/feed.ts';

class FakeSocket implements LiveSocket {
  bufferedAmount = 0;
  readyState = 1;
  readonly sent: ServerMessage[] = [];
  closedWith: { code: number; reason: string } | undefined;
  terminated = false;
  private callbacks: ((err?: Error) => void)[] = [];

  send(data: Buffer, _options: { binary: boolean }, cb?: (err?: Error) => void): void {
    this.sent.push(JSON.parse(data.toString()) as ServerMessage);
    if (cb) this.callbacks.push(cb);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code: code ?? 1000, reason: reason ?? '' };
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  /** The peer read everything: the buffer empties and the send callbacks run. */
  flush(): void {
    this.bufferedAmount = 0;
    for (const cb of this.callbacks.splice(0)) cb();
  }
  types(): string[] {
    return this.sent.map((m) => m.type);
  }
}

const stores: Record<string, string> = {
  'dev-a': 'store-a',
  'dev-b': 'store-b',
  'cam-a': 'store-a',
  'cam-b': 'store-b',
};
function fakeRepos(map: Record<string, string> = stores) {
  const find = async (id: string) => (map[id] ? { storeId: map[id] } : undefined);
  let lookups = 0;
  const repos = {
    devices: {
      find: (id: string) => {
        lookups++;
        return find(id);
      },
    },
    cameras: { find },
  } as unknown as Pick<Repositories, 'devices' | 'cameras'>;
  return { repos, lookups: () => lookups };
}

const principal = (storeIds: string[], role: Principal['role'] = 'viewer'): Principal => ({
  userId: `u-${storeIds.join('-') || role}`,
  name: 'someone',
  role,
  storeIds,
  sessionId: 's',
});

const events = (n: number, from = 1): SequencedEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    seq: from + i,
    event: {
      kind: 'track_started',
      cameraId: 'cam-a',
      at: 1_750_000_000_000 + i,
      trackId: i + 1,
      box: [1, 2, 3, 4],
    },
  }));

const tracks = (cameraId = 'cam-a'): LiveTracks => ({
  v: 1,
  cameraId,
  at: Date.now(),
  frame: 1,
  width: 640,
  height: 480,
  tracks: [{ id: 1, box: [1, 2, 30, 60], score: 0.9 }],
});

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('LiveFeed', () => {
  const feeds: LiveFeed[] = [];
  afterEach(() => {
    for (const f of feeds.splice(0)) f.close();
  });
  function feed(limits: Partial<LiveLimits> = {}, map?: Record<string, string>) {
    const f = new LiveFeed({
      repos: fakeRepos(map).repos,
      log: { debug() {}, info() {}, warn() {}, error() {} },
      limits: { highWaterBytes: 1000, liveHighWaterBytes: 500, maxQueueBytes: 5000, ...limits },
      tickMs: 10,
    });
    feeds.push(f);
    return f;
  }
  const join = (f: LiveFeed, p: Principal, verify = async () => p) => {
    const socket = new FakeSocket();
    const client = f.connect(socket, { principal: p, token: 't', verify });
    return { socket, client };
  };

  it('sends each store’s messages only to clients of that store; administrators get all', async () => {
    const f = feed();
    const a = join(f, principal(['store-a']));
    const b = join(f, principal(['store-b']));
    const admin = join(f, principal([], 'admin'));
    f.eventsStored('dev-a', events(2));
    f.liveTracks('dev-a', tracks());
    f.eventsStored('dev-b', events(1));
    f.eventsStored('dev-unknown', events(1));
    await tick(); // first lookups
    f.eventsStored('dev-a', events(1, 3)); // cached: at once
    expect(a.socket.types()).toEqual(['hello', 'events', 'live', 'events']);
    expect(b.socket.types()).toEqual(['hello', 'events']);
    // Live boxes wait for one more lookup (their camera's store) the first time: order across kinds may differ.
    expect(admin.socket.types().sort()).toEqual(['events', 'events', 'events', 'hello', 'live']);
    for (const m of a.socket.sent) if ('storeId' in m) expect(m.storeId).toBe('store-a');
  });

  it('sends a new client the latest status of each device of its stores, camera gaps included', async () => {
    const f = feed();
    const status = (at: number, state: 'running' | 'reconnecting'): DeviceStatus => ({
      v: 1,
      state: 'online',
      at,
      connection: 1,
      software: 'test',
      configRevision: 1,
      outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 },
      cameras: [
        {
          cameraId: 'cam-a',
          state,
          fps: 0,
          problem: 'unreachable',
          since: at,
          lastFrameAt: at - 5000,
          gaps: 3,
          gapMs: 120_000,
        },
      ],
    });
    f.deviceStatus('dev-a', status(1_000, 'running'));
    f.deviceStatus('dev-a', status(2_000, 'reconnecting'));
    f.deviceStatus('dev-b', status(2_000, 'running'));
    await tick();
    const a = join(f, principal(['store-a']));
    const admin = join(f, principal([], 'admin'));
    await tick();
    expect(a.socket.sent).toEqual([
      expect.objectContaining({ type: 'hello' }),
      { type: 'status', storeId: 'store-a', deviceId: 'dev-a', status: status(2_000, 'reconnecting') },
    ]);
    expect(admin.socket.types()).toEqual(['hello', 'status', 'status']);
  });

  it('refuses live boxes naming a camera of another store', async () => {
    const f = feed();
    const a = join(f, principal(['store-a']));
    const b = join(f, principal(['store-b']));
    f.liveTracks('dev-a', tracks('cam-b'));
    await tick();
    expect(a.socket.types()).toEqual(['hello']);
    expect(b.socket.types()).toEqual(['hello']);
    expect(f.stats().rejectedLive).toBe(1);
  });

  it('drops live boxes first for a congested socket, queues events, and sends them as it drains', async () => {
    const f = feed();
    f.liveTracks('dev-a', tracks()); // warm the cache
    await tick();
    const { socket } = join(f, principal(['store-a']));
    socket.bufferedAmount = 600; // above the live mark, below the high-water mark
    f.liveTracks('dev-a', tracks());
    f.eventsStored('dev-a', events(1, 10));
    expect(socket.types()).toEqual(['hello', 'events']);
    socket.bufferedAmount = 2000; // above the high-water mark: events wait in the queue
    f.eventsStored('dev-a', events(1, 11));
    f.liveTracks('dev-a', tracks());
    expect(socket.types()).toEqual(['hello', 'events']);
    socket.flush();
    expect(socket.types()).toEqual(['hello', 'events', 'events']);
    expect(f.stats().droppedLive).toBe(2);
    expect(socket.sent.some((m) => m.type === 'dropped')).toBe(false); // boxes alone: no notice
  });

  it('drops events past the queue limit and says so where the stream resumes', async () => {
    const f = feed({ maxQueueBytes: 3000 });
    f.eventsStored('dev-a', events(1));
    await tick();
    const { socket } = join(f, principal(['store-a']));
    socket.bufferedAmount = 5000;
    let seq = 100;
    for (let i = 0; i < 20; i++) {
      f.eventsStored('dev-a', events(5, seq));
      seq += 5;
    }
    expect(socket.types()).toEqual(['hello']);
    const dropped = f.stats().droppedEvents;
    expect(dropped).toBeGreaterThan(0);
    socket.flush(); // the queue goes out, then the notice
    const after = socket.sent.slice(1);
    expect(after.at(-1)).toEqual({ type: 'dropped', events: dropped, messages: 0, live: 0 });
    const delivered = after.filter((m) => m.type === 'events').reduce((n, m) => n + m.events.length, 0);
    expect(delivered + dropped).toBe(100);
    // Delivered events are a prefix: the gap is at the end, where the notice is.
    const seqs = after.flatMap((m) => (m.type === 'events' ? m.events.map((e) => e.seq) : []));
    expect(seqs).toEqual(Array.from({ length: delivered }, (_, i) => 100 + i));
    f.eventsStored('dev-a', events(1, 999));
    expect(socket.sent.at(-1)?.type).toBe('events');
  });

  it('puts the notice before the next message when the queue has room again', async () => {
    const f = feed({ maxQueueBytes: 600 });
    f.eventsStored('dev-a', events(1));
    await tick();
    const { socket } = join(f, principal(['store-a']));
    socket.bufferedAmount = 5000;
    f.eventsStored('dev-a', events(3, 10)); // queued
    f.eventsStored('dev-a', events(3, 20)); // does not fit: dropped
    socket.bufferedAmount = 5000; // still congested, but this message fits after a partial drain
    f.jobUpdated({
      id: '00000000-0000-4000-8000-000000000000',
      storeId: 'store-a',
      cameraId: 'cam-a',
      fileName: 'x.avi',
      sizeBytes: 1,
      detector: 'hog',
      state: 'queued',
      framesDone: 0,
      framesTotal: null,
      fps: null,
      error: null,
      summary: null,
      startTime: new Date().toISOString(),
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
    }); // dropped too (another kind of message)
    socket.flush();
    expect(socket.types()).toEqual(['hello', 'events', 'dropped']);
    expect(socket.sent[2]).toEqual({ type: 'dropped', events: 3, messages: 1, live: 0 });
  });

  it('closes a client that missed too many events with 1013', async () => {
    const f = feed({ maxQueueBytes: 500, closeAfterDroppedEvents: 20 });
    f.eventsStored('dev-a', events(1));
    await tick();
    const slow = join(f, principal(['store-a']));
    const fast = join(f, principal(['store-a']));
    slow.socket.bufferedAmount = 10_000;
    for (let i = 0; i < 10; i++) {
      f.eventsStored('dev-a', events(5, 10 + i * 5));
      fast.socket.flush();
    }
    expect(slow.socket.closedWith?.code).toBe(1013);
    expect(f.stats()).toMatchObject({ clients: 1, closedSlow: 1 });
    expect(fast.socket.types().filter((t) => t === 'events')).toHaveLength(10);
  });

  it('closes a client whose queue does not move for stallMs with 1013', async () => {
    const f = feed({ stallMs: 40 });
    f.eventsStored('dev-a', events(1));
    await tick();
    const { socket } = join(f, principal(['store-a']));
    socket.bufferedAmount = 5000;
    f.eventsStored('dev-a', events(1, 10));
    await tick(120);
    expect(socket.closedWith?.code).toBe(1013);
  });

  it('checks the token again: a changed scope applies, a refused token closes with 1008', async () => {
    const f = feed({ recheckMs: 20 });
    f.eventsStored('dev-b', events(1));
    await tick();
    let current = principal(['store-a']);
    let refuse = false;
    const { socket } = join(f, current, async () => {
      if (refuse) throw new Error('your session has ended; sign in again');
      return current;
    });
    f.eventsStored('dev-b', events(1, 5));
    expect(socket.types()).toEqual(['hello']);
    current = { ...current, storeIds: ['store-a', 'store-b'] };
    await tick(80);
    f.eventsStored('dev-b', events(1, 6));
    expect(socket.types()).toEqual(['hello', 'events']);
    refuse = true;
    await tick(80);
    expect(socket.closedWith).toEqual({ code: 1008, reason: 'your session has ended; sign in again' });
  });

  it('handles subscribe, unsubscribe, auth and ping messages', async () => {
    const f = feed();
    const p = principal(['store-a']);
    const { socket, client } = join(f, p);
    await f.receive(client, '{"type":"subscribe","cameraId":"cam-b"}');
    expect(socket.sent.at(-1)).toEqual({ type: 'error', message: 'there is no camera cam-b in your stores' });
    await f.receive(client, '{"type":"subscribe","cameraId":"cam-a"}');
    expect(socket.sent.at(-1)).toEqual({ type: 'subscribed', live: ['cam-a'] });
    await f.receive(client, '{"type":"unsubscribe","cameraId":"cam-a"}');
    expect(socket.sent.at(-1)).toEqual({ type: 'subscribed', live: [] });
    f.liveTracks('dev-a', tracks());
    await tick();
    expect(socket.sent.at(-1)?.type).toBe('subscribed');
    await f.receive(client, '{"type":"subscribe"}');
    expect(socket.sent.at(-1)).toEqual({ type: 'subscribed', live: 'all' });
    await f.receive(client, 'not json');
    expect(socket.sent.at(-1)?.type).toBe('error');
    await f.receive(client, '{"type":"shout"}');
    expect(socket.sent.at(-1)?.type).toBe('error');
    await f.receive(client, '{"type":"auth","token":"fresh"}');
    expect(socket.sent.at(-1)).toMatchObject({ type: 'hello', stores: ['store-a'] });
    expect(client.token).toBe('fresh');
    await f.receive(client, '{"type":"ping","id":"7"}');
    expect(socket.sent.at(-1)).toEqual({ type: 'pong', id: '7' });
  });

  it('follows a device to another store once the cache is cleared', async () => {
    const map = { ...stores };
    const f = feed({}, map);
    const a = join(f, principal(['store-a']));
    const b = join(f, principal(['store-b']));
    f.eventsStored('dev-a', events(1));
    await tick();
    map['dev-a'] = 'store-b';
    f.forgetStores();
    f.eventsStored('dev-a', events(1, 2));
    await tick();
    expect(a.socket.types()).toEqual(['hello', 'events']);
    expect(b.socket.types()).toEqual(['hello', 'events']);
  });

  it('closes every client with 1001 when the hub stops', () => {
    const f = feed();
    const a = join(f, principal(['store-a']));
    f.close();
    expect(a.socket.closedWith?.code).toBe(1001);
    expect(f.stats().clients).toBe(0);
  });
});
