/**
 * Field drain benchmark: a box's 100,000-event backlog drained over a slow link between two network
 * namespaces (the hub as `oskartrack-hub serve` with its embedded database in one, the box in the other,
 * a veth pair with a token bucket of 256 kbit/s on both ends), then the box revoked on the hub.
 *
 *   node --import tsx hub/bench/field-drain.ts [--events 100000] [--rate 256kbit] [--insecure]
 *
 * Run as root (namespaces); needs iproute2 and nftables. The backlog is built while the cable is
 * pulled; the clock starts when it is plugged back in. Reports the drain time, events/s, the bytes on
 * the wire per event (`ip -s link` counters of the box's end, both directions) and the time from the
 * revoke call to the box losing its connection (and whether it is still out 15 s later).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { boxState, enrolledBox, exactlyOnce, FieldHub, startFieldBox, waitFor } from '../test/field/field.ts';
import { FieldNet } from '../test/field/netns.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '256kbit' },
    insecure: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(args.events);

const net = await FieldNet.create();
const work = mkdtempSync(join(tmpdir(), 'oskartrack-field-bench-'));
const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
try {
  const hub = new FieldHub(net, join(work, 'hub'), { tls: !args.insecure });
  await hub.start();
  const shop = await enrolledBox(net, hub, 'Bench shop', work);
  const { dir, deviceId } = shop;

  // The backlog piles up while the cable is pulled.
  await net.linkDown();
  const box = startFieldBox(net, dir, shop, { backlog: EVENTS });
  await waitFor('the backlog written', () => boxState(box)?.lastSeq === EVENTS, 600_000, 500);
  await net.slow(args.rate);
  const before = await net.counters('box');
  await net.linkUp();
  const start = Date.now();
  say(`backlog of ${EVENTS} events; link up at ${args.rate}`);
  await waitFor('connected', () => boxState(box)?.connected === true, 120_000, 100);
  const connected = Date.now() - start;
  let lastLog = Date.now();
  await waitFor(
    'drained',
    () => {
      const s = boxState(box);
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        say(`depth ${s?.depth} acked ${s?.ackedUpTo}`);
      }
      return s?.depth === 0;
    },
    4 * 3600_000,
    250,
  );
  const seconds = (Date.now() - start) / 1000;
  const after = await net.counters('box');
  const stored = await hub.storedSeqs(shop.cameraId, deviceId);
  const once = exactlyOnce(stored, EVENTS);
  const connectionAtRevoke = boxState(box)?.connection ?? 0;
  const up = after.txBytes - before.txBytes;
  const down = after.rxBytes - before.rxBytes;

  const result = {
    events: EVENTS,
    rate: args.rate,
    tls: !args.insecure,
    drainSeconds: Math.round(seconds * 10) / 10,
    connectSeconds: Math.round(connected / 100) / 10,
    eventsPerSecond: Math.round(EVENTS / seconds),
    bytesUp: up,
    bytesDown: down,
    bytesPerEvent: Math.round(((up + down) / EVENTS) * 10) / 10,
    upBytesPerSecond: Math.round(up / seconds),
    stored: stored.length,
    ...once,
    cpus: cpus().length,
  };
  say(JSON.stringify(result));
  say(
    `| ${EVENTS.toLocaleString('en')} events, ${args.rate}${args.insecure ? ', plain' : ', TLS'} | ${result.drainSeconds} | ${result.eventsPerSecond} | ${result.bytesPerEvent} | ${result.upBytesPerSecond} | ${once.gaps}/${once.duplicates} |`,
  );

  // Revoked on the hub: how long until the box is cut off, and whether it stays out.
  await net.fast();
  const revokedAt = Date.now();
  await hub.api.ok('POST', `/api/devices/${deviceId}/revoke`);
  await waitFor('the box cut off', () => boxState(box)?.connected === false, 120_000, 20);
  const cutOff = Date.now() - revokedAt;
  await new Promise((r) => setTimeout(r, 15_000));
  const after15s = boxState(box);
  say(
    JSON.stringify({
      revokeCutOffMs: cutOff,
      connectedAfter15s: after15s?.connected,
      attemptsIn15s: (after15s?.connection ?? 0) - connectionAtRevoke,
    }),
  );
  await box.stop();
} finally {
  await net.close();
  rmSync(work, { recursive: true, force: true });
}
