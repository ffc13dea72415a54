import type { UploadJob } from '@oskartrack/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoff, connectLive, jobFailed, jobFinished, jobOf, parseLiveMessage } from '../src/lib/live.ts';

const job = (over: Partial<UploadJob> = {}): UploadJob => ({
  id: '0b5e4d8e-7c1a-4a53-9f3e-2d1c0b9a8f7e',
  storeId: 's',
  cameraId: 'c',
  fileName: 'door.mp4',
  sizeBytes: 1000,
  detector: 'hog',
  state: 'processing',
  framesDone: 50,
  framesTotal: 200,
  fps: 25,
  error: null,
  summary: null,
  startTime: '2025-06-01T09:00:00.000Z',
  createdAt: '2025-06-01T10:00:00.000Z',
  startedAt: '2025-06-01T10:00:01.000Z',
  finishedAt: null,
  ...over,
});

const status = (state: 'online' | 'offline') => ({
  v: 1,
  state,
  at: 1000,
  connection: 2,
  software: '0.1.0',
  configRevision: 4,
  outbox: { depth: 12, oldestAgeMs: 0, dropped: 0 },
  cameras: [{ cameraId: 'cam', state: 'reconnecting', fps: 0, problem: 'unreachable', since: 900, gaps: 1 }],
});

describe('reading the live feed', () => {
  it("reads the hub's `live` message (boxes of a camera)", () => {
    const m = parseLiveMessage(
      JSON.stringify({
        type: 'live',
        storeId: 's',
        deviceId: 'd',
        cameraId: 'cam',
        tracks: {
          v: 1,
          cameraId: 'cam',
          at: 1000,
          frame: 7,
          width: 768,
          height: 576,
          tracks: [{ id: 3, box: [10, 20, 30, 40], score: 0.9 }],
        },
      }),
    );
    expect(m).toEqual([
      {
        type: 'tracks',
        cameraId: 'cam',
        at: 1000,
        width: 768,
        height: 576,
        tracks: [{ id: 3, box: [10, 20, 30, 40], score: 0.9 }],
      },
    ]);
  });

  it('reads every event of an `events` message', () => {
    const m = parseLiveMessage(
      JSON.stringify({
        type: 'events',
        storeId: 's',
        deviceId: 'd',
        events: [
          { seq: 1, event: { kind: 'zone_entered', cameraId: 'cam', at: 5, trackId: 2, zoneId: 'door' } },
          {
            seq: 2,
            event: {
              kind: 'line_crossed',
              cameraId: 'cam',
              at: 6,
              trackId: 2,
              lineId: 'l',
              direction: 'out',
            },
          },
        ],
      }),
    );
    expect(m).toHaveLength(2);
    expect(m[0]).toMatchObject({
      type: 'event',
      event: { kind: 'zone_entered', zoneId: 'door', storeId: 's', trackId: 2, lineId: null },
    });
    expect(m[1]).toMatchObject({ event: { kind: 'line_crossed', direction: 'out', lineId: 'l' } });
  });

  it('reads device status with its cameras, job progress and dropped notices', () => {
    expect(
      parseLiveMessage(
        JSON.stringify({ type: 'status', storeId: 's', deviceId: 'box', status: status('offline') }),
      ),
    ).toEqual([
      {
        type: 'device',
        deviceId: 'box',
        online: false,
        outboxDepth: 12,
        configRevision: 4,
        cameras: [
          { cameraId: 'cam', state: 'reconnecting', fps: 0, problem: 'unreachable', since: 900, gaps: 1 },
        ],
      },
    ]);
    expect(parseLiveMessage(JSON.stringify({ type: 'job', job: job() }))).toEqual([
      {
        type: 'job',
        job: expect.objectContaining({ jobId: job().id, state: 'processing', progress: 0.25, cameraId: 'c' }),
      },
    ]);
    expect(
      parseLiveMessage(JSON.stringify({ type: 'dropped', events: 3, messages: 0, live: 9 }))[0],
    ).toMatchObject({ type: 'notice', text: expect.stringContaining('3 events') });
    expect(parseLiveMessage(JSON.stringify({ type: 'dropped', events: 0, messages: 0, live: 9 }))).toEqual(
      [],
    );
    expect(parseLiveMessage(JSON.stringify({ type: 'error', message: 'unknown message' }))).toEqual([
      { type: 'notice', text: 'unknown message' },
    ]);
    expect(parseLiveMessage('{"type":"hello","userId":"u","role":"admin","stores":"all"}')).toEqual([]);
  });

  it('ignores frames that are not what the hub sends', () => {
    // A message the hub sends, with one field of the wrong shape: left out, not half read.
    expect(
      parseLiveMessage(
        JSON.stringify({ type: 'status', storeId: 's', deviceId: 'box', status: { state: 'online' } }),
      ),
    ).toEqual([]);
    expect(parseLiveMessage(JSON.stringify({ type: 'job', job: { ...job(), framesDone: -1 } }))).toEqual([]);
    expect(parseLiveMessage(JSON.stringify({ type: 'unheard-of', storeId: 's' }))).toEqual([]);
    expect(parseLiveMessage('not json')).toEqual([]);
    expect(parseLiveMessage('[1,2]')).toEqual([]);
  });

  it("reads an upload job's progress", () => {
    expect(jobOf(job({ state: 'queued', framesDone: 0, framesTotal: null })).progress).toBe(0);
    const done = jobOf(
      job({
        state: 'done',
        framesDone: 10,
        framesTotal: 12,
        summary: { events: {}, visitors: 3, visits: 2, lines: [], zones: [], videoSeconds: 1 },
      }),
    );
    expect(done.progress).toBe(1);
    expect(jobFinished(done)).toBe(true);
    expect(done.summary).toMatchObject({ visitors: 3 });
    const failed = jobOf(job({ state: 'failed', error: 'cannot decode' }));
    expect(jobFailed(failed)).toBe(true);
    expect(failed.message).toBe('cannot decode');
  });
});

