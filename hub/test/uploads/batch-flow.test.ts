/**
 * The worker's flow of event batches to the hub: it runs at most IN_FLIGHT batches ahead of what the
 * hub has stored, waits for every batch at the end, and a cancel lets a waiting run go on to fail.
 */
import type { TrackingEvent } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { BatchFlow, IN_FLIGHT } from '../../src/uploads/batch-flow.ts';
import type { ToHub } from '../../src/uploads/worker-messages.ts';

const event = (trackId: number): TrackingEvent => ({
  kind: 'track_started',
  cameraId: 'cam-1',
  trackId,
  at: 1_750_000_000_000 + trackId,
  box: [10, 20, 40, 80],
});

function flow() {
  const sent: ToHub[] = [];
  const f = new BatchFlow('job-1', async (msg) => {
    sent.push(msg);
  });
  return { f, sent };
}

/** Whether `p` has settled once pending callbacks have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let i = 0; i < 20; i++) await Promise.resolve();
  return done;
}

describe('BatchFlow', () => {
  it(`sends ${IN_FLIGHT} batches ahead, then waits for the hub to store one`, async () => {
    const { f, sent } = flow();
    for (let i = 1; i < IN_FLIGHT; i++) await f.send([event(i)]);
    const blocked = f.send([event(IN_FLIGHT)]);
    expect(await settled(blocked)).toBe(false);
    expect(sent).toHaveLength(IN_FLIGHT);
    expect(sent.every((m) => m.type === 'events' && m.id === 'job-1')).toBe(true);
    f.stored();
    expect(await settled(blocked)).toBe(true);

    // IN_FLIGHT - 1 batches not stored yet: the end waits for the last one.
    const end = f.allStored();
    for (let i = 2; i < IN_FLIGHT; i++) f.stored();
    expect(await settled(end)).toBe(false);
    f.stored();
    expect(await settled(end)).toBe(true);
  });

  it('lets a waiting run go on after a cancel, and fails its next batch', async () => {
    const { f, sent } = flow();
    for (let i = 1; i < IN_FLIGHT; i++) await f.send([event(i)]);
    const blocked = f.send([event(IN_FLIGHT)]);
    f.cancel();
    await expect(blocked).rejects.toThrow('stopped by the hub');
    await expect(f.send([event(99)])).rejects.toThrow('stopped by the hub');
    expect(sent).toHaveLength(IN_FLIGHT);
  });
});
