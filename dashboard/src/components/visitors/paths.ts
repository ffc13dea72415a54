/**
 * Walks between areas (the hub's flows) turned into what an owner reads: which area people walked
 * into first, and for each area, where the people who went there went next.
 */

export interface Flow {
  /** null: the first area a person walked into. */
  fromZoneId: string | null;
  toZoneId: string;
  count: number;
}

export interface NextArea {
  name: string;
  count: number;
  /** 0..1 of the people who went to the area before. */
  share: number;
}

export interface AreaOnward {
  name: string;
  /** How many times people walked into this area. */
  arrivals: number;
  /** Where they went next, most first. */
  next: NextArea[];
  /** Walked into no other area afterwards (left, or stayed). */
  noOther: number;
}

export interface AreaPaths {
  /** The first area people walked into, most first; shares of all first areas. */
  first: NextArea[];
  areas: AreaOnward[];
}

const byCount = (a: { count: number }, b: { count: number }) => b.count - a.count;

/**
 * Arrivals at an area are every walk that ends there (from another area or as the first area), so
 * "of the people who went to A, x % went on to B" divides A -> B by the arrivals at A.
 */
export function areaPaths(flows: readonly Flow[], nameOf: (zoneId: string) => string): AreaPaths {
  const arrivals = new Map<string, number>();
  const onward = new Map<string, Flow[]>();
  const first: Flow[] = [];
  for (const f of flows) {
    arrivals.set(f.toZoneId, (arrivals.get(f.toZoneId) ?? 0) + f.count);
    if (f.fromZoneId === null) first.push(f);
    else onward.set(f.fromZoneId, [...(onward.get(f.fromZoneId) ?? []), f]);
  }
  const firstTotal = first.reduce((n, f) => n + f.count, 0);
  const areas = [...arrivals]
    .map(([zoneId, n]): AreaOnward => {
      const out = (onward.get(zoneId) ?? []).sort(byCount);
      const went = out.reduce((sum, f) => sum + f.count, 0);
      return {
        name: nameOf(zoneId),
        arrivals: n,
        next: out.map((f) => ({ name: nameOf(f.toZoneId), count: f.count, share: n ? f.count / n : 0 })),
        noOther: Math.max(0, n - went),
      };
    })
    .sort((a, b) => b.arrivals - a.arrivals || a.name.localeCompare(b.name));
  return {
    first: first.sort(byCount).map((f) => ({
      name: nameOf(f.toZoneId),
      count: f.count,
      share: firstTotal ? f.count / firstTotal : 0,
    })),
    areas,
  };
}
