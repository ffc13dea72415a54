/**
 * A store's numbers for today, each with how it compares (today so far against yesterday and the same
 * day last week, up to the same time), and how many people the cameras see right now.
 */
import type { SummaryChanges } from '@oskartrack/protocol';
import type { JSX } from 'solid-js';
import type { Summary } from '../../api/types.ts';
import { ENTRANCES, TIME_SPENT, VISITORS } from '../../lib/definitions.ts';
import { formatCount, formatDuration, hourOfDayLabel } from '../../lib/format.ts';
import { Stat } from '../Common.tsx';
import { changeLines, HeadlineStat } from '../compare/HeadlineStat.tsx';

export function TodayStats(props: {
  today: Summary | undefined;
  changes: SummaryChanges | undefined;
  inside: number | null;
}): JSX.Element {
  const today = () => props.today;
  return (
    <div class="stats">
      <HeadlineStat
        testId="stat-visitors"
        label={`${VISITORS.term} today`}
        value={today() ? formatCount(today()!.visitors) : '…'}
        hint={VISITORS.hint}
        changes={changeLines(props.changes, 'visitors')}
      />
      <HeadlineStat
        testId="stat-entrances"
        label={ENTRANCES.term}
        value={today() ? formatCount(today()!.entries) : '…'}
        hint={ENTRANCES.hint}
        changes={changeLines(props.changes, 'entries')}
      />
      <HeadlineStat
        label={TIME_SPENT.term}
        value={today() ? formatDuration(today()!.averageTimeSpentMs) : '…'}
        hint={TIME_SPENT.hint}
        changes={changeLines(props.changes, 'averageTimeSpentMs')}
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
