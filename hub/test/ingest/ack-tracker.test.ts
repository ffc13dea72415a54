import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AckTracker } from '../../src/ingest/ack-tracker.ts';

describe('AckTracker', () => {
  it('advances over runs, waits at gaps, and jumps to a floor', () => {
    const a = new AckTracker();
    a.addRange(11, 20);
    expect(a.upTo).toBe(0);
    a.addRange(31, 40);
    expect(a.pendingRanges).toBe(2);
    a.addRange(1, 10);
    expect(a.upTo).toBe(20);
    a.raiseTo(30);
    expect(a.upTo).toBe(40);
    expect(a.pendingRanges).toBe(0);
    a.addRange(5, 15);
    expect(a.upTo).toBe(40);
    a.addSeqs([41, 42, 44, 45]);
    expect(a.upTo).toBe(42);
    a.addSeqs([43]);
    expect(a.upTo).toBe(45);
  });

  it('holds at most maxRanges runs above a gap, dropping the highest', () => {
    const a = new AckTracker(0, 3);
    for (const s of [10, 20, 30, 40, 50]) a.addRange(s, s);
    expect(a.pendingRanges).toBe(3);
    a.addRange(1, 9);
    expect(a.upTo).toBe(10);
    a.addRange(11, 19);
    expect(a.upTo).toBe(20);
  });

  it('equals the gap-free prefix of any delivery order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 20 })), {
          maxLength: 60,
        }),
        (runs) => {
          const a = new AckTracker();
          const stored = new Set<number>();
          for (const [first, len] of runs) {
            a.addRange(first, first + len);
            for (let s = first; s <= first + len; s++) stored.add(s);
          }
          let expected = 0;
          while (stored.has(expected + 1)) expected++;
          expect(a.upTo).toBe(expected);
        },
      ),
    );
  });
});
