import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import {
  Ack,
  check,
  DeviceConfig,
  DeviceStatus,
  EventBatch,
  HubStatus,
  LiveTracks,
  MAX_BATCH_EVENTS,
  MAX_LIVE_TRACKS,
  MAX_PATH_POINTS,
  parsePayload,
  SnapshotRequest,
  SnapshotResponse,
  TrackingEvent,
} from '../src/index.ts';

const at = 1_790_000_000_000;
const square: [number, number][] = [
  [10, 10],
  [100, 10],
  [100, 100],
  [10, 100],
];

const events = {
  track_started: { kind: 'track_started', cameraId: 'cam-1', at, trackId: 7, box: [10, 20, 30, 80] },
  track_ended: {
    kind: 'track_ended',
    cameraId: 'cam-1',
    at,
    trackId: 7,
    firstSeen: at - 5000,
    durationMs: 5000,
  },
  zone_entered: { kind: 'zone_entered', cameraId: 'cam-1', at, trackId: 7, zoneId: 'entrance' },
  zone_left: { kind: 'zone_left', cameraId: 'cam-1', at, trackId: 7, zoneId: 'entrance', dwellMs: 1200 },
  line_crossed: { kind: 'line_crossed', cameraId: 'cam-1', at, trackId: 7, lineId: 'door', direction: 'in' },
  visit_closed: {
    kind: 'visit_closed',
    cameraId: 'cam-1',
    at,
    trackId: 7,
    startedAt: at - 9000,
    durationMs: 9000,
    path: [
      { at: at - 9000, point: [50, 60] },
      { at, point: [70, 90] },
    ],
    zones: [{ zoneId: 'entrance', dwellMs: 1200, entries: 1 }],
  },
} as const;

const valid: Record<string, [TSchema, unknown]> = {
  DeviceStatus: [
    DeviceStatus,
    {
      v: 1,
      state: 'online',
      at,
      connection: 3,
      software: '0.1.0',
      configRevision: 2,
      outbox: { depth: 12, oldestAgeMs: 400, dropped: 0 },
      cameras: [{ cameraId: 'cam-1', state: 'running', fps: 9.5 }],
    },
  ],
  EventBatch: [EventBatch, { v: 1, sentAt: at, floor: 1, events: [{ seq: 1, event: events.zone_entered }] }],
  Ack: [Ack, { v: 1, upToSeq: 41, at }],
  DeviceConfig: [
    DeviceConfig,
    {
      v: 1,
      revision: 4,
      cameras: [
        {
          id: 'cam-1',
          name: 'Front door',
          source: 'rtsp://10.0.0.5/stream1',
          zones: [{ id: 'entrance', name: 'Entrance', polygon: square }],
          lines: [{ id: 'door', name: 'Door', start: [0, 50], end: [100, 50], inSide: 'left' }],
        },
      ],
      detector: { kind: 'hog', scoreThreshold: 0.4, everyNth: 2, motionGate: true },
      live: { enabled: true, maxFps: 5 },
    },
  ],
  LiveTracks: [
    LiveTracks,
    {
      v: 1,
      cameraId: 'cam-1',
      at,
      frame: 120,
      width: 768,
      height: 576,
      tracks: [{ id: 3, box: [1, 2, 30, 60], score: 0.8 }],
    },
  ],
  SnapshotRequest: [SnapshotRequest, { v: 1, id: 'tx-1', cameraId: 'cam-1', maxWidth: 640 }],
  SnapshotResponseOk: [
    SnapshotResponse,
    {
      v: 1,
      id: 'tx-1',
      status: 'ok',
      data: { cameraId: 'cam-1', contentType: 'image/jpeg', width: 640, height: 480, base64: '/9j/4AAQ' },
    },
  ],
  SnapshotResponseError: [
    SnapshotResponse,
    { v: 1, id: 'tx-1', status: 'error', error: 'camera cam-9 is unknown' },
  ],
  HubStatus: [HubStatus, { v: 1, state: 'offline', at }],
};

/** Returns a deep copy with `mutate` applied, so every case starts from a valid example. */
function variant<T>(value: T, mutate: (copy: Record<string, unknown>) => void): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  mutate(copy);
  return copy;
}

describe('every schema accepts its valid example', () => {
  it.each(Object.entries(valid))('%s', (_name, [schema, value]) => {
    const r = check(schema, value);
    expect(r.ok ? 'ok' : r.error).toBe('ok');
  });
  it.each(Object.entries(events))('event %s', (_kind, value) => {
    expect(check(TrackingEvent, value).ok).toBe(true);
  });
  it('a config may leave every-Nth and the score to the box', () => {
    const auto = variant(valid.DeviceConfig![1], (c) => {
      c.detector = { kind: 'yolox', scoreThreshold: 'auto', everyNth: 'auto', motionGate: false };
    });
    const r = check(DeviceConfig, auto);
    expect(r.ok ? 'ok' : r.error).toBe('ok');
  });
});

