import { describe, expect, it } from 'vitest';
import { Slots } from '../../src/api/slots.ts';

describe('Slots', () => {
  it('lets `size` callers in at once and the next ones in the order they came', async () => {
    const slots = new Slots(2);
    const order: string[] = [];
    await slots.take();
    await slots.take();
    expect(slots.taken).toBe(2);
    const c = slots.take().then(() => order.push('c'));
    const d = slots.take().then(() => order.push('d'));
    expect(slots.queued).toBe(2);
    slots.give();
    await c;
    expect(order).toEqual(['c']);
    expect(slots.taken).toBe(2);
    slots.give();
    await d;
    expect(order).toEqual(['c', 'd']);
    slots.give();
    slots.give();
    expect(slots.taken).toBe(0);
    // Giving back more than was taken never makes room for more than `size`.
    slots.give();
    expect(slots.taken).toBe(0);
    await slots.take();
    await slots.take();
    expect(slots.queued).toBe(0);
    let third = false;
    void slots.take().then(() => {
      third = true;
    });
    await Promise.resolve();
    expect(third).toBe(false);
  });

  it('refuses fewer than one slot', () => {
    expect(() => new Slots(0)).toThrow(RangeError);
  });
});
