import { type EventBatch, PROTOCOL_VERSION } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { DbInputError } from '../../src/db/errors.ts';
import type { Refusal } from '../../src/ingest/device-gate.ts';
import { DeviceQueues, type GroupHandler } from '../../src/ingest/device-queue.ts';
import { RateLimitedLog } from '../../src/ingest/rate-limited-log.ts';
import { memoryLog } from './helpers.ts';

function batch(first: number, n = 1): EventBatch {
  const events = Array.from({ length: n }, (_, i) => ({
    seq: first + i,
    event: {
      kind: 'track_started' as const,
      cameraId: 'cam',
      at: 1_000 + first + i,
      trackId: first + i,
      box: [0, 0, 10, 10] as [number, number, number, number],
    },
  }));
  return { v: PROTOCOL_VERSION, sentAt: 1_000, floor: first, events };
}

function queues(handle: GroupHandler, over: Partial<ConstructorParameters<typeof DeviceQueues>[0]> = {}) {
  const log = memoryLog();
  return new DeviceQueues({
    handle,
    log,
    limited: new RateLimitedLog(log),
    concurrency: 2,
    maxQueuePerDevice: 64,
    maxGroupEvents: 2000,
    maxRetries: 3,
    retryDelayMs: 1,
    maxRetryDelayMs: 4,
    ...over,
  });
}

describe('ingest device queues', () => {
  it('keeps one device in arrival order, merging queued batches into groups', async () => {
    const groups: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const q = queues(async (_id, group) => {
      if (groups.length === 0) await gate; // the first group holds the line while more arrive
      groups.push(group.map((b) => b.batch.events[0]!.seq));
      return undefined;
    });
    for (const first of [1, 2, 3, 4]) q.offer('d', batch(first));
    release();
    await q.idle();
    expect(groups).toEqual([[1], [2, 3, 4]]);
  });

  it('drops a batch when the device queue is full, never another device', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const q = queues(
      async () => {
        await gate;
        return undefined;
      },
      { maxQueuePerDevice: 2 },
    );
    expect(q.offer('a', batch(1))).toBe(true);
    expect(q.offer('a', batch(2))).toBe(true);
    expect(q.offer('a', batch(3))).toBe(false);
    expect(q.offer('b', batch(1))).toBe(true);
    release();
    await q.idle();
    expect(q.stats().queueFull).toBe(1);
  });

  it('leaves out a resent batch whose seqs are all queued (or being stored), not one with a new seq', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const groups: number[][] = [];
    const q = queues(
      async (_id, group) => {
        await gate;
        groups.push(group.flatMap((b) => b.batch.events.map((e) => e.seq)));
        return undefined;
      },
      { maxQueuePerDevice: 3 },
    );
    expect(q.offer('a', batch(1, 2))).toBe(true); // being stored
    expect(q.offer('a', batch(3, 2))).toBe(true);
    for (let i = 0; i < 5; i++) {
      expect(q.offer('a', batch(1, 2))).toBe(true);
      expect(q.offer('a', batch(3, 2))).toBe(true);
    }
    expect(q.offer('a', batch(2, 2))).toBe(true); // cut at other seqs, all of them queued: left out
    expect(q.offer('a', batch(4, 2))).toBe(true); // one seq new: queued
    expect(q.offer('a', batch(6, 1))).toBe(false); // full
    release();
    await q.idle();
    expect(groups).toEqual([
      [1, 2],
      [3, 4, 4, 5],
    ]);
    expect(q.stats()).toMatchObject({ copies: 11, queueFull: 1 });
  });

  it('when full, drops its highest waiting batch for one with lower seqs (the one that closes the gap)', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const groups: number[][] = [];
    const q = queues(
      async (_id, group) => {
        await gate;
        groups.push(group.flatMap((b) => b.batch.events.map((e) => e.seq)));
        return undefined;
      },
      { maxQueuePerDevice: 3 },
    );
    expect(q.offer('a', batch(7, 2))).toBe(true); // being stored: never dropped
    expect(q.offer('a', batch(5, 2))).toBe(true);
    expect(q.offer('a', batch(9, 2))).toBe(true);
    expect(q.offer('a', batch(3, 2))).toBe(true); // lower than 9-10, which goes
    expect(q.offer('a', batch(11, 1))).toBe(false); // higher than every waiting one
    expect(q.offer('a', batch(1, 2))).toBe(true); // lower than 5-6, which goes
    release();
    await q.idle();
    expect(groups).toEqual([
      [7, 8],
      [3, 4, 1, 2],
    ]);
    expect(q.stats().queueFull).toBe(3);
  });

  it('keeps a group waiting for its retry when full: room is made from the batches behind it', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    const stored: number[] = [];
    const q = queues(
      async (_id, group) => {
        if (++calls === 1) throw new Error('connection refused');
        await gate;
        stored.push(...group.flatMap((b) => b.batch.events.map((e) => e.seq)));
        return undefined;
      },
      { maxQueuePerDevice: 2, retryDelayMs: 1000, maxRetryDelayMs: 1000 },
    );
    expect(q.offer('a', batch(7, 2))).toBe(true);
    while (q.stats().dbErrors === 0) await new Promise((r) => setTimeout(r, 5));
    expect(q.offer('a', batch(5, 2))).toBe(true);
    expect(q.offer('a', batch(3, 2))).toBe(true); // 5-6 goes, not 7-8 waiting for its retry
    release();
    await q.idle();
    expect(stored.sort((a, b) => a - b)).toEqual([3, 4, 7, 8]);
  });

  it('retries a group while the database fails, then gives up unacknowledged after maxRetries', async () => {
    let calls = 0;
    const q = queues(async () => {
      calls++;
      if (calls <= 2) throw new Error('connection refused');
      return undefined;
    });
    await q.submit('d', batch(1));
    expect(calls).toBe(3);
    expect(q.stats()).toMatchObject({ dbErrors: 2, retries: 2, failedGroups: 0 });

    const failing = queues(async () => {
      throw new Error('connection refused');
    });
    await expect(failing.submit('d', batch(1))).rejects.toThrow(/kept failing/);
    expect(failing.stats()).toMatchObject({ dbErrors: 4, retries: 3, failedGroups: 1 });
  });

  it('drops bad input at once, and a refused device loses its broker batches only', async () => {
    const bad = queues(async () => {
      throw new DbInputError('unknown device');
    });
    await expect(bad.submit('d', batch(1))).rejects.toBeInstanceOf(DbInputError);
    expect(bad.stats()).toMatchObject({ failedGroups: 1, retries: 0 });

    const seen: boolean[][] = [];
    const q = queues(async (_id, group): Promise<Refusal | undefined> => {
      seen.push(group.map((b) => b.viaBroker));
      return group.some((b) => b.viaBroker) ? 'revoked' : undefined;
    });
    q.offer('d', batch(1));
    const submitted = q.submit('d', batch(2));
    await submitted;
    await q.idle();
    expect(q.stats().refused).toBe(1);
    expect(seen.at(-1)).toEqual([false]);
  });
});
