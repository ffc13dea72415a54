/** IANA time zone names as this browser knows them, and finding one from what someone typed. */

let cached: readonly string[] | undefined;

/** Every time zone name the browser knows (Europe/London, America/New_York, …), UTC included. */
export function timeZones(): readonly string[] {
  if (!cached) {
    const names = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    cached = names.includes('UTC') ? names : [...names, 'UTC'];
  }
  return cached;
}

/** The browser's own time zone, or UTC. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The list's own spelling of `text` when it names a zone (any case), else undefined. */
export function exactZone(text: string, zones: readonly string[] = timeZones()): string | undefined {
  const t = text.trim().toLowerCase();
  return zones.find((z) => z.toLowerCase() === t);
}

/** Zones whose name holds what was typed ("london" → Europe/London; spaces match "_"), at most `max`. */
export function matchZones(text: string, max = 8, zones: readonly string[] = timeZones()): string[] {
  const t = text.trim().toLowerCase().replace(/\s+/g, '_');
  if (!t) return [];
  const hits = zones.filter((z) => z.toLowerCase().includes(t));
  // A city typed alone ("London") is best matched by a name that ends with it.
  hits.sort(
    (a, b) => Number(!a.toLowerCase().endsWith(`/${t}`)) - Number(!b.toLowerCase().endsWith(`/${t}`)),
  );
  return hits.slice(0, max);
}

/** Why `text` is not a time zone, with the nearest names; undefined when it is one. */
export function zoneProblem(text: string, zones: readonly string[] = timeZones()): string | undefined {
  if (exactZone(text, zones)) return undefined;
  const near = matchZones(text, 3, zones);
  const hint = near.length ? `: did you mean ${near.join(', ')}?` : ': use a name like Europe/London.';
  return `"${text.trim()}" is not a time zone name${hint} Pick one from the list (region/city).`;
}
