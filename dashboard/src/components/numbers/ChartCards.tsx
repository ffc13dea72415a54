/** The graph cards of the Numbers page: visitors over time, busiest hours, areas, people inside, stores. */
import { A } from '@solidjs/router';
import { type JSX, Show } from 'solid-js';
import type { Compare, TimeSeries, ZoneStats } from '../../api/types.ts';
import { busiestHours } from '../../lib/analytics.ts';
import { formatCount, hourOfDayLabel } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { Chart } from '../Chart.tsx';
import { Loading } from '../Common.tsx';
import { ComparePicker } from '../compare/ComparePicker.tsx';
import { dayRangeWords } from '../compare/change-words.ts';
import { useComparedSeries } from '../compare/use-compared-series.ts';
import {
  areasChart,
  areasHeight,
  busiestChart,
  compareChart,
  dailyChart,
  hourlyChart,
  occupancyChart,
  twoPeriodsChart,
} from './charts.ts';

/** Why a card is empty on days nobody was counted, and what to do about it. */
export function nobodyCounted(multiDay: boolean): string {
  return `Nobody was counted on ${multiDay ? 'these days' : 'this day'}. Choose another day, or check that the camera is running.`;
}

export function VisitorsCard(props: {
  multiDay: boolean;
  hourly: TimeSeries;
  daily: TimeSeries;
  timezone: string | undefined;
}): JSX.Element {
  const { choice } = useApp();
  const compare = useComparedSeries();
  // Both periods' visitors, once the second has loaded for the same kind of steps (hours or days).
  const both = () => {
    const second = compare.series();
    const days = compare.days();
    const first = props.multiDay ? props.daily : props.hourly;
    if (!second || !days || second.interval !== first.interval) return undefined;
    return {
      a: { name: `Visitors, ${dayRangeWords(choice.state.range)}`, series: first },
      b: { name: `Visitors, ${dayRangeWords(days)}`, series: second },
    };
  };
  return (
    <section class="card">
      <h2>{props.multiDay ? 'Visitors by day' : 'Visitors by hour'}</h2>
      <ComparePicker compare={compare} />
      <Show when={both()}>
        {(p) => (
          <Chart
            testId="chart-two-periods"
            label="Visitors in both periods, side by side"
            options={(w) => twoPeriodsChart(p().a, p().b, props.timezone ?? 'UTC', w)}
          />
        )}
      </Show>
      <Show
        when={!both() && props.multiDay}
        fallback={
          <Show when={!both()}>
            <Chart
              testId="chart-hourly"
              label="Visitors by hour"
              options={(w) => hourlyChart(props.hourly, props.timezone ?? 'UTC', w)}
            />
          </Show>
        }
      >
        <Chart testId="chart-daily" label="Visitors by day" options={(w) => dailyChart(props.daily, w)} />
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
        options={(w) => busiestChart(props.perHourOfDay, w)}
      />
      <p class="small muted">
        {busiestHours(props.perHourOfDay)
          .map((h) => `${hourOfDayLabel(h.hour)} (${formatCount(h.visitors)})`)
          .join(', ') || 'No visitors in this range yet.'}
      </p>
    </section>
  );
}

/**
 * Time spent per area. Empty for one of two reasons, said as such: the cameras have no areas (and who
 * can draw them), or nobody walked into them on the chosen days.
 */
export function AreasCard(props: {
  zones: ZoneStats;
  /** How many areas the chosen cameras have now; undefined while loading. */
  areaCount: number | undefined;
  canDraw: boolean;
  multiDay: boolean;
}): JSX.Element {
  return (
    <section class="card">
      <h2>Time spent per area</h2>
      <Show
        when={props.zones.zones.length}
        fallback={
          <Show when={props.areaCount !== undefined}>
            <p class="muted" data-testid="areas-empty">
              <Show
                when={props.areaCount}
                fallback={
                  <>
                    No areas on this camera yet: areas are the parts of the picture (a shelf, the till) whose
                    visits are counted here.{' '}
                    <Show when={props.canDraw} fallback="A store manager can draw them under Areas & lines.">
                      <A href="/zones">Draw areas</A>
                    </Show>
                  </>
                }
              >
                {nobodyCounted(props.multiDay)}
              </Show>
            </p>
          </Show>
        }
      >
        <Chart
          testId="chart-areas"
          label="Average time spent per area"
          height={areasHeight(props.zones)}
          options={(w) => areasChart(props.zones, w)}
        />
      </Show>
    </section>
  );
}

export function OccupancyCard(props: {
  occupancy: { start: number; people: number }[] | undefined;
  timezone: string | undefined;
}): JSX.Element {
  return (
    <section class="card">
      <h2>People inside over time</h2>
      <Show when={props.occupancy} fallback={<Loading />}>
        {(o) => (
          <Chart
            testId="chart-occupancy"
            label="Most people inside per hour, or per day over longer ranges"
            options={(w) => occupancyChart(o(), props.timezone ?? 'UTC', w)}
          />
        )}
      </Show>
    </section>
  );
}

export function CompareCard(props: { compare: Compare }): JSX.Element {
  return (
    <section class="card">
      <h2>Stores side by side</h2>
      <Chart
        testId="chart-compare"
        label="Visitors per store"
        options={(w) => compareChart(props.compare, w)}
      />
    </section>
  );
}
