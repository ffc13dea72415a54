import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoff, connectLive, jobFailed, jobFinished, jobOf, parseLiveMessage } from '../src/lib/live.ts';

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
          tracks: [
            { id: 3, box: [10, 20, 30, 40], score: 0.9 },
            { id: 'x', box: [1, 2] },
          ],
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
          { seq: 3, event: { cameraId: 'cam' } },
        ],
      }),
    );
    expect(m).toHaveLength(2);
    expect(m[0]).toMatchObject({
      type: 'event',
      event: { kind: 'zone_entered', zoneId: 'door', storeId: 's', trackId: 2 },
    });
    expect(m[1]).toMatchObject({ event: { kind: 'line_crossed', direction: 'out', lineId: 'l' } });
  });

  it('reads device status, job progress, dropped notices; ignores the rest', () => {
    expect(
      parseLiveMessage(
        JSON.stringify({
          type: 'status',
          storeId: 's',
          deviceId: 'box',
          status: { state: 'offline', configRevision: 4, outbox: { depth: 12, oldestAgeMs: 0, dropped: 0 } },
        }),
      ),
    ).toEqual([
      { type: 'device', deviceId: 'box', online: false, outboxDepth: 12, configRevision: 4, cameras: [] },
    ]);
    const job = parseLiveMessage(
      JSON.stringify({
        type: 'job',
        job: { id: 'j1', state: 'processing', framesDone: 50, framesTotal: 200, cameraId: 'c' },
      }),
    );
    expect(job).toEqual([
      {
        type: 'job',
        job: expect.objectContaining({ jobId: 'j1', state: 'processing', progress: 0.25, cameraId: 'c' }),
      },
    ]);
    expect(
      parseLiveMessage(JSON.stringify({ type: 'dropped', events: 3, messages: 0, live: 9 }))[0],
    ).toMatchObject({
      type: 'notice',
      text: expect.stringContaining('3 events'),
    });
    expect(parseLiveMessage(JSON.stringify({ type: 'dropped', events: 0, messages: 0, live: 9 }))).toEqual(
      [],
    );
    expect(parseLiveMessage('{"type":"hello","userId":"u"}')).toEqual([]);
    expect(parseLiveMessage('not json')).toEqual([]);
    expect(parseLiveMessage('[1,2]')).toEqual([]);
  });

  it('reads upload progress in its several forms', () => {
    expect(jobOf({ state: 'queued', framesDone: 0, framesTotal: null }, 'j').progress).toBe(0);
    expect(jobOf({ state: 'processing', percent: 40 }, 'j').progress).toBe(0.4);
    expect(jobOf({ state: 'processing', progress: 55 }, 'j').progress).toBe(0.55);
    const done = jobOf({ state: 'done', framesDone: 10, framesTotal: 12, summary: { visitors: 3 } }, 'j');
    expect(done.progress).toBe(1);
    expect(jobFinished(done)).toBe(true);
    expect(done.summary).toMatchObject({ visitors: 3 });
    expect(jobFailed(jobOf({ state: 'failed', error: 'cannot decode' }, 'j'))).toBe(true);
    expect(jobOf({ state: 'failed', error: 'cannot decode' }, 'j').message).toBe('cannot decode');
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
        cameraId: 'cam',
        tracks: { at: 1, width: 2, height: 2, tracks: [] },
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
