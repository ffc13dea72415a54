/**
 * The numbers: for a store (and optionally one camera) over a range of days: visitors by hour and by
 * day, busiest hours, time spent per area, people inside over time, a heatmap over the camera picture,
 * how visitors walked between areas, stores side by side, and CSV downloads.
 */
import type { ApexOptions } from 'apexcharts';
import { createMemo, createResource, createSignal, For, type JSX, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import type { Compare, Flows, Heatmap, Summary, TimeSeries, ZoneStats } from '../api/types.ts';
import { CameraPicture } from '../components/CameraPicture.tsx';
import { Chart } from '../components/Chart.tsx';
import { ErrorNote, Loading, PageHeader, PlacePicker, Stat } from '../components/Common.tsx';
import { Icon } from '../components/Icon.tsx';
import { AreasLayer, HeatLayer, useGeometry } from '../components/Scene.tsx';
import { busiestHours, byHourOfDay, fillHours, flowRows, occupancySeries } from '../lib/analytics.ts';
import {
  type DayRange,
  formatCount,
  formatDay,
  formatDuration,
  hourOfDayLabel,
  type Preset,
  presetRange,
  rangeToIso,
} from '../lib/format.ts';
import { useApp } from '../stores/app.tsx';

interface Query {
  storeId: string;
  cameraId: string | null;
  from: string;
  to: string;
  timezone: string;
}

export default function Dashboard(): JSX.Element {
  const { api, places, choice } = useApp();
  const range = () => rangeToIso(choice.state.range);
  const query = createMemo((): Query | null => {
    const r = range();
    const storeId = choice.state.storeId;
    if ('error' in r || !storeId) return null;
    const timezone = places.state.stores.find((s) => s.id === storeId)?.timezone ?? 'UTC';
    return { storeId, cameraId: choice.state.cameraId, from: r.from, to: r.to, timezone };
  });
  const base = (q: Query) => ({
    storeId: q.storeId,
    cameraId: q.cameraId ?? undefined,
    from: q.from,
    to: q.to,
  });

  const [data, { refetch }] = createResource(query, async (q) => {
    const [summary, hourly, daily, zones, flows] = await Promise.all([
      api.get<Summary>('/api/analytics/summary', base(q)),
      api.get<TimeSeries>('/api/analytics/timeseries', { ...base(q), interval: 'hour' }),
      api.get<TimeSeries>('/api/analytics/timeseries', { ...base(q), interval: 'day' }),
      api.get<ZoneStats>('/api/analytics/zones', base(q)),
      api.get<Flows>('/api/analytics/flows', base(q)),
    ]);
    return { summary, hourly, daily, zones, flows };
  });
  const [occupancy] = createResource(query, async (q) => {
    const res = await api.request<Response>('GET', '/api/export/summaries.csv', {
      query: { storeId: q.storeId, from: q.from, to: q.to, period: 'hour' },
      raw: true,
    });
    return fillHours(occupancySeries(await res.text(), q.cameraId), q.from, q.to);
  });
  const [compare] = createResource(
    () => (places.state.stores.length > 1 && query() ? { from: query()!.from, to: query()!.to } : null),
    (r) => api.get<Compare>('/api/analytics/compare', r),
  );

  const heatCamera = () =>
    choice.state.cameraId ?? places.actions.camerasOf(choice.state.storeId)[0]?.id ?? null;
  const [heat] = createResource(
    () =>
      query() && heatCamera() ? { cameraId: heatCamera()!, from: query()!.from, to: query()!.to } : null,
    (q) => api.get<Heatmap>('/api/analytics/heatmap', { ...q, cols: 48, rows: 36 }),
  );
  const [geometry] = useGeometry(heatCamera);
  const zoneNames = createMemo(() => {
    const m = new Map<string, string>();
    for (const z of geometry()?.zones ?? []) m.set(z.id, z.name);
    for (const z of data()?.zones.zones ?? []) if (z.name) m.set(z.zoneId, z.name);
    return m;
  });

  const multiDay = () => choice.state.range.fromDay !== choice.state.range.toDay;
  const perHourOfDay = () => (data() ? byHourOfDay(data()!.hourly.points, query()?.timezone ?? 'UTC') : []);

  return (
    <div class="page">
      <PageHeader title="Numbers">
        <PlacePicker allCameras />
        <RangePicker value={choice.state.range} onChange={(r) => choice.actions.setRange(r)} />
      </PageHeader>
      <ErrorNote text={'error' in range() ? (range() as { error: string }).error : ''} />
      <ErrorNote text={data.error ? describeError(data.error) : ''} onRetry={() => void refetch()} />
      <Show
        when={data()}
        fallback={
          <Show when={!data.error}>
            <Loading text="Counting…" />
          </Show>
        }
      >
        {(d) => (
          <>
            <section class="card">
              <div class="stats" style={{ 'margin-bottom': 0 }}>
                <Stat testId="dash-visitors" label="Visitors" value={formatCount(d().summary.visitors)} />
                <Stat
                  label="Entrances"
                  value={formatCount(d().summary.entries)}
                  hint="walked in over a counting line"
                />
                <Stat label="Walked out" value={formatCount(d().summary.exits)} />
                <Stat label="Average time spent" value={formatDuration(d().summary.averageTimeSpentMs)} />
                <Stat
                  label="Busiest hour"
                  value={
                    d().summary.busiestHourOfDay ? hourOfDayLabel(d().summary.busiestHourOfDay!.hour) : '–'
                  }
                  hint={
                    d().summary.busiestHourOfDay
                      ? `${formatCount(d().summary.busiestHourOfDay!.visitors)} visitors`
                      : 'no visitors yet'
                  }
                />
              </div>
            </section>
            <div class="grid">
              <section class="card">
                <h2>{multiDay() ? 'Visitors by day' : 'Visitors by hour'}</h2>
                <Show
                  when={multiDay()}
                  fallback={
                    <Chart
                      testId="chart-hourly"
                      label="Visitors by hour"
                      options={hourlyChart(d().hourly, query()?.timezone)}
                    />
                  }
                >
                  <Chart testId="chart-daily" label="Visitors by day" options={dailyChart(d().daily)} />
                </Show>
              </section>
              <section class="card">
                <h2>Busiest hours</h2>
                <Chart
                  testId="chart-busiest"
                  label="Visitors per hour of the day"
                  options={busiestChart(perHourOfDay())}
                />
                <p class="small muted">
                  {busiestHours(perHourOfDay())
                    .map((h) => `${hourOfDayLabel(h.hour)} (${formatCount(h.visitors)})`)
                    .join(', ') || 'No visitors in this range yet.'}
                </p>
              </section>
              <section class="card">
                <h2>Time spent per area</h2>
                <Show
                  when={d().zones.zones.length}
                  fallback={
                    <p class="muted">No areas on this camera yet: draw some under Areas &amp; lines.</p>
                  }
                >
                  <Chart
                    testId="chart-areas"
                    label="Average time spent per area"
                    options={areasChart(d().zones)}
                  />
                </Show>
              </section>
              <section class="card">
                <h2>People inside over time</h2>
                <Show when={occupancy()} fallback={<Loading />}>
                  {(o) => (
                    <Chart
                      testId="chart-occupancy"
                      label="Most people inside per hour"
                      options={occupancyChart(o())}
                    />
                  )}
                </Show>
              </section>
              <section class="card">
                <h2>Where people walked</h2>
                <Show when={heatCamera()} fallback={<p class="muted">This store has no cameras.</p>}>
                  <CameraPicture
                    camera={places.state.cameras.find((c) => c.id === heatCamera())}
                    testId="heatmap"
                  >
                    {(frame) => (
                      <>
                        <Show when={heat()}>{(h) => <HeatLayer heat={h()} frame={frame} />}</Show>
                        <AreasLayer zones={geometry()?.zones ?? []} lines={[]} />
                      </>
                    )}
                  </CameraPicture>
                  <p class="small muted">
                    {heat() ? `${formatCount(heat()!.total)} points of walked paths; red is busiest.` : ''}
                  </p>
                </Show>
              </section>
              <section class="card">
                <h2>How visitors moved between areas</h2>
                <FlowTable rows={flowRows(d().flows.flows, zoneNames())} />
              </section>
              <Show when={compare()?.stores.length}>
                <section class="card">
                  <h2>Stores side by side</h2>
                  <Chart
                    testId="chart-compare"
                    label="Visitors per store"
                    options={compareChart(compare()!)}
                  />
                </section>
              </Show>
            </div>
            <section class="card">
              <h2>Download for a spreadsheet</h2>
              <div class="toolbar">
                <DownloadButton path="/api/export/visits.csv" query={query()} label="Visits (CSV)" />
                <DownloadButton
                  path="/api/export/summaries.csv"
                  query={query()}
                  extra={{ period: 'hour' }}
                  label="Hourly numbers (CSV)"
                />
                <DownloadButton
                  path="/api/export/summaries.csv"
                  query={query()}
                  extra={{ period: 'day' }}
                  label="Daily numbers (CSV)"
                />
              </div>
            </section>
          </>
        )}
      </Show>
    </div>
  );
}

const PRESETS: { id: Preset; label: string }[] = [
  { id: 'today', label: 'Today' },
  { id: 'yesterday', label: 'Yesterday' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
];

function RangePicker(props: { value: DayRange; onChange: (r: DayRange) => void }): JSX.Element {
  const same = (p: Preset) => {
    const r = presetRange(p);
    return r.fromDay === props.value.fromDay && r.toDay === props.value.toDay;
  };
  return (
    <div class="picker">
      <label>
        <span>From</span>
        <input
          type="date"
          value={props.value.fromDay}
          onChange={(e) => props.onChange({ ...props.value, fromDay: e.currentTarget.value })}
        />
      </label>
      <label>
        <span>To</span>
        <input
          type="date"
          value={props.value.toDay}
          onChange={(e) => props.onChange({ ...props.value, toDay: e.currentTarget.value })}
        />
      </label>
      <div class="toolbar">
        <For each={PRESETS}>
          {(p) => (
            <button
              type="button"
              class="small"
              classList={{ active: same(p.id) }}
              onClick={() => props.onChange(presetRange(p.id))}
            >
              {p.label}
            </button>
          )}
        </For>
      </div>
    </div>
  );
}

function FlowTable(props: { rows: ReturnType<typeof flowRows> }): JSX.Element {
  return (
    <Show when={props.rows.length} fallback={<p class="muted">No walks between areas in this range yet.</p>}>
      <table class="table" data-testid="flows">
        <thead>
          <tr>
            <th>From</th>
            <th>To</th>
            <th>Visitors</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.rows}>
            {(r) => (
              <tr>
                <td>{r.from}</td>
                <td>{r.to}</td>
                <td>
                  <div style={{ display: 'flex', 'align-items': 'center', gap: '0.4rem' }}>
                    <div
                      style={{
                        height: '8px',
                        width: `${Math.max(4, r.share * 80)}px`,
                        background: 'var(--teal)',
                        'border-radius': '4px',
                      }}
                    />
                    {formatCount(r.count)}
                  </div>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Show>
  );
}

function DownloadButton(props: {
  path: string;
  query: Query | null;
  extra?: Record<string, string>;
  label: string;
}): JSX.Element {
  const { api } = useApp();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const go = async () => {
    const q = props.query;
    if (!q) return;
    setBusy(true);
    setError('');
    try {
      const res = await api.request<Response>('GET', props.path, {
        query: {
          storeId: q.storeId,
          cameraId: props.path.includes('visits') ? (q.cameraId ?? undefined) : undefined,
          from: q.from,
          to: q.to,
          ...props.extra,
        },
        raw: true,
      });
      const name =
        /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'oskartrack.csv';
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={go} disabled={busy() || !props.query}>
        <Icon name="download" /> {props.label}
      </button>
      <Show when={error()}>
        <span class="small" style={{ color: 'var(--red)' }}>
          {error()}
        </span>
      </Show>
    </>
  );
}

function hourlyChart(s: TimeSeries, timeZone = 'UTC'): ApexOptions {
  return {
    chart: { type: 'bar' },
    series: [
      { name: 'Visitors', data: s.points.map((p) => p.visitors) },
      { name: 'Entrances', data: s.points.map((p) => p.entries) },
    ],
    xaxis: {
      categories: s.points.map((p) =>
        new Date(p.start).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone }),
      ),
      labels: { rotate: -45, hideOverlappingLabels: true },
    },
    yaxis: { labels: { formatter: (v: number) => formatCount(v) } },
  };
}

function dailyChart(s: TimeSeries): ApexOptions {
  return {
    chart: { type: 'bar' },
    series: [
      { name: 'Visitors', data: s.points.map((p) => p.visitors) },
      { name: 'Entrances', data: s.points.map((p) => p.entries) },
    ],
    xaxis: { categories: s.points.map((p) => formatDay(p.start, s.timezone)) },
    yaxis: { labels: { formatter: (v: number) => formatCount(v) } },
  };
}

function busiestChart(perHour: number[]): ApexOptions {
  const top = Math.max(...perHour, 0);
  return {
    chart: { type: 'bar' },
    series: [{ name: 'Visitors', data: perHour }],
    xaxis: {
      categories: perHour.map((_, h) => `${String(h).padStart(2, '0')}h`),
      labels: { hideOverlappingLabels: true },
    },
    plotOptions: { bar: { distributed: true, columnWidth: '80%' } },
    colors: perHour.map((v) => (v === top && top > 0 ? '#f59e0b' : '#1d4ed8')),
    legend: { show: false },
    yaxis: { labels: { formatter: (v: number) => formatCount(v) } },
  };
}

function areasChart(z: ZoneStats): ApexOptions {
  return {
    chart: { type: 'bar' },
    series: [
      {
        name: 'Average time spent (seconds)',
        data: z.zones.map((a) => Math.round(a.averageTimeSpentMs / 1000)),
      },
    ],
    xaxis: { categories: z.zones.map((a) => a.name ?? 'Removed area') },
    plotOptions: { bar: { horizontal: true } },
    tooltip: { y: { formatter: (v: number) => formatDuration(v * 1000) } },
  };
}

function occupancyChart(o: { start: number; people: number }[]): ApexOptions {
  return {
    chart: { type: 'area' },
    series: [{ name: 'Most people inside', data: o.map((p) => ({ x: p.start, y: p.people })) }],
    xaxis: { type: 'datetime', labels: { datetimeUTC: false } },
    stroke: { curve: 'stepline', width: 2 },
    yaxis: { labels: { formatter: (v: number) => formatCount(v) } },
    noData: { text: 'No one counted in this range yet' },
  };
}

function compareChart(c: Compare): ApexOptions {
  return {
    chart: { type: 'bar' },
    series: [
      { name: 'Visitors', data: c.stores.map((s) => s.visitors) },
      { name: 'Entrances', data: c.stores.map((s) => s.entries) },
    ],
    xaxis: { categories: c.stores.map((s) => s.name) },
  };
}
