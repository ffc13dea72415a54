/** The graph cards of the Numbers page: visitors over time, busiest hours, areas, people inside, stores. */
import { type JSX, Show } from 'solid-js';
import type { Compare, TimeSeries, ZoneStats } from '../../api/types.ts';
import { busiestHours } from '../../lib/analytics.ts';
import { formatCount, hourOfDayLabel } from '../../lib/format.ts';
import { Chart } from '../Chart.tsx';
import { Loading } from '../Common.tsx';
import { areasChart, busiestChart, compareChart, dailyChart, hourlyChart, occupancyChart } from './charts.ts';

export function VisitorsCard(props: {
  multiDay: boolean;
  hourly: TimeSeries;
  daily: TimeSeries;
  timezone: string | undefined;
}): JSX.Element {
  return (
    <section class="card">
      <h2>{props.multiDay ? 'Visitors by day' : 'Visitors by hour'}</h2>
      <Show
        when={props.multiDay}
        fallback={
          <Chart
            testId="chart-hourly"
            label="Visitors by hour"
            options={hourlyChart(props.hourly, props.timezone)}
          />
        }
      >
        <Chart testId="chart-daily" label="Visitors by day" options={dailyChart(props.daily)} />
      </Show>
    </section>
  );
}

export function BusiestHoursCard(props: { perHourOfDay: number[] }): JSX.Element {
  return (
    <section class="card">
      <h2>Busiest hours</h2>
      <Chart
        testId="chart-busiest"
        label="Visitors per hour of the day"
        options={busiestChart(props.perHourOfDay)}
      />
      <p class="small muted">
        {busiestHours(props.perHourOfDay)
          .map((h) => `${hourOfDayLabel(h.hour)} (${formatCount(h.visitors)})`)
          .join(', ') || 'No visitors in this range yet.'}
      </p>
    </section>
  );
}

export function AreasCard(props: { zones: ZoneStats }): JSX.Element {
  return (
    <section class="card">
      <h2>Time spent per area</h2>
      <Show
        when={props.zones.zones.length}
        fallback={<p class="muted">No areas on this camera yet: draw some under Areas &amp; lines.</p>}
      >
        <Chart testId="chart-areas" label="Average time spent per area" options={areasChart(props.zones)} />
      </Show>
    </section>
  );
}

export function OccupancyCard(props: {
  occupancy: { start: number; people: number }[] | undefined;
}): JSX.Element {
  return (
    <section class="card">
      <h2>People inside over time</h2>
      <Show when={props.occupancy} fallback={<Loading />}>
        {(o) => (
          <Chart testId="chart-occupancy" label="Most people inside per hour" options={occupancyChart(o())} />
        )}
      </Show>
    </section>
  );
}

export function CompareCard(props: { compare: Compare }): JSX.Element {
  return (
    <section class="card">
      <h2>Stores side by side</h2>
      <Chart testId="chart-compare" label="Visitors per store" options={compareChart(props.compare)} />
    </section>
  );
}
