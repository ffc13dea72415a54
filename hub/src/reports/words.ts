/** How reports write numbers, times and periods for people (English, no ids). */
import type { ReportPeriod } from '@oskartrack/protocol';
import { slug } from '../api/export/file-name.ts';
import { isoDate, type LocalDate, type ReportRange } from './period.ts';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export const count = (n: number): string => Math.round(n).toLocaleString('en-GB');

/** "12 minutes", "45 seconds", "1 hour 5 minutes". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return `${h} hour${h === 1 ? '' : 's'}${rest ? ` ${rest} minute${rest === 1 ? '' : 's'}` : ''}`;
}

/** Minutes with one decimal, for tables. */
export const minutes = (ms: number): number => Math.round(ms / 6000) / 10;

/** "14:00-15:00". */
export function hourSpan(hour: number): string {
  const p = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  return `${p(hour)}-${p(hour + 1)}`;
}

export function dateWords(d: LocalDate): string {
  return `${d.day} ${MONTHS[d.month - 1]} ${d.year}`;
}

/** "1 December 2026", "23-29 November 2026", "30 November - 6 December 2026", "November 2026". */
export function rangeWords(r: ReportRange): string {
  if (r.period === 'daily') return dateWords(r.first);
  if (r.period === 'monthly') return `${MONTHS[r.first.month - 1]} ${r.first.year}`;
  const { first, last } = r;
  if (first.year !== last.year) return `${dateWords(first)} - ${dateWords(last)}`;
  if (first.month !== last.month)
    return `${first.day} ${MONTHS[first.month - 1]} - ${last.day} ${MONTHS[last.month - 1]} ${last.year}`;
  return `${first.day}-${last.day} ${MONTHS[first.month - 1]} ${first.year}`;
}

export const PERIOD_WORDS: Record<ReportPeriod, string> = {
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
};
export const PREVIOUS_WORDS: Record<ReportPeriod, string> = {
  daily: 'the day before',
  weekly: 'the week before',
  monthly: 'the month before',
};

/** "Demo store — weekly report, 23-29 November 2026". */
export function subjectOf(title: string, r: ReportRange): string {
  return `${title} — ${PERIOD_WORDS[r.period]} report, ${rangeWords(r)}`;
}

/** "demo-store-2026-11-23-to-2026-11-29.xlsx" (one date for a day). */
export function fileNameOf(title: string, r: ReportRange, extension: string): string {
  const dates = r.period === 'daily' ? isoDate(r.first) : `${isoDate(r.first)}-to-${isoDate(r.last)}`;
  return `${slug(title)}-${dates}.${extension}`;
}
