/** The headline numbers of the chosen days: visitors, entrances, walked out, time spent, busiest hour. */
import type { JSX } from 'solid-js';
import type { Summary } from '../../api/types.ts';
import { formatCount, formatDuration, hourOfDayLabel } from '../../lib/format.ts';
import { Stat } from '../Common.tsx';

export function SummaryStats(props: { summary: Summary }): JSX.Element {
  const busiest = () => props.summary.busiestHourOfDay;
  return (
    <section class="card">
      <div class="stats" style={{ 'margin-bottom': 0 }}>
        <Stat testId="dash-visitors" label="Visitors" value={formatCount(props.summary.visitors)} />
        <Stat
          label="Entrances"
          value={formatCount(props.summary.entries)}
          hint="walked in over a counting line"
        />
        <Stat label="Walked out" value={formatCount(props.summary.exits)} />
        <Stat label="Average time spent" value={formatDuration(props.summary.averageTimeSpentMs)} />
        <Stat
          label="Busiest hour"
          value={busiest() ? hourOfDayLabel(busiest()!.hour) : '–'}
          hint={busiest() ? `${formatCount(busiest()!.visitors)} visitors` : 'no visitors yet'}
        />
      </div>
    </section>
  );
}
