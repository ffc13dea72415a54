/** The headline numbers of the chosen days: visitors, entrances, walked out, time spent, busiest hour. */
import type { JSX } from 'solid-js';
import type { Summary } from '../../api/types.ts';
import { ENTRANCES, TIME_SPENT, VISITORS, WALKED_OUT } from '../../lib/definitions.ts';
import { formatCount, formatDuration, hourOfDayLabel } from '../../lib/format.ts';
import { Stat } from '../Common.tsx';
import { Definitions } from './Definitions.tsx';

export function SummaryStats(props: { summary: Summary }): JSX.Element {
  const busiest = () => props.summary.busiestHourOfDay;
  return (
    <section class="card">
      <div class="stats" style={{ 'margin-bottom': 0 }}>
        <Stat
          testId="dash-visitors"
          label={VISITORS.term}
          value={formatCount(props.summary.visitors)}
          hint={VISITORS.hint}
        />
        <Stat
          testId="dash-entrances"
          label={ENTRANCES.term}
          value={formatCount(props.summary.entries)}
          hint={ENTRANCES.hint}
        />
        <Stat label={WALKED_OUT.term} value={formatCount(props.summary.exits)} hint={WALKED_OUT.hint} />
        <Stat
          label={TIME_SPENT.term}
          value={formatDuration(props.summary.averageTimeSpentMs)}
          hint={TIME_SPENT.hint}
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