class FakeSocket {
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
}

describe('the live connection', () => {
  afterEach(() => {
    vi.useRealTimers();
    FakeSocket.all = [];
  });

  it('subscribes cameras, reconnects with a fresh token and a growing pause, stops when closed', async () => {
    vi.useFakeTimers();
    let n = 0;
    const messages: unknown[] = [];
    const states: string[] = [];
    const conn = connectLive({
      token: async () => `t${++n}`,
      onMessage: (m) => messages.push(m),
      onState: (s) => states.push(s),
      url: 'ws://hub/ws',
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    });
    conn.subscribe('cam');
    await vi.advanceTimersByTimeAsync(0);
    const first = FakeSocket.all[0]!;
    expect(first.url).toBe('ws://hub/ws?token=t1');
    first.open();
    expect(first.sent).toEqual(['{"type":"subscribe","cameraId":"cam"}']);
    first.onmessage?.({
      data: JSON.stringify({
        type: 'live',
        storeId: 's',
        deviceId: 'd',
        cameraId: 'cam',
        tracks: { v: 1, cameraId: 'cam', at: 1, frame: 1, width: 2, height: 2, tracks: [] },
      }),
    });
    expect(messages).toHaveLength(1);
    conn.reauth('fresh');
    expect(first.sent.at(-1)).toBe('{"type":"auth","token":"fresh"}');

    first.close();
    await vi.advanceTimersByTimeAsync(backoff(1) - 1);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const second = FakeSocket.all[1]!;
    expect(second.url).toBe('ws://hub/ws?token=t2');
    second.open();
    expect(second.sent).toEqual(['{"type":"subscribe","cameraId":"cam"}']);
    conn.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(states).toEqual(['connecting', 'open', 'closed', 'connecting', 'open', 'closed']);
  });

  it('waits longer after each failure, up to 30 seconds', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(backoff)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});
