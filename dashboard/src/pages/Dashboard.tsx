/**
 * The numbers: for a store (and optionally one camera) over a range of days: visitors by hour and by
 * day, busiest hours, time spent per area, people inside over time, a heatmap over the camera picture,
 * how visitors walked between areas, stores side by side, and CSV downloads.
 */
import { A } from '@solidjs/router';
import { createMemo, type JSX, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { ErrorNote, Loading, PageHeader, PlacePicker } from '../components/Common.tsx';
import {
  AreasCard,
  BusiestHoursCard,
  CompareCard,
  nobodyCounted,
  OccupancyCard,
  VisitorsCard,
} from '../components/numbers/ChartCards.tsx';
import { CsvDownloads } from '../components/numbers/CsvDownloads.tsx';
import { FlowTable } from '../components/numbers/FlowTable.tsx';
import { HeatmapCard } from '../components/numbers/HeatmapCard.tsx';
import {
  lastAnswer,
  type Numbers,
  useAreaCount,
  useChosenRange,
  useComparison,
  useHeat,
  useNumbers,
  useNumbersQuery,
  useOccupancy,
} from '../components/numbers/query.ts';
import { RangePicker } from '../components/numbers/RangePicker.tsx';
import { SummaryStats } from '../components/numbers/SummaryStats.tsx';
import { useGeometry } from '../components/Scene.tsx';
import { allows } from '../components/Shell.tsx';
import { OpeningHoursNote } from '../components/stores/OpeningHoursNote.tsx';
import { byHourOfDay, flowRows } from '../lib/analytics.ts';
import { useApp } from '../stores/app.tsx';

export default function Dashboard(): JSX.Element {
  const { places, choice, session } = useApp();
  const range = useChosenRange();
  const query = useNumbersQuery();
  const [data, { refetch }] = useNumbers(query);
  const occupancy = useOccupancy(query);
  const compare = useComparison(query);
  const heatCamera = () =>
    choice.state.cameraId ?? places.actions.camerasOf(choice.state.storeId)[0]?.id ?? null;
  const heat = useHeat(query, heatCamera);
  const areaCount = useAreaCount(query);
  const noCameras = () => places.state.loaded && places.actions.camerasOf(choice.state.storeId).length === 0;
  const [geometry] = useGeometry(heatCamera);
  // Area names from the camera's current areas, and from the answer for areas removed since.
  const zoneNames = createMemo(() => {
    const m = new Map<string, string>();
    for (const z of lastAnswer(geometry)?.zones ?? []) m.set(z.id, z.name);
    for (const z of lastAnswer(data)?.zones.zones ?? []) if (z.name) m.set(z.zoneId, z.name);
    return m;
  });
  const multiDay = () => choice.state.range.fromDay !== choice.state.range.toDay;
  // The last answers stay while the next load (see `lastAnswer`): the charts stay in the page.
  const numbers = () => lastAnswer(data);
  const perHourOfDay = () => {
    const n = numbers();
    return n ? byHourOfDay(n.hourly.points, query()?.timezone ?? 'UTC') : [];
  };
  const nobody = (d: Numbers) => !d.summary.visitors && !d.summary.entries && !d.summary.exits;

  // `d` stays an accessor: the cards must follow each new answer for other days or another camera.
  const cards = (d: () => Numbers) => (
    <>
      <Show when={nobody(d()) && !noCameras()}>
        <div class="note" data-testid="nobody-counted">
          <span>
            {nobodyCounted(multiDay())} <A href="/live">See the camera live</A>
          </span>
        </div>
      </Show>
      <SummaryStats summary={d().summary} />
      <OpeningHoursNote storeId={query()?.storeId} />
      <div class="grid">
        <VisitorsCard
          multiDay={multiDay()}
          hourly={d().hourly}
          daily={d().daily}
          timezone={query()?.timezone}
        />
        <BusiestHoursCard perHourOfDay={perHourOfDay()} />
        <AreasCard
          zones={d().zones}
          areaCount={lastAnswer(areaCount)}
          canDraw={allows(session.state.user?.role, 'manager')}
          multiDay={multiDay()}
        />
        <OccupancyCard occupancy={lastAnswer(occupancy)} timezone={query()?.timezone} />
        <HeatmapCard
          cameraId={heatCamera()}
          camera={places.state.cameras.find((c) => c.id === heatCamera())}
          heat={lastAnswer(heat)}
          zones={lastAnswer(geometry)?.zones ?? []}
        />
        <section class="card">
          <h2>How visitors moved between areas</h2>
          <FlowTable rows={flowRows(d().flows.flows, zoneNames())} />
        </section>
        <Show when={lastAnswer(compare)?.stores.length}>
          <CompareCard compare={lastAnswer(compare)!} />
        </Show>
      </div>
      <CsvDownloads query={query()} />
    </>
  );

  return (
    <div class="page">
      <PageHeader title="Numbers">
        <PlacePicker allCameras />
        <RangePicker value={choice.state.range} onChange={(r) => choice.actions.setRange(r)} />
      </PageHeader>
      <ErrorNote text={'error' in range() ? (range() as { error: string }).error : ''} />
      <ErrorNote text={data.error ? describeError(data.error) : ''} onRetry={() => void refetch()} />
      <Show when={noCameras()}>
        <div class="note" data-testid="no-cameras">
          <span>
            This store has no cameras yet, so nothing is counted here.{' '}
            <Show
              when={allows(session.state.user?.role, 'admin')}
              fallback="An administrator adds cameras under Stores & users."
            >
              <A href="/stores">Add a camera under Stores &amp; users</A>
            </Show>
          </span>
        </div>
      </Show>
      <Show when={data.loading && numbers()}>
        <p class="small muted" aria-live="polite">
          Updating…
        </p>
      </Show>
      <Show
        when={numbers()}
        fallback={
          <Show when={!data.error}>
            <Loading text="Counting…" />
          </Show>
        }
      >
        {(d) => cards(d)}
      </Show>
    </div>
  );
}
