/**
 * What the language model is told: only aggregates (numbers, store and area names, dates), built
 * field by field so that nothing else (ids of people, visits or paths) can slip in.
 */
import { isoDate } from './period.ts';
import type { Report, StoreReport } from './report-data.ts';
import { minutes, PREVIOUS_WORDS, rangeWords } from './words.ts';

function storeFacts(s: StoreReport) {
  return {
    store: s.storeName,
    visitors: s.totals.visitors,
    entrances: s.totals.entries,
    averageMinutesSpent: minutes(s.totals.averageTimeSpentMs),
    [`visitors ${PREVIOUS_WORDS[s.range.period]}`]: s.previous.visitors,
    [`visitors ${s.earlierWords}`]: s.earlier.visitors,
    busiestDay: s.busiestDay
      ? {
          date: isoDate(s.busiestDay.day.date),
          weekday: s.busiestDay.day.weekday,
          visitors: s.busiestDay.day.visitors,
          visitorsSameWeekdayWeekBefore: s.busiestDay.weekBefore,
        }
      : null,
    busiestHourOfDay: s.busiestHour ? { hour: s.busiestHour.hour, visitors: s.busiestHour.visitors } : null,
    days: s.days.map((d) => ({ date: isoDate(d.date), weekday: d.weekday, visitors: d.visitors })),
    areas: s.areas.map((a) => ({
      area: a.name,
      visitors: a.visitors,
      averageMinutesSpent: minutes(a.averageTimeSpentMs),
      totalHoursSpent: Math.round(a.totalTimeSpentMs / 360_000) / 10,
    })),
  };
}

export function reportFacts(r: Report) {
  return {
    report: `${r.period} report`,
    period: rangeWords(r.range),
    stores: r.stores.map(storeFacts),
  };
}
