/**
 * The summary on top of a report, written by our own sentences from the numbers. A sentence is left
 * out when a number it needs is missing: no "NaN %", and no change against a base of zero.
 */
import type { Report, StoreReport } from './report-data.ts';
import { count, dateWords, duration, hourSpan, PREVIOUS_WORDS } from './words.ts';

/** "18 % more than", "5 % fewer than", "about as many as"; null without a base to compare with. */
export function change(now: number, before: number | null): string | null {
  if (before === null || !Number.isFinite(before) || before <= 0 || !Number.isFinite(now)) return null;
  const pct = Math.round(((now - before) / before) * 100);
  if (pct === 0) return 'about as many as';
  return pct > 0 ? `${pct} % more than` : `${-pct} % fewer than`;
}

function totalsSentence(s: StoreReport, whose: string): string {
  const base = `${whose} ${count(s.totals.visitors)} visitor${s.totals.visitors === 1 ? '' : 's'}`;
  const vsPrevious = change(s.totals.visitors, s.previous.visitors);
  return vsPrevious ? `${base}, ${vsPrevious} ${PREVIOUS_WORDS[s.range.period]}.` : `${base}.`;
}

function busiestDaySentence(s: StoreReport): string | null {
  if (s.range.period === 'daily' || !s.busiestDay) return null;
  const { day, weekBefore } = s.busiestDay;
  const vs = change(day.visitors, weekBefore);
  const tail = vs ? `, ${vs} the ${day.weekday} before` : '';
  const which = s.range.period === 'weekly' ? day.weekday : `${day.weekday} ${dateWords(day.date)}`;
  return `${which} was the busiest day: ${count(day.visitors)} visitors${tail}.`;
}

function hourSentence(s: StoreReport): string | null {
  if (!s.busiestHour || s.busiestHour.visitors <= 0) return null;
  return `The busiest hour was ${hourSpan(s.busiestHour.hour)}.`;
}

function timeSentence(s: StoreReport): string | null {
  if (s.totals.averageTimeSpentMs <= 0) return null;
  return `On average people stayed ${duration(s.totals.averageTimeSpentMs)}.`;
}

function areaSentence(s: StoreReport): string | null {
  const top = s.areas[0];
  if (!top || top.totalTimeSpentMs <= 0) return null;
  return `Most time was spent at the ${top.name}.`;
}

function earlierSentence(s: StoreReport): string | null {
  const vs = change(s.totals.visitors, s.earlier.visitors);
  return vs ? `That is ${vs} ${s.earlierWords}.` : null;
}

/** The sentences for one store; `whose` starts the first ("Demo store had", "You had"). */
export function storeSummary(s: StoreReport, whose = `${s.storeName} had`): string {
  if (s.totals.visitors <= 0) return `${s.storeName}: no visitors were counted in this period.`;
  return [
    totalsSentence(s, whose),
    earlierSentence(s),
    busiestDaySentence(s),
    hourSentence(s),
    timeSentence(s),
    areaSentence(s),
  ]
    .filter((x): x is string => x !== null)
    .join(' ');
}

function allStoresSummary(r: Report): string {
  const visitors = r.stores.reduce((n, s) => n + s.totals.visitors, 0);
  const previous = r.stores.reduce((n, s) => n + s.previous.visitors, 0);
  const n = r.stores.length;
  const vs = change(visitors, previous);
  const first = `Your ${n} store${n === 1 ? '' : 's'} had ${count(visitors)} visitor${visitors === 1 ? '' : 's'}${
    vs ? `, ${vs} ${PREVIOUS_WORDS[r.period]}` : ''
  }.`;
  const busiest = [...r.stores].sort((a, b) => b.totals.visitors - a.totals.visitors)[0];
  const second =
    busiest && busiest.totals.visitors > 0 && n > 1
      ? `${busiest.storeName} was the busiest store with ${count(busiest.totals.visitors)} visitors.`
      : null;
  return [first, second].filter((x): x is string => x !== null).join(' ');
}

/** The summary of a whole report: one store's sentences, or the stores together. */
export function writeSummary(r: Report): string {
  if (r.stores.length === 0) return 'There are no stores to report on yet.';
  const only = r.stores[0];
  if (!r.allStores && only) return storeSummary(only);
  return allStoresSummary(r);
}
