/**
 * Faults on the link between the hub's namespace and a box's, one hub (`oskartrack-hub serve`, TLS)
 * for all of them, a fresh box each:
 * - a slow link: a backlog of a few thousand events drains over a 256 kbit/s token bucket on both
 *   ends (time and bytes on the wire measured);
 * - a silent blackhole: an nft drop rule in the hub's namespace swallows every packet both ways (no
 *   reset, no ICMP), leaving half-open TCP connections; the box's link must notice by itself (MQTT
 *   keepalive, as `oskartrack-agent run` sets it), reconnect after it, and deliver everything;
 * - restarts: the hub stopped with SIGTERM and started again, the box killed with SIGKILL mid-send.
 * In each, every seq the box assigned is stored exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../system/helpers.ts';
import { boxState, enrolledBox, exactlyOnce, FieldHub, startFieldBox, waitFor } from './field.ts';
import { FieldNet, type NsProcess } from './netns.ts';

const BACKLOG = 3000;
/** Longer than the link's 30 s keepalive. */
const MIN_BLACKHOLE_MS = 45_000;

let net: FieldNet;
let work: string;
let hub: FieldHub;

beforeAll(async () => {
  net = await FieldNet.create();
  work = mkdtempSync(join(tmpdir(), 'oskartrack-field-'));
  hub = new FieldHub(net, join(work, 'hub'));
  await hub.start();
}, 300_000);

afterAll(async () => {
  await net?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const enroll = (name: string) => enrolledBox(net, hub, name, work);

/** Stops the box's appending, waits until its outbox is empty; the box's last seq. */
async function drained(box: NsProcess): Promise<number> {
  box.signal('SIGUSR1');
  await waitFor(
    'everything delivered',
    () => {
      const s = boxState(box);
      return s !== undefined && !s.appending && s.depth === 0;
    },
    180_000,
    250,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nbox: ${JSON.stringify(boxState(box))}\n${box.stderr().slice(-2000)}`);
  });
  return boxState(box)!.lastSeq;
}

describe('faults on the link', () => {
  it(`drains a ${BACKLOG}-event backlog over a 256 kbit/s link, each event stored once`, async () => {
    const b = await enroll('Slow shop');
    await net.slow();
    const before = await net.counters('box');
    const started = Date.now();
    const box = startFieldBox(net, b.dir, b, { backlog: BACKLOG });
    await waitFor('the backlog written', () => boxState(box)?.lastSeq === BACKLOG, 120_000, 100);
    const last = await drained(box);
    const seconds = (Date.now() - started) / 1000;
    const after = await net.counters('box');
    await box.stop();
    await net.fast();
    expect(last).toBe(BACKLOG);
    const stored = await hub.storedSeqs(b.cameraId, b.deviceId);
    expect(exactlyOnce(stored, BACKLOG)).toEqual({ gaps: 0, duplicates: 0 });
    expect(stored.length).toBe(BACKLOG);
    const sent = after.txBytes - before.txBytes;
    // The token bucket really held it back: 256 kbit/s is 32,000 bytes a second at most.
    expect(sent / seconds).toBeLessThan(40_000);
    console.info(
      `field slow link: ${BACKLOG} events drained in ${seconds.toFixed(1)} s (${Math.round(BACKLOG / seconds)} events/s, box start included); box sent ${sent} bytes (${Math.round(sent / BACKLOG)} per event), received ${after.rxBytes - before.rxBytes}`,
    );
  }, 660_000);

  it('notices a silent blackhole, reconnects after it and delivers every seq once', async () => {
    const b = await enroll('Quiet shop');
    const online = async () =>
      (await hub.api.ok<{ online: boolean }>('GET', `/api/devices/${b.deviceId}`)).online;
    const box = startFieldBox(net, b.dir, b, { rate: 20 });
    await waitFor('the box delivering', () => (boxState(box)?.ackedUpTo ?? 0) >= 40, 60_000, 200).catch(
      (err: Error) => {
        throw new Error(`${err.message}\nbox:\n${box.stderr().slice(-3000)}\n${hub.output()}`);
      },
    );
    const connection = boxState(box)!.connection;

    await net.blackhole();
    const start = Date.now();
    const ackedAtStart = boxState(box)!.ackedUpTo;
    await waitFor(
      'the box notices the dead connection',
      () => boxState(box)?.connected === false,
      180_000,
      250,
    );
    const noticed = Date.now() - start;
    await waitFor('the hub shows the box offline', async () => !(await online()), 180_000, 1000);
    const hubNoticed = Date.now() - start;
    // Nothing got through the hole (the drop really is silent and total): at most what was already
    // on its way when the rule went in.
    expect(boxState(box)!.ackedUpTo).toBeLessThanOrEqual(ackedAtStart + 100);
    while (Date.now() - start < MIN_BLACKHOLE_MS) await sleep(500);
    const held = Date.now() - start;
    await net.clearBlackhole();

    await waitFor(
      'the box connected again',
      () => {
        const s = boxState(box);
        return s?.connected === true && s.connection > connection;
      },
      120_000,
      250,
    );
    const back = Date.now() - start - held;
    await waitFor('the hub shows the box online', online, 60_000, 500);

    const last = await drained(box);
    const stored = await hub.storedSeqs(b.cameraId, b.deviceId);
    expect(exactlyOnce(stored, last)).toEqual({ gaps: 0, duplicates: 0 });
    expect(stored.length).toBe(last);
    console.info(
      `field blackhole: box noticed after ${Math.round(noticed / 1000)} s, hub after ${Math.round(hubNoticed / 1000)} s; held ${Math.round(held / 1000)} s; reconnected ${Math.round(back / 1000)} s after the drop was lifted; ${last} events stored exactly once`,
    );
  }, 600_000);

  it('stores every seq once across a hub restart (SIGTERM) and a box SIGKILL while sending', async () => {
    const b = await enroll('Busy shop');
    let box = startFieldBox(net, b.dir, b, { rate: 100 });
    await waitFor('the box delivering', () => (boxState(box)?.ackedUpTo ?? 0) >= 200, 60_000, 200);

    await hub.stop();
    const atStop = boxState(box)!.lastSeq;
    await sleep(3000);
    await hub.start();
    await waitFor(
      'the box delivering to the new hub',
      () => (boxState(box)?.ackedUpTo ?? 0) > atStop,
      120_000,
      250,
    );

    // Killed outright while events wait for an ack; started again on the same outbox.
    await waitFor(
      'events waiting for an ack',
      () => {
        const s = boxState(box);
        return s !== undefined && s.lastSeq > s.ackedUpTo;
      },
      30_000,
      20,
    );
    box.signal('SIGKILL');
    await box.exited;
    const killedAt = boxState(box)!.lastSeq;
    box = startFieldBox(net, b.dir, b, { rate: 100 });
    await waitFor(
      'the restarted box delivering',
      () => (boxState(box)?.ackedUpTo ?? 0) > killedAt,
      120_000,
      250,
    );

    const last = await drained(box);
    const stored = await hub.storedSeqs(b.cameraId, b.deviceId);
    expect(exactlyOnce(stored, last)).toEqual({ gaps: 0, duplicates: 0 });
    expect(stored.length).toBe(last);
    console.info(`field restarts: ${last} events stored exactly once across a hub restart and a box SIGKILL`);
  }, 600_000);
});
