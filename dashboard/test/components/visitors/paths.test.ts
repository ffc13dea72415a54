import { describe, expect, it } from 'vitest';
import { bucketWords, spanWords } from '../../../src/components/visitors/durations.ts';
import { areaPaths } from '../../../src/components/visitors/paths.ts';

const names: Record<string, string> = { e: 'Entrance', t: 'Till', b: 'Bakery' };
const nameOf = (id: string) => names[id] ?? 'a removed area';

describe('walks between areas in words', () => {
  it('divides each onward walk by the arrivals at the area it left', () => {
    const p = areaPaths(
      [
        { fromZoneId: null, toZoneId: 'e', count: 10 },
        { fromZoneId: 'e', toZoneId: 't', count: 4 },
        { fromZoneId: 'e', toZoneId: 'b', count: 3 },
        { fromZoneId: 'b', toZoneId: 't', count: 1 },
        { fromZoneId: null, toZoneId: 'b', count: 2 },
      ],
      nameOf,
    );
    expect(p.first).toEqual([
      { name: 'Entrance', count: 10, share: 10 / 12 },
      { name: 'Bakery', count: 2, share: 2 / 12 },
    ]);
    const entrance = p.areas.find((a) => a.name === 'Entrance')!;
    expect(entrance).toEqual({
      name: 'Entrance',
      arrivals: 10,
      next: [
        { name: 'Till', count: 4, share: 0.4 },
        { name: 'Bakery', count: 3, share: 0.3 },
      ],
      noOther: 3,
    });
    const bakery = p.areas.find((a) => a.name === 'Bakery')!;
    expect(bakery).toMatchObject({ arrivals: 5, noOther: 4, next: [{ name: 'Till', share: 0.2 }] });
    // The busiest area first; an area left to nowhere still listed.
    expect(p.areas.map((a) => a.name)).toEqual(['Entrance', 'Bakery', 'Till']);
    expect(p.areas[2]).toMatchObject({ arrivals: 5, next: [], noOther: 5 });
  });

  it('has nothing to say without walks', () => {
    expect(areaPaths([], nameOf)).toEqual({ first: [], areas: [] });
  });
});

describe('duration buckets in words', () => {
  it('names every bucket the way people say it', () => {
    expect(bucketWords({ fromMs: 0, toMs: 60_000 })).toBe('Under 1 min');
    expect(bucketWords({ fromMs: 60_000, toMs: 300_000 })).toBe('1–5 min');
    expect(bucketWords({ fromMs: 30_000, toMs: 90_000 })).toBe('30 s–1.5 min');
    expect(bucketWords({ fromMs: 900_000, toMs: null })).toBe('15 min or more');
    expect(spanWords(7_200_000)).toBe('2 h');
  });
});
