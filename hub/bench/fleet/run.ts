/**
 * One fleet run: the cluster up, the steady phase, the broker outage (with a hub killed on request),
 * then the boxes stop making events, everything waiting is delivered, and the database is checked
 * against every box's seqs.
 */
import { type Cluster, startCluster } from './cluster.ts';
import { checkExactlyOnce, type ExactlyOnce } from './exactly-once.ts';
import { keepLogs } from './logs.ts';
import { waitUntil } from './net.ts';
import type { FleetOptions } from './options.ts';
import { type OutageResult, outagePhase } from './outage.ts';
import { type SteadyResult, steadyPhase } from './steady.ts';

export interface FleetReport {
  boxes: number;
  hubs: number;
  setup: Cluster['setup'];
  steady: SteadyResult;
  outage: OutageResult;
  exactlyOnce: ExactlyOnce;
  /** Hub messages the boxes refused (unsigned, forged, invalid): 0 when every ack checked out. */
  refusedByBoxes: number;
  /** Per hub: whether it still runs, and its error lines. */
  hubStates: Array<{ index: number; alive: boolean; errorLines: number }>;
}

/** pino's JSON lines at level error (50) or fatal (60). */
function errorLines(log: string): number {
  return log.split('\n').filter((l) => /"level":(50|60)/.test(l)).length;
}

async function finish(c: Cluster, o: FleetOptions): Promise<{ exactlyOnce: ExactlyOnce; refused: number }> {
  await c.fleet.tell({ type: 'rate', perSecond: 0 });
  await waitUntil(
    'every box emptied',
    async () => (await c.fleet.snapshot()).boxes.every((b) => b.depth === 0),
    o.drainTimeoutSeconds * 1000,
    500,
  );
  const s = await c.fleet.snapshot();
  const db = await c.database.connect();
  try {
    const exactlyOnce = await checkExactlyOnce(db, new Map(s.boxes.map((b) => [b.deviceId, b.lastSeq])));
    return { exactlyOnce, refused: s.boxes.reduce((n, b) => n + b.refused, 0) };
  } finally {
    await db.end();
  }
}

export async function runFleet(o: FleetOptions): Promise<FleetReport> {
  const c = await startCluster(o);
  try {
    const steady = await steadyPhase(c, o);
    o.say(
      `steady: ${steady.storedPerSecond} events/s stored, publish to ack p95 ${steady.publishToAck.p95} ms`,
    );
    const outage = await outagePhase(c, o);
    o.say(`drained ${outage.backlog} events in ${outage.drainSeconds} s`);
    const { exactlyOnce, refused } = await finish(c, o);
    return {
      boxes: c.specs.length,
      hubs: c.hubs.length,
      setup: c.setup,
      steady,
      outage,
      exactlyOnce,
      refusedByBoxes: refused,
      hubStates: c.hubs.map((h) => ({ index: h.index, alive: h.alive, errorLines: errorLines(h.log) })),
    };
  } catch (error) {
    for (const h of c.hubs) o.say(`hub ${h.index} log (end):\n${h.log.slice(-3000)}`);
    o.say(`broker log (end):\n${c.broker.log().slice(-3000)}`);
    throw error;
  } finally {
    keepLogs(c.hubs, c.broker);
    await c.close();
  }
}
