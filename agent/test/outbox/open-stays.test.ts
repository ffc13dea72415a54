// A box that stops without closing its tracks (a power cut: the process is gone mid-run) closes them
// when it starts again, at the last moment it counted: otherwise the hub shows those people inside
// the store and its areas for the rest of the day.
import { check, TrackingEvent } from '@oskartrack/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/outbox/outbox.ts';
import { captureLog, tempDir } from './helpers.ts';

const T = 1_700_000_000_000;
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

function openOutbox(path: string): Outbox {
  return new Outbox(path, { logger: captureLog().logger, now: () => T });
}

const started = (trackId: number, at: number): TrackingEvent => ({
  kind: 'track_started',
  cameraId: 'door',
  at,
  trackId,
  box: [10, 10, 40, 90],
});

describe('tracks and area stays left open', () => {
  it('are closed at the next start with their visits, areas first, at the last counted moment; closed ones are not', async () => {
    const d = tempDir('oskartrack-open-stays');
    dirs.push(d);
    const path = d.file('outbox.sqlite');
    const first = openOutbox(path);
    first.append([
      started(1, T),
      started(2, T + 1000),
      { kind: 'zone_entered', cameraId: 'door', at: T + 2000, trackId: 1, zoneId: 'till' },
      { kind: 'zone_entered', cameraId: 'door', at: T + 2500, trackId: 2, zoneId: 'till' },
      { kind: 'zone_left', cameraId: 'door', at: T + 3000, trackId: 2, zoneId: 'till', dwellMs: 500 },
      {
        kind: 'track_ended',
        cameraId: 'door',
        at: T + 4000,
        trackId: 2,
        firstSeen: T + 1000,
        durationMs: 3000,
      },
      { kind: 'zone_entered', cameraId: 'door', at: T + 4500, trackId: 1, zoneId: 'shelf' },
      { kind: 'zone_left', cameraId: 'door', at: T + 5000, trackId: 1, zoneId: 'shelf', dwellMs: 500 },
      { kind: 'zone_entered', cameraId: 'door', at: T + 5500, trackId: 1, zoneId: 'shelf' },
      { kind: 'zone_left', cameraId: 'door', at: T + 6000, trackId: 1, zoneId: 'shelf', dwellMs: 500 },
      { kind: 'line_crossed', cameraId: 'door', at: T + 9000, trackId: 1, lineId: 'in', direction: 'in' },
    ]);
    const lastSeq = first.lastSeq;
    first.close(); // as the process dies: nothing closed track 1

    const again = openOutbox(path);
    expect(again.closeLeftOpen()).toBe(3);
    const added = again.claim(10, lastSeq).map((s) => s.event);
    expect(added).toEqual([
      { kind: 'zone_left', cameraId: 'door', at: T + 9000, trackId: 1, zoneId: 'till', dwellMs: 7000 },
      {
        kind: 'visit_closed',
        cameraId: 'door',
        at: T + 9000,
        trackId: 1,
        startedAt: T,
        durationMs: 9000,
        path: [],
        zones: [
          { zoneId: 'shelf', dwellMs: 1000, entries: 2 },
          { zoneId: 'till', dwellMs: 7000, entries: 1 },
        ],
      },
      { kind: 'track_ended', cameraId: 'door', at: T + 9000, trackId: 1, firstSeen: T, durationMs: 9000 },
    ]);
    for (const e of added) expect(check(TrackingEvent, e)).toEqual({ ok: true, value: e });
    expect(again.closeLeftOpen()).toBe(0); // once
    again.close();
  });
});
