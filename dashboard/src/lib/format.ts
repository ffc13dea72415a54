/** Numbers, times and ranges in the words a shop owner reads. */

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-GB');
}

/** 0 → "0 s", 65_000 → "1 min 5 s", 3_780_000 → "1 h 3 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) {
    const rest = s % 60;
    return rest ? `${m} min ${rest} s` : `${m} min`;
  }
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function formatAgo(iso: string | number | null | undefined, now = Date.now()): string {
  if (iso === null || iso === undefined) return 'never';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(t)) return 'never';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`;
  const h = Math.round(m / 60);
  if (h < 36) return `${h} hour${h === 1 ? '' : 's'} ago`;
  const d = Math.round(h / 24);
  return `${d} day${d === 1 ? '' : 's'} ago`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 14 → "14:00–15:00". */
export function hourOfDayLabel(hour: number): string {
  return `${pad(hour)}:00–${pad((hour + 1) % 24)}:00`;
}

/** The hour an instant starts, in a time zone: "09:00". */
export function hourLabel(at: string | number, timeZone = 'UTC'): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '–';
  try {
    return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone });
  } catch {
    return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  }
}

/** A date as the browser's local "YYYY-MM-DD" (what <input type="date"> holds). */
export function toDateInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "YYYY-MM-DD" as local midnight; null when it is not a date. */
export function fromDateInput(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d;
}

export interface DayRange {
  /** First day, inclusive ("YYYY-MM-DD"). */
  fromDay: string;
  /** Last day, inclusive. */
  toDay: string;
}

/** [from, to) as ISO timestamps: from the first day's midnight to the midnight after the last day. */
export function rangeToIso(r: DayRange): { from: string; to: string } | { error: string } {
  const from = fromDateInput(r.fromDay);
  const last = fromDateInput(r.toDay);
  if (!from || !last) return { error: 'Choose a start and an end date.' };
  if (last < from) return { error: 'The end date is before the start date.' };
  const to = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

export type Preset = 'today' | 'yesterday' | '7d' | '30d';

export function presetRange(preset: Preset, now = new Date()): DayRange {
  const day = (offset: number) =>
    toDateInput(new Date(now.getFullYear(), now.getMonth(), now.getDate() + offset));
  switch (preset) {
    case 'today':
      return { fromDay: day(0), toDay: day(0) };
    case 'yesterday':
      return { fromDay: day(-1), toDay: day(-1) };
    case '7d':
      return { fromDay: day(-6), toDay: day(0) };
    case '30d':
      return { fromDay: day(-29), toDay: day(0) };
  }
}

/** "Mon 3 Jun, 14:05". */
export function formatDateTime(iso: string | number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toLocaleString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function formatTime(iso: string | number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatDay(iso: string | number, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(timeZone ? { timeZone } : {}),
  });
}

/** Plain words for an event kind. */
export function eventWords(kind: string): string {
  switch (kind) {
    case 'track_started':
      return 'Someone appeared';
    case 'track_ended':
      return 'Someone left the picture';
    case 'zone_entered':
      return 'Walked into';
    case 'zone_left':
      return 'Walked out of';
    case 'line_crossed':
      return 'Crossed';
    case 'visit_closed':
      return 'Visit ended';
    default:
      return kind.replace(/_/g, ' ');
  }
}

/** Bytes as "12.3 MB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** 0..1 as "42%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}
