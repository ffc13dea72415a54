/**
 * The broker outage: Mosquitto stops; every box keeps making events (`outageShopMinutes` of its busy
 * shop's peak, made within `outageSeconds`, plus the shop's live rate); Mosquitto starts again on
 * the same port with the same accounts. Measured from then: every box connected again, and every
 * event made before then acknowledged (stored). With `killHub`, the last hub is SIGKILLed once a
 * third of that backlog is stored: what it had taken and not acknowledged must come back to another.
 */
import type { BoxState } from './box-messages.ts';
import type { Cluster } from './cluster.ts';
import { sleep, waitUntil } from './net.ts';
import type { FleetOptions } from './options.ts';
import { shopRate } from './steady.ts';
import { EVENTS_PER_VISIT } from './store-day.ts';

export interface OutageResult {
  /** Events waiting on the boxes when the broker came back, all boxes. */
  backlog: number;
  backlogPerBox: number;
  /** Broker back to every box connected, and to every waiting event stored. */
  connectSeconds: number;
  drainSeconds: number;
  /** Backlog stored per second during the drain (all hubs). */
  drainPerSecond: number;
  killed: { hub: number; afterSeconds: number } | undefined;
}

const waiting = (boxes: readonly BoxState[]) => boxes.reduce((s, b) => s + (b.lastSeq - b.ackedUpTo), 0);

function progress(boxes: readonly BoxState[]): string {
  const sum = (f: (b: BoxState) => number) => boxes.reduce((n, b) => n + f(b), 0);
  return `${sum((b) => b.rewinds)} rewinds, ${sum((b) => b.ackTimeouts)} ack time-outs`;
}

export async function outagePhase(c: Cluster, o: FleetOptions): Promise<OutageResult> {
  const perBox = Math.round(o.outageShopMinutes * o.visitorsPerMinute * EVENTS_PER_VISIT);
  await c.fleet.tell({ type: 'rate', perSecond: shopRate(o, 12.5, 1) });
  await c.broker.stop();
  o.say(`broker stopped; each box makes ${perBox} events in ${o.outageSeconds} s`);
  await c.fleet.tell({ type: 'burst', perBox, overMs: o.outageSeconds * 1000 });
  const outageEnd = Date.now() + o.outageSeconds * 1000;
  await waitUntil(
    'the outage events made',
    async () => (await c.fleet.snapshot()).burstLeft === 0,
    600_000,
    500,
  );
  await sleep(Math.max(0, outageEnd - Date.now()));

  const before = await c.fleet.snapshot();
  const target = new Map(before.boxes.map((b) => [b.deviceId, b.lastSeq]));
  const backlog = waiting(before.boxes);
  await c.broker.start();
  const back = Date.now();
  o.say(`broker back; ${backlog} events waiting on ${before.boxes.length} boxes`);
  let connectedAt: number | undefined;
  let killed: OutageResult['killed'];
  let lastSaid = back;
  await waitUntil(
    'every box reconnected and its waiting events stored',
    async () => {
      const s = await c.fleet.snapshot();
      if (connectedAt === undefined && s.boxes.every((b) => b.connected)) connectedAt = Date.now();
      const left = s.boxes.reduce((n, b) => n + Math.max(0, target.get(b.deviceId)! - b.ackedUpTo), 0);
      if (Date.now() - lastSaid >= 5000) {
        lastSaid = Date.now();
        o.say(
          `${s.boxes.filter((b) => b.connected).length} boxes connected, ${left} events waiting, ${progress(s.boxes)}`,
        );
      }
      if (o.killHub && !killed && left <= (backlog * 2) / 3) {
        const victim = c.hubs.at(-1)!;
        await victim.kill();
        killed = { hub: victim.index, afterSeconds: Math.round((Date.now() - back) / 100) / 10 };
        o.say(`hub ${victim.index} killed (SIGKILL) with ${left} events still waiting`);
      }
      return connectedAt !== undefined && left === 0;
    },
    o.drainTimeoutSeconds * 1000,
    250,
  );
  const drained = (Date.now() - back) / 1000;
  return {
    backlog,
    backlogPerBox: Math.round(backlog / before.boxes.length),
    connectSeconds: Math.round((connectedAt! - back) / 100) / 10,
    drainSeconds: Math.round(drained * 10) / 10,
    drainPerSecond: Math.round(backlog / drained),
    killed,
  };
}
