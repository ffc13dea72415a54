/**
 * The headline numbers of the chosen days: visitors, entrances, walked out, time spent, most people
 * inside, busiest hour; under each compared figure its change against the previous period and the
 * same days last week (a week or longer: last year).
 */
import type { JSX } from 'solid-js';
import type { Summary } from '../../api/types.ts';
import { ENTRANCES, TIME_SPENT, VISITORS, WALKED_OUT } from '../../lib/definitions.ts';
import { formatCount, formatDuration, hourOfDayLabel } from '../../lib/format.ts';
import { Stat } from '../Common.tsx';
import { changeLines, HeadlineStat } from '../compare/HeadlineStat.tsx';
import { useSummaryChanges } from '../compare/use-summary-changes.ts';
import { Definitions } from './Definitions.tsx';

export function SummaryStats(props: { summary: Summary }): JSX.Element {
  const busiest = () => props.summary.busiestHourOfDay;
  const changes = useSummaryChanges();
  const peak = () => changes()?.figures.peakInside;
  return (
    <section class="card">
      <div class="stats" style={{ 'margin-bottom': 0 }} data-testid="headline">
        <HeadlineStat
          testId="dash-visitors"
          label={VISITORS.term}
          value={formatCount(props.summary.visitors)}
          hint={VISITORS.hint}
          changes={changeLines(changes(), 'visitors')}
        />
        <HeadlineStat
          testId="dash-entrances"
          label={ENTRANCES.term}
          value={formatCount(props.summary.entries)}
          hint={ENTRANCES.hint}
          changes={changeLines(changes(), 'entries')}
        />
        <Stat label={WALKED_OUT.term} value={formatCount(props.summary.exits)} hint={WALKED_OUT.hint} />
        <HeadlineStat
          testId="dash-time-spent"
          label={TIME_SPENT.term}
          value={formatDuration(props.summary.averageTimeSpentMs)}
          hint={TIME_SPENT.hint}
          changes={changeLines(changes(), 'averageTimeSpentMs')}
        />
        <HeadlineStat
          testId="dash-peak-inside"
          label="Most people inside"
          value={peak() === undefined ? '–' : formatCount(peak())}
          hint="at once, in the busiest hour"
          changes={changeLines(changes(), 'peakInside')}
        />
        <Stat
          label="Busiest hour"
          value={busiest() ? hourOfDayLabel(busiest()!.hour) : '–'}
          hint={busiest() ? `${formatCount(busiest()!.visitors)} visitors` : 'no visitors yet'}
        />
      </div>
      <Definitions />
    </section>
  );
}
