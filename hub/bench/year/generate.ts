/**
 * Fills a database with a chain's year: stores, boxes, cameras, areas and lines through the hub's
 * repositories (after its migrations, so the current schema), then events, visits, time per area and
 * the hourly and daily summaries by COPY, four streams at once. The summaries come from the hub's own
 * summary math (SummaryAccumulator and OccupancyTracker, as ingest computes them per transaction).
 */
import { tmpdir } from 'node:os';
import type { PGlite } from '@electric-sql/pglite';
import type { TrackingEvent } from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import { OccupancyTracker, SummaryAccumulator } from '../../src/aggregate/summarize.ts';
import { type DatabaseHandle, type Db, openDatabase, queryRows } from '../../src/db/database.ts';
import { createRepositories, type Repositories } from '../../src/db/repositories/index.ts';
import { buildChain, DAY_MS, dayWeight, openingOn, type SimStore, seeded } from './chain.ts';
import { CopyStream, field, PgliteCopy, type RowSink } from './copy.ts';
import { dropSecondaryIndexes, restoreIndexes } from './indexes.ts';
import { movementOf } from './movement.ts';
import { AVERAGE_EVENTS_PER_VISIT, type SimVisit, storeDay, type TrackCounters } from './visits.ts';

export interface GenerateOptions {
  /** PostgreSQL; absent: the embedded database (PGlite) in `dataDir`. */
  url?: string;
  dataDir?: string;
  schema?: string;
  events: number;
  stores: number;
  days: number;
  /** The first local date after the data (UTC midnight of that date); default today. */
  end?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface GenerateResult {
  stores: SimStore[];
  /** The first date and the date after the last (UTC midnights). */
  from: number;
  to: number;
  rows: { events: number; visits: number; zoneVisits: number; summaries: number; movement: number };
  seconds: { setup: number; copy: number; indexes: number; analyze: number };
}

const TABLES = [
  'tracking_events',
  'visits',
  'zone_visits',
  'analytics_summaries',
  'zone_flow_days',
  'heatmap_cell_days',
];

async function createChain(repos: Repositories, chain: SimStore[]): Promise<void> {
  for (const s of chain) {
    await repos.stores.create({ id: s.id, name: s.name, timezone: s.timezone, openingHours: s.openingHours });
    await repos.devices.create({ id: s.deviceId, storeId: s.id, name: `${s.name} box` });
    for (const [i, c] of s.cameras.entries()) {
      await repos.cameras.create({
        id: c.id,
        storeId: s.id,
        deviceId: s.deviceId,
        name: i === 0 ? 'Entrance' : `Floor ${i}`,
        source: String(i),
        frameWidth: 640,
        frameHeight: 480,
      });
      await repos.zones.createLine({
        id: c.lineId,
        cameraId: c.id,
        name: 'Door',
        start: [0, 400],
        end: [639, 400],
        inSide: 'left',
      });
      for (const [z, zoneId] of c.zoneIds.entries()) {
        const x = Math.floor((z * 640) / c.zoneIds.length);
        const w = Math.floor(640 / c.zoneIds.length) - 1;
        await repos.zones.createZone({
          id: zoneId,
          cameraId: c.id,
          name: `Area ${z + 1}`,
          polygon: [
            [x, 0],
            [x + w, 0],
            [x + w, 379],
            [x, 379],
          ],
        });
      }
    }
  }
}

/** Every open store-day's share of the year's visitors (busy days, store size, some noise). */
function weights(chain: SimStore[], from: number, days: number, rnd: () => number): number[][] {
  return chain.map((s) =>
    Array.from({ length: days }, (_, d) => {
      const date = from + d * DAY_MS;
      const o = openingOn(s, date);
      if (!o) return 0;
      const hoursShare = (o.close - o.open) / (11 * 3_600_000);
      return s.size * dayWeight(date) * Math.min(1, hoursShare * 1.5) * (0.85 + 0.3 * rnd());
    }),
  );
}

interface StoreState {
  seq: number;
  tracks: TrackCounters;
  occupancy: OccupancyTracker;
  /** The fraction of a visit carried to the next day, so rounding loses nothing over the year. */
  carry: number;
  ctx: { storeId: string; timezone: string; zonesByCamera: Map<string, Set<string>> };
}

interface Streams {
  events: RowSink;
  visits: RowSink;
  zoneVisits: RowSink;
  summaries: RowSink;
  /** The daily movement tables, when the schema has them. */
  flows?: RowSink;
  cells?: RowSink;
}

const COLUMNS = {
  events: [
    'device_id',
    'seq',
    'kind',
    'at',
    'store_id',
    'camera_id',
    'track_id',
    'zone_id',
    'line_id',
    'payload',
  ],
  visits: [
    'id',
    'store_id',
    'camera_id',
    'source_device_id',
    'source_seq',
    'track_id',
    'started_at',
    'ended_at',
    'duration_ms',
    'path',
  ],
  zoneVisits: ['visit_id', 'zone_id', 'store_id', 'started_at', 'dwell_ms', 'entries'],
  summaries: [
    'period',
    'bucket_start',
    'store_id',
    'camera_id',
    'zone_id',
    'visitors',
    'entries',
    'exits',
    'dwell_count',
    'total_dwell_ms',
    'peak_occupancy',
  ],
  flows: ['day', 'store_id', 'camera_id', 'from_zone_id', 'to_zone_id', 'count'],
  cells: ['day', 'store_id', 'camera_id', 'cell_x', 'cell_y', 'count'],
};
const TABLE_OF = {
  events: 'tracking_events',
  visits: 'visits',
  zoneVisits: 'zone_visits',
  summaries: 'analytics_summaries',
  flows: 'zone_flow_days',
  cells: 'heatmap_cell_days',
} as const;

/** Four COPY streams at once on PostgreSQL (four server processes); chunked COPYs on PGlite. */
async function openStreams(o: GenerateOptions, handle: DatabaseHandle, movement: boolean): Promise<Streams> {
  const keys = movement
    ? (['events', 'visits', 'zoneVisits', 'summaries', 'flows', 'cells'] as const)
    : (['events', 'visits', 'zoneVisits', 'summaries'] as const);
  const sinks = await Promise.all(
    keys.map((k): Promise<RowSink> | RowSink =>
      o.url
        ? CopyStream.open(o.url, o.schema, TABLE_OF[k], COLUMNS[k])
        : new PgliteCopy((handle.db as unknown as { $client: PGlite }).$client, TABLE_OF[k], COLUMNS[k]),
    ),
  );
  return {
    events: sinks[0]!,
    visits: sinks[1]!,
    zoneVisits: sinks[2]!,
    summaries: sinks[3]!,
    ...(movement ? { flows: sinks[4]!, cells: sinks[5]! } : {}),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

async function writeEvents(out: Streams, store: SimStore, st: StoreState, events: TrackingEvent[]) {
  const seqOf = new Map<TrackingEvent, number>();
  const acc = new SummaryAccumulator(st.ctx);
  for (const e of events) {
    const seq = ++st.seq;
    if (e.kind === 'visit_closed') seqOf.set(e, seq);
    acc.addEvent(e);
    st.occupancy.apply(e, acc);
    const zone = e.kind === 'zone_entered' || e.kind === 'zone_left' ? e.zoneId : null;
    const line = e.kind === 'line_crossed' ? e.lineId : null;
    await out.events.row([
      store.deviceId,
      String(seq),
      e.kind,
      iso(e.at),
      store.id,
      e.cameraId,
      String(e.trackId),
      field(zone),
      field(line),
      field(JSON.stringify(e)),
    ]);
  }
  for (const d of acc.deltas()) {
    await out.summaries.row([
      d.period,
      iso(d.bucketStart.getTime()),
      d.storeId,
      d.cameraId,
      field(d.zoneId),
      String(d.visitors ?? 0),
      String(d.entries ?? 0),
      String(d.exits ?? 0),
      String(d.dwellCount ?? 0),
      String(d.totalDwellMs ?? 0),
      String(d.peakOccupancy ?? 0),
    ]);
  }
  return seqOf;
}

async function writeVisits(
  out: Streams,
  store: SimStore,
  visits: SimVisit[],
  seqOf: Map<TrackingEvent, number>,
  nextId: () => number,
) {
  for (const { camera, closed } of visits) {
    const id = nextId();
    const start = closed.startedAt;
    await out.visits.row([
      String(id),
      store.id,
      camera.id,
      store.deviceId,
      String(seqOf.get(closed)),
      String(closed.trackId),
      iso(start),
      iso(start + closed.durationMs),
      String(closed.durationMs),
      field(JSON.stringify(closed.path)),
    ]);
    for (const z of closed.zones) {
      await out.zoneVisits.row([String(id), z.zoneId, store.id, iso(start), String(z.dwellMs), '1']);
    }
  }
}

/**
 * When the events table is partitioned by month (migration 0009), the months of the data get their
 * partitions first (its own function), so nothing lands in the default partition.
 */
async function addMonthPartitions(db: Db, from: number, to: number): Promise<void> {
  const [fn] = await queryRows<{ found: boolean }>(
    db,
    sql`SELECT to_regproc('tracking_events_add_month') IS NOT NULL AS found`,
  );
  if (!fn?.found) return;
  const d = new Date(from);
  for (let m = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); m < to; ) {
    await db.execute(sql`SELECT tracking_events_add_month(${new Date(m).toISOString().slice(0, 10)}::date)`);
    const n = new Date(m);
    m = Date.UTC(n.getUTCFullYear(), n.getUTCMonth() + 1, 1);
  }
}

async function writeMovement(out: Streams, store: SimStore, date: number, visits: SimVisit[]) {
  if (!out.flows || !out.cells) return;
  const day = iso(date).slice(0, 10);
  const m = movementOf(visits, { width: 640, height: 480 });
  for (const f of m.flows.values()) {
    await out.flows.row([day, store.id, f.cameraId, field(f.from), f.to, String(f.count)]);
  }
  for (const c of m.cells.values()) {
    await out.cells.row([day, store.id, c.cameraId, String(c.x), String(c.y), String(c.count)]);
  }
}

async function hasTable(db: Db, name: string): Promise<boolean> {
  const [r] = await queryRows<{ found: boolean }>(db, sql`SELECT to_regclass(${name}) IS NOT NULL AS found`);
  return r?.found ?? false;
}

export async function generateYear(o: GenerateOptions): Promise<GenerateResult> {
  const log = o.log ?? (() => undefined);
  const to = o.end ?? Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const from = to - o.days * DAY_MS;
  const chain = buildChain(o.stores, new Date(from).getUTCFullYear(), o.seed ?? 42);
  const rnd = seeded((o.seed ?? 42) + 1);
  const clock = () => performance.now();
  let t = clock();

  // One connection: the session settings below hold for every statement.
  const handle = await openDatabase(
    { databaseUrl: o.url, dataDir: o.dataDir ?? tmpdir() },
    { ...(o.schema ? { schema: o.schema } : {}), maxConnections: 1, lockCommand: 'generate-year' },
  );
  const admin = handle.db;
  try {
    await handle.migrate();
    await createChain(createRepositories(handle.db), chain);
    await addMonthPartitions(admin, from, to);
    const setAside = await dropSecondaryIndexes(admin, TABLES);
    // PGlite's COPYs run on this same connection: no foreign key checks there either.
    if (!o.url) await admin.execute(sql.raw('SET session_replication_role = replica'));
    const setup = (clock() - t) / 1000;
    log(`schema, ${chain.length} stores and their cameras: ${setup.toFixed(1)} s`);

    t = clock();
    const w = weights(chain, from, o.days, rnd);
    const total = w.flat().reduce((a, b) => a + b, 0);
    const perWeight = o.events / AVERAGE_EVENTS_PER_VISIT / total;
    const states: StoreState[] = chain.map((s) => ({
      seq: 0,
      tracks: new Map(),
      occupancy: new OccupancyTracker(),
      carry: 0,
      ctx: {
        storeId: s.id,
        timezone: s.timezone,
        zonesByCamera: new Map(s.cameras.map((c) => [c.id, new Set(c.zoneIds)])),
      },
    }));
    const movement =
      (await hasTable(admin, 'zone_flow_days')) && (await hasTable(admin, 'heatmap_cell_days'));
    const out = await openStreams(o, handle, movement);
    let visitId = 0;
    const nextId = () => ++visitId;
    for (let d = 0; d < o.days; d++) {
      const date = from + d * DAY_MS;
      for (const [i, store] of chain.entries()) {
        const opening = openingOn(store, date);
        if (!opening) continue;
        const st = states[i]!;
        const want = w[i]![d]! * perWeight + st.carry;
        const count = Math.floor(want);
        st.carry = want - count;
        const day = storeDay(store, opening.open, opening.close, count, st.tracks, rnd);
        const seqOf = await writeEvents(out, store, st, day.events);
        await writeVisits(out, store, day.visits, seqOf, nextId);
        await writeMovement(out, store, date, day.visits);
      }
      if ((d + 1) % 30 === 0 || d === o.days - 1) {
        const secs = (clock() - t) / 1000;
        log(`  day ${d + 1}/${o.days}: ${out.events.rows.toLocaleString('en')} events, ${secs.toFixed(0)} s`);
      }
    }
    const rows = {
      events: out.events.rows,
      visits: out.visits.rows,
      zoneVisits: out.zoneVisits.rows,
      summaries: out.summaries.rows,
      movement: (out.flows?.rows ?? 0) + (out.cells?.rows ?? 0),
    };
    await Promise.all(Object.values(out).map((s: RowSink) => s.end()));
    const copy = (clock() - t) / 1000;
    log(`copied in ${copy.toFixed(1)} s`);

    t = clock();
    if (!o.url) await admin.execute(sql.raw('RESET session_replication_role'));
    await restoreIndexes(admin, setAside);
    await admin.execute(sql`SELECT setval(pg_get_serial_sequence('visits', 'id'), ${Math.max(1, visitId)})`);
    const indexes = (clock() - t) / 1000;
    log(`${setAside.length} indexes built again in ${indexes.toFixed(1)} s`);
    t = clock();
    await admin.execute(
      sql.raw(
        `VACUUM ANALYZE ${TABLES.slice(0, movement ? 6 : 4)
          .map((t) => `"${t}"`)
          .join(', ')}`,
      ),
    );
    const analyze = (clock() - t) / 1000;
    log(`vacuum analyze: ${analyze.toFixed(1)} s`);
    return { stores: chain, from, to, rows, seconds: { setup, copy, indexes, analyze } };
  } finally {
    await handle.close();
  }
}