describe('schemas reject malformed payloads', () => {
  const cases: [string, TSchema, unknown][] = [
    ['status without protocol version', DeviceStatus, variant(valid.DeviceStatus![1], (c) => delete c.v)],
    ['status of a future protocol version', DeviceStatus, variant(valid.DeviceStatus![1], (c) => (c.v = 2))],
    [
      'status with a string depth',
      DeviceStatus,
      variant(valid.DeviceStatus![1], (c) => (c.outbox = { depth: '3', oldestAgeMs: 0, dropped: 0 })),
    ],
    [
      'status with an unknown state',
      DeviceStatus,
      variant(valid.DeviceStatus![1], (c) => (c.state = 'sleeping')),
    ],
    ['batch without events', EventBatch, { v: 1, sentAt: at, floor: 1, events: [] }],
    [
      'batch over the size limit',
      EventBatch,
      {
        v: 1,
        sentAt: at,
        events: Array.from({ length: MAX_BATCH_EVENTS + 1 }, (_, i) => ({
          seq: i + 1,
          event: events.zone_entered,
        })),
      },
    ],
    [
      'batch with seq 0',
      EventBatch,
      { v: 1, sentAt: at, floor: 1, events: [{ seq: 0, event: events.zone_entered }] },
    ],
    [
      'batch with fractional seq',
      EventBatch,
      { v: 1, sentAt: at, floor: 1, events: [{ seq: 1.5, event: events.zone_entered }] },
    ],
    ['ack with NaN', Ack, { v: 1, upToSeq: Number.NaN, at }],
    ['ack with negative seq', Ack, { v: 1, upToSeq: -1, at }],
    ['ack with extra fields', Ack, { v: 1, upToSeq: 1, at, admin: true }],
    [
      'config with a 2-point polygon',
      DeviceConfig,
      variant(valid.DeviceConfig![1], (c) => {
        const cams = c.cameras as { zones: { polygon: unknown }[] }[];
        cams[0]!.zones[0]!.polygon = [
          [0, 0],
          [1, 1],
        ];
      }),
    ],
    [
      'config with everyNth 0',
      DeviceConfig,
      variant(
        valid.DeviceConfig![1],
        (c) => (c.detector = { kind: 'hog', scoreThreshold: 0.4, everyNth: 0, motionGate: true }),
      ),
    ],
    [
      'config with an every-Nth that is neither a number nor auto',
      DeviceConfig,
      variant(
        valid.DeviceConfig![1],
        (c) => (c.detector = { kind: 'hog', scoreThreshold: 'auto', everyNth: 'fast', motionGate: true }),
      ),
    ],
    [
      'config with unknown detector',
      DeviceConfig,
      variant(
        valid.DeviceConfig![1],
        (c) => (c.detector = { kind: 'magic', scoreThreshold: 0.4, everyNth: 1, motionGate: true }),
      ),
    ],
    [
      'live with too many boxes',
      LiveTracks,
      variant(
        valid.LiveTracks![1],
        (c) =>
          (c.tracks = Array.from({ length: MAX_LIVE_TRACKS + 1 }, (_, i) => ({
            id: i + 1,
            box: [0, 0, 1, 1],
            score: 1,
          }))),
      ),
    ],
    [
      'live with a negative box width',
      LiveTracks,
      variant(valid.LiveTracks![1], (c) => (c.tracks = [{ id: 1, box: [0, 0, -5, 1], score: 1 }])),
    ],
    [
      'live with an infinite coordinate',
      LiveTracks,
      variant(
        valid.LiveTracks![1],
        (c) => (c.tracks = [{ id: 1, box: [Number.POSITIVE_INFINITY, 0, 5, 1], score: 1 }]),
      ),
    ],
    ['snapshot request with a topic-unsafe id', SnapshotRequest, { v: 1, id: 'a/b', cameraId: 'cam-1' }],
    ['snapshot ok without data', SnapshotResponse, { v: 1, id: 'tx-1', status: 'ok' }],
    [
      'snapshot with non-base64 data',
      SnapshotResponse,
      variant(valid.SnapshotResponseOk![1], (c) => ((c.data as { base64: string }).base64 = 'not base64!')),
    ],
    ['zone_left with negative dwell', TrackingEvent, { ...events.zone_left, dwellMs: -1 }],
    ['track_ended with negative duration', TrackingEvent, { ...events.track_ended, durationMs: -100 }],
    ['event without camera', TrackingEvent, variant(events.zone_entered, (c) => delete c.cameraId)],
    ['event with a string time', TrackingEvent, { ...events.zone_entered, at: '2026-11-27T10:00:00Z' }],
    ['event of an unknown kind', TrackingEvent, { ...events.zone_entered, kind: 'teleported' }],
    ['line crossing sideways', TrackingEvent, { ...events.line_crossed, direction: 'sideways' }],
    ['track id 0', TrackingEvent, { ...events.zone_entered, trackId: 0 }],
    [
      'visit with an oversized path',
      TrackingEvent,
      {
        ...events.visit_closed,
        path: Array.from({ length: MAX_PATH_POINTS + 1 }, (_, i) => ({ at: at + i, point: [1, 1] })),
      },
    ],
    [
      'visit with NaN in its path',
      TrackingEvent,
      { ...events.visit_closed, path: [{ at, point: [Number.NaN, 1] }] },
    ],
  ];
  it.each(cases)('%s', (_name, schema, value) => {
    const r = check(schema, value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
  });
});

describe('parsePayload', () => {
  it('parses a valid buffer', () => {
    const r = parsePayload(Ack, Buffer.from(JSON.stringify({ v: 1, upToSeq: 5, at })));
    expect(r).toEqual({ ok: true, value: { v: 1, upToSeq: 5, at } });
  });
  it('rejects invalid JSON without throwing', () => {
    expect(parsePayload(Ack, Buffer.from('{"v":1,'))).toEqual({
      ok: false,
      error: 'payload is not valid JSON',
    });
  });
  it('rejects an oversized payload before parsing it', () => {
    const r = parsePayload(Ack, 'x'.repeat(2000), 1000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/over the 1000 byte limit/);
  });
  it('names the offending field', () => {
    const r = parsePayload(Ack, JSON.stringify({ v: 1, upToSeq: 'many', at }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('/upToSeq');
  });
});
