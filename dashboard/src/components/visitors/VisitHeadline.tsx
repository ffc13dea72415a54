/** The headline figures of the chosen days: visits, the typical (median) visit, short and long visits. */
import type { VisitDurations } from '@oskartrack/protocol';
import type { JSX } from 'solid-js';
import { formatCount, formatDuration, formatPercent } from '../../lib/format.ts';
import { Stat } from '../Common.tsx';
import { spanWords } from './durations.ts';

export function VisitHeadline(props: { durations: VisitDurations }): JSX.Element {
  const d = () => props.durations;
  const share = (n: number) => (d().visits > 0 ? formatPercent(n / d().visits) : '–');
  return (
    <section class="card" data-testid="visit-headline">
      <div class="stats" style={{ 'margin-bottom': 0 }}>
        <Stat
          testId="visits-total"
          label="Visits"
          value={formatCount(d().visits)}
          hint="people who came into view"
        />
        <Stat
          testId="visits-median"
          label="Typical visit"
          value={d().medianMs === null ? '–' : formatDuration(d().medianMs)}
          hint="half the visits were shorter, half longer"
        />
        <Stat
          testId="visits-short"
          label="Short visits"
          value={share(d().shortVisits)}
          hint={`shorter than ${spanWords(d().shortUnderMs)}: walked past or just looked in`}
        />
        <Stat
          testId="visits-long"
          label="Long visits"
          value={share(d().longVisits)}
          hint={`${spanWords(d().longFromMs)} or longer`}
        />
      </div>
    </section>
  );
}
