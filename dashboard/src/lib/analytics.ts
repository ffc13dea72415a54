/** Turning the hub's analytics answers into what the charts show. */

/** The hour of the day (0-23) of an instant in a time zone. */
export function hourIn(iso: string, timeZone: string): number {
  const d = new Date(iso);
  try {
    const h = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone }).format(d);
    return Number.parseInt(h, 10) % 24;
  } catch {
    return d.getHours();
  }
}

/** About how wide an axis label is (12 px digits and letters), with room before the next one. */
const labelPx = (chars: number) => chars * 7.5 + 12;

/**
 * The labels of an axis of `labels.length` equal slots across `width` pixels, with every n-th label
 * kept and the others blank, n as small as lets the kept ones stand apart.
 */
export function spacedLabels(labels: readonly string[], width: number): string[] {
  if (labels.length === 0) return [];
  const longest = labels.reduce((a, l) => Math.max(a, l.length), 0);
  const slot = Math.max(1, width) / labels.length;
  const step = Math.max(1, Math.ceil(labelPx(longest) / slot));
  return labels.map((l, i) => (i % step === 0 ? l : ''));
}

/**
 * Names under equal slots across `width` pixels, a word a line where whole names do not fit side by
 * side; where even single words do not fit, every n-th name as in `spacedLabels`.
 */
export function wrappedLabels(names: readonly string[], width: number): string[][] {
  if (spacedLabels(names, width).every((l, i) => l === names[i])) return names.map((n) => [n]);
  const words = names.map((n) => n.split(/\s+/).filter(Boolean));
  const longestWord = words.map((w) => w.reduce((a, x) => (x.length > a.length ? x : a), ''));
  const spaced = spacedLabels(longestWord, width);
  return words.map((w, i) => (spaced[i] ? w : ['']));
}

/** Visitors per hour of the day (24 values) over a range of hourly points: the busiest hours. */
export function byHourOfDay(
  points: readonly { start: string; visitors: number }[],
  timeZone: string,
): number[] {
  const out = new Array<number>(24).fill(0);
  for (const p of points) out[hourIn(p.start, timeZone)]! += p.visitors;
  return out;
}

/** The hours of the day with the most visitors, busiest first (ties: earlier first). */
export function busiestHours(perHour: readonly number[], n = 3): { hour: number; visitors: number }[] {
  return perHour
    .map((visitors, hour) => ({ hour, visitors }))
    .filter((h) => h.visitors > 0)
    .sort((a, b) => b.visitors - a.visitors || a.hour - b.hour)
    .slice(0, n);
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * People inside over time from the hourly summaries CSV: per hour, the peak occupancy of each camera
 * (rows without an area) added up over the cameras (or just the one asked for).
 */
export function occupancySeries(csv: string, cameraId?: string | null): { start: string; people: number }[] {
  const [head, ...rows] = parseCsv(csv);
  if (!head) return [];
  const col = (name: string) => head.indexOf(name);
  const iStart = col('bucket_start');
  const iCamera = col('camera_id');
  const iZone = col('zone_id');
  const iPeak = col('peak_occupancy');
  if (iStart < 0 || iPeak < 0) return [];
  const byHour = new Map<string, number>();
  for (const r of rows) {
    if (r.length < head.length) continue;
    if (iZone >= 0 && r[iZone]) continue;
    if (cameraId && iCamera >= 0 && r[iCamera] !== cameraId) continue;
    const start = new Date(r[iStart]!).toISOString();
    byHour.set(start, (byHour.get(start) ?? 0) + (Number(r[iPeak]) || 0));
  }
  return [...byHour]
    .map(([start, people]) => ({ start, people }))
    .sort((a, b) => a.start.localeCompare(b.start));
}

export interface FlowRow {
  from: string;
  to: string;
  count: number;
  /** 0..1 of the largest flow. */
  share: number;
}

/** Flows between areas with names, largest first; `null` from: where visitors went first. */
export function flowRows(
  flows: readonly { fromZoneId: string | null; toZoneId: string; count: number }[],
  names: ReadonlyMap<string, string>,
  limit = 12,
): FlowRow[] {
  const name = (id: string | null) => (id === null ? 'Came in' : (names.get(id) ?? 'Removed area'));
  const sorted = [...flows].sort((a, b) => b.count - a.count).slice(0, limit);
  const max = sorted[0]?.count ?? 1;
  return sorted.map((f) => ({
    from: name(f.fromZoneId),
    to: name(f.toZoneId),
    count: f.count,
    share: f.count / max,
  }));
}

/** Every hour from `from` up to `to` (or now, if earlier) with its value, 0 where there is none. */
export function fillHours(
  series: readonly { start: string; people: number }[],
  from: string,
  to: string,
  now = Date.now(),
  open: (start: Date, end: Date) => boolean = () => true,
): { start: number; people: number }[] {
  const HOUR = 3_600_000;
  const byHour = new Map(series.map((p) => [Math.floor(Date.parse(p.start) / HOUR) * HOUR, p.people]));
  const first = Math.floor(Date.parse(from) / HOUR) * HOUR;
  const end = Math.min(Date.parse(to), now);
  const out: { start: number; people: number }[] = [];
  for (let t = first; t < end && out.length < 24 * 400; t += HOUR) {
    // Closed hours are left out, not drawn as empty (the hub counts opening hours only).
    if (open(new Date(t), new Date(t + HOUR))) out.push({ start: t, people: byHour.get(t) ?? 0 });
  }
  return out;
}
