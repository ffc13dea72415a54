/** Everyday words for report schedules. */
import type { ReportPeriod, ReportScheduleWire } from '@oskartrack/protocol';

export const PERIODS: { value: ReportPeriod; label: string; hint: string }[] = [
  { value: 'daily', label: 'Every day', hint: 'the day before' },
  { value: 'weekly', label: 'Every week', hint: 'Monday to Sunday' },
  { value: 'monthly', label: 'Every month', hint: 'the month before' },
];

/** The last complete period a preview shows. */
export const LAST_PERIODS: { value: ReportPeriod; label: string }[] = [
  { value: 'daily', label: 'Yesterday' },
  { value: 'weekly', label: 'Last week (Monday to Sunday)' },
  { value: 'monthly', label: 'Last month' },
];

export const periodLabel = (p: ReportPeriod) => PERIODS.find((x) => x.value === p)?.label ?? p;

/** How the last report went, in a few words. */
export function lastRunWords(s: ReportScheduleWire): string {
  const r = s.lastRun;
  if (!r) return 'Nothing sent yet';
  const day = new Date(r.periodStart).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  if (r.sentAt) return `Last sent ${new Date(r.sentAt).toLocaleString()} (from ${day})`;
  if (r.error) return `Not sent (try ${r.attempts}): ${r.error}`;
  return 'Being sent…';
}

/** Addresses typed with commas, spaces or new lines between them. */
export const splitAddresses = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
