/**
 * The steady phase: every shop's day runs `speed` times faster than the clock from 11:00 (towards the
 * lunch peak), each box sending as its link does; the hubs' stored rate (from the boxes' acks, which
 * follow the commits), the publish-to-ack times and the dashboards' fan-out are measured.
 */
import type { Cluster } from './cluster.ts';
import type { HubFanOut } from './dashboard-worker.ts';
import { sleep } from './net.ts';
import type { FleetOptions } from './options.ts';
import { pushAll, type Spread, spread } from './stats.ts';
import { busyness, EVENTS_PER_VISIT } from './store-day.ts';

export interface SteadyResult {
  seconds: number;
  /** Events the boxes made per second, all together. */
  madePerSecond: number;
  /** Events acknowledged (stored) per second, all hubs together. */
  storedPerSecond: number;
  /** Rows added to tracking_events and dead_letters per second (the database's own count). */
  rowsPerSecond: number;
  publishToAck: Spread;
  madeToAck: Spread;
  fanOut: Array<Omit<HubFanOut, 'latencies'> & { latency: Spread }> | undefined;
  dashboardsClosed: number;
}

/** Events a second one box makes at `hour` of a shop's day, `speed` times faster than the clock. */
export function shopRate(o: FleetOptions, hour: number, speed: number): number {
  return ((o.visitorsPerMinute * EVENTS_PER_VISIT) / 60) * busyness(hour) * speed;
}

const acked = (boxes: ReadonlyArray<{ ackedUpTo: number }>) => boxes.reduce((s, b) => s + b.ackedUpTo, 0);

export async function steadyPhase(c: Cluster, o: FleetOptions): Promise<SteadyResult> {
  const publishToAck: number[] = [];
  const madeToAck: number[] = [];
  const rowsBefore = await storedRows(c);
  const first = await c.fleet.snapshot();
  await c.fleet.tell({ type: 'measure', on: true });
  await c.dashboards?.measure(true);
  const start = Date.now();
  const startDate = new Date();
  const end = start + o.steadySeconds * 1000;
  while (Date.now() < end) {
    const hour = 11 + ((Date.now() - start) / 1000) * (o.speed / 3600);
    await c.fleet.tell({ type: 'rate', perSecond: shopRate(o, hour, o.speed) });
    await sleep(1000);
    const s = await c.fleet.snapshot();
    pushAll(publishToAck, s.publishToAck);
    pushAll(madeToAck, s.madeToAck);
  }
  const last = await c.fleet.snapshot();
  const elapsed = (Date.now() - start) / 1000;
  const rowsAfter = await storedRows(c);
  const endDate = new Date();
  await c.fleet.tell({ type: 'measure', on: false });
  pushAll(publishToAck, last.publishToAck);
  pushAll(madeToAck, last.madeToAck);
  // The dashboards get time for what was stored last (a saturated hub is seconds behind).
  if (c.dashboards) await sleep(o.fanOutGraceSeconds * 1000);
  await c.dashboards?.measure(false);
  const fan = c.dashboards ? await fanOut(c, startDate, endDate) : undefined;
  return {
    seconds: Math.round(elapsed * 10) / 10,
    madePerSecond: Math.round((last.made - first.made) / elapsed),
    storedPerSecond: Math.round((acked(last.boxes) - acked(first.boxes)) / elapsed),
    rowsPerSecond: Math.round((rowsAfter - rowsBefore) / elapsed),
    publishToAck: spread(publishToAck),
    madeToAck: spread(madeToAck),
    fanOut: fan?.perHub,
    dashboardsClosed: fan?.closed ?? 0,
  };
}

async function storedRows(c: Cluster): Promise<number> {
  const db = await c.database.connect();
  try {
    const r = await db.query<{ n: string }>(
      'SELECT (SELECT count(*) FROM tracking_events) + (SELECT count(*) FROM dead_letters) AS n',
    );
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await db.end();
  }
}

async function fanOut(c: Cluster, from: Date, to: Date) {
  const db = await c.database.connect();
  try {
    const r = await c.dashboards!.report(db, from, to);
    return {
      closed: r.closed,
      perHub: r.perHub.map(({ latencies, ...rest }) => ({ ...rest, latency: spread(latencies) })),
    };
  } finally {
    await db.end();
  }
}
