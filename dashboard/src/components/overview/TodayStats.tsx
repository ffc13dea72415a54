/** A store's numbers for today, and how many people the cameras see right now. */
import type { JSX } from 'solid-js';
import type { Summary } from '../../api/types.ts';
import { ENTRANCES, TIME_SPENT, VISITORS } from '../../lib/definitions.ts';
import { formatCount, formatDuration, hourOfDayLabel } from '../../lib/format.ts';
import { Stat } from '../Common.tsx';

export function TodayStats(props: { today: Summary | undefined; inside: number | null }): JSX.Element {
  const today = () => props.today;
  return (
    <div class="stats">
      <Stat
        testId="stat-visitors"
        label={`${VISITORS.term} today`}
        value={today() ? formatCount(today()!.visitors) : '…'}
        hint={VISITORS.hint}
      />
      <Stat
        testId="stat-entrances"
        label={ENTRANCES.term}
        value={today() ? formatCount(today()!.entries) : '…'}
        hint={ENTRANCES.hint}
      />
      <Stat
        label={TIME_SPENT.term}
        value={today() ? formatDuration(today()!.averageTimeSpentMs) : '…'}
        hint={TIME_SPENT.hint}
      />
      <Stat
        testId="stat-inside"
        label="People inside now"
        value={props.inside === null ? '–' : formatCount(props.inside)}
        hint={props.inside === null ? 'live picture not available' : 'seen by the cameras right now'}
      />
      <Stat
        label="Busiest hour today"
        value={today()?.busiestHourOfDay ? hourOfDayLabel(today()!.busiestHourOfDay!.hour) : '–'}
      />
    </div>
  );
}
