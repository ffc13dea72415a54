import type { SequencedEvent } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { DeviceOccupancy } from '../../src/aggregate/occupancy.ts';
import { OccupancyTracker, SummaryAccumulator } from '../../src/aggregate/summarize.ts';

const ctx = { storeId: 's', timezone: 'UTC', zonesByCamera: new Map([['cam', new Set(['z'])]]) };
const at = Date.parse('2025-07-01T10:00:00Z');
const started = (seq: number, trackId: number): SequencedEvent => ({
  seq,
  event: { kind: 'track_started', cameraId: 'cam', at: at + seq, trackId, box: [0, 0, 10, 10] },
});
const ended = (seq: number, trackId: number): SequencedEvent => ({
  seq,
  event: { kind: 'track_ended', cameraId: 'cam', at: at + seq, trackId, firstSeen: at, durationMs: seq },
});
const inside = (o: DeviceOccupancy) => o.tracker?.snapshot().get('cam|') ?? 0;

describe('a device occupancy in seq order', () => {
  it('applies events above a gap only once the gap closes, and nothing before commit', () => {
    const o = new DeviceOccupancy(100);
    // seqs 3 and 4 arrive first: the gap-free point is 0, so they wait.
    const commit1 = o.advance(
      new OccupancyTracker(),
      [started(3, 3), ended(4, 3)],
      0,
      new SummaryAccumulator(ctx),
    );
    expect(o.tracker).toBeUndefined(); // not committed yet
    commit1();
    expect(inside(o)).toBe(0);
    // seqs 1 and 2 close the gap: 1, 2, 3 start tracks, 4 ends one.
    const commit2 = o.advance(o.tracker!, [started(1, 1), started(2, 2)], 4, new SummaryAccumulator(ctx));
    commit2();
    expect(inside(o)).toBe(2);
  });

  it('a transaction that never commits leaves the state as it was', () => {
    const o = new DeviceOccupancy(100);
    o.advance(new OccupancyTracker(), [started(1, 1)], 1, new SummaryAccumulator(ctx))();
    o.advance(o.tracker!, [started(2, 2)], 2, new SummaryAccumulator(ctx)); // no commit
    expect(inside(o)).toBe(1);
  });

  it('past maxPending the oldest waiting events are applied as they come', () => {
    const o = new DeviceOccupancy(2);
    o.advance(
      new OccupancyTracker(),
      [started(5, 5), started(6, 6), started(7, 7)],
      0,
      new SummaryAccumulator(ctx),
    )();
    expect(inside(o)).toBe(1);
  });
});
