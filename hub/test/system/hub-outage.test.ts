/**
 * The hub goes away for a while and comes back (a new hub on the same MQTT port and database): two
 * boxes keep counting meanwhile, and every event arrives exactly once.
 *
 * - Box A is the real agent runtime (`Agent`: a camera worker on the PETS 2009 clip with the HOG
 *   detector, its outbox and link) with its configuration from the hub.
 * - Box B is the agent's outbox and link fed directly (many events per second), so batches are in
 *   flight when the hub stops.
 */
import { join } from 'node:path';
import { publicKeyFromBase64 } from '@oskartrack/protocol/signing';
import { afterEach, describe, expect, it } from 'vitest';
import { Link } from '../../../agent/src/link/link.ts';
import { Outbox } from '../../../agent/src/outbox/outbox.ts';
import { Agent } from '../../../agent/src/runtime/agent.ts';
import {
  Api,
  crossing,
  hourlyEntries,
  outboxOnDisk,
  postgresSettings,
  Resources,
  range,
  silent,
  sleep,
  startTestHub,
  storedCrossingsIn,
  storedSeqs,
  tempDir,
  VIDEO,
  waitFor,
} from './helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

interface Enrolled {
  deviceId: string;
  secret: string;
  mqtt: { url: string };
}

describe('hub outage', () => {
  it('delivers every event exactly once when the hub stops and a new one starts on the same port', async () => {
    const started = Date.now();
    const settings = postgresSettings(resources, tempDir(resources, 'hub'));
    let hub = await startTestHub(resources, settings);
    const mqttPort = Number(new URL(hub.mqttUrl).port);
    const admin = hub.admin!;
    let api = await Api.login(hub.url, admin.name, admin.password);

    const store = await api.ok<{ id: string }>('POST', '/api/stores', { name: 'High street' });
    const enroll = async (name: string) => {
      const { code } = await api.ok<{ code: string }>('POST', `/api/stores/${store.id}/enrollment-codes`);
      return new Api(hub.url).ok<Enrolled>('POST', '/api/enroll', { code, name });
    };
    const a = await enroll('Camera box');
    const b = await enroll('Busy box');
    const camA = await api.ok<{ id: string }>('POST', '/api/cameras', {
      storeId: store.id,
      deviceId: a.deviceId,
      name: 'Entrance',
      source: VIDEO,
      fps: 7,
      frameWidth: 768,
      frameHeight: 576,
    });
    await api.ok('POST', `/api/cameras/${camA.id}/lines`, {
      name: 'West line',
      start: [250, 330],
      end: [250, 180],
      inSide: 'left',
    });
    await api.ok('POST', `/api/cameras/${camA.id}/zones`, {
      name: 'Centre',
      polygon: [
        [330, 215],
        [520, 200],
        [560, 330],
        [350, 345],
      ],
    });
    const camB = await api.ok<{ id: string }>('POST', '/api/cameras', {
      storeId: store.id,
      deviceId: b.deviceId,
      name: 'Back door',
      source: 'rtsp://10.0.0.7/stream',
      frameWidth: 640,
      frameHeight: 480,
    });
    const lineB = await api.ok<{ id: string }>('POST', `/api/cameras/${camB.id}/lines`, {
      name: 'Door',
      start: [0, 240],
      end: [640, 240],
      inSide: 'left',
    });

    // Box A: the real agent runtime.
    const dirA = tempDir(resources, 'box-a');
    const agent = new Agent({
      dataDir: dirA,
      identity: {
        deviceId: a.deviceId,
        secret: a.secret,
        hubUrl: hub.url,
        mqttUrl: a.mqtt.url,
        signingKey: hub.signingKey.publicKeyBase64,
      },
      log: silent,
      link: { ackTimeoutMs: 1500, reconnectPeriodMs: 200, statusIntervalMs: 1000, batchSize: 20 },
      statusFileMs: 500,
    });
    await agent.start();
    resources.add(() => agent.stop());

    // Box B: its outbox and link, fed by the test.
    const dirB = tempDir(resources, 'box-b');
    const outboxB = new Outbox(join(dirB, 'outbox.sqlite'), { logger: silent, synchronous: 'normal' });
    resources.add(() => outboxB.close());
    const linkB = new Link({
      url: b.mqtt.url,
      deviceId: b.deviceId,
      secret: b.secret,
      software: 'system-test',
      outbox: outboxB,
      hubKey: publicKeyFromBase64(hub.signingKey.publicKeyBase64),
      batchSize: 40,
      window: 3,
      ackTimeoutMs: 1000,
      reconnectPeriodMs: 200,
      logger: silent,
    });
    await linkB.start();
    resources.add(() => linkB.stop());
    let appending = true;
    const appender = (async () => {
      while (appending) {
        const n = 1 + (outboxB.lastSeq % 3);
        outboxB.append(
          Array.from({ length: n }, (_, i) => crossing(camB.id, lineB.id, outboxB.lastSeq + 1 + i)),
        );
        await sleep(5);
      }
    })();

    const lastSeqA = () => agent.status().link.outbox.lastSeq;
    await waitFor(
      'box A counting (real events stored)',
      async () => (await storedSeqs(hub.db.db, a.deviceId)).length >= 1,
      60_000,
      250,
    );
    await waitFor('box B delivering', () => linkB.state().ackedUpTo >= 200, 20_000);

    // The hub goes away.
    await hub.stop();
    const downAt = Date.now();
    const atStopA = lastSeqA();
    const atStopB = outboxB.lastSeq;
    await waitFor(
      'both boxes disconnected',
      () => !agent.status().link.connected && !linkB.state().connected,
      5000,
    );
    const framesSeen = new Set<number>();
    await waitFor(
      'box A counting on while the hub is down',
      () => {
        const cam = agent.status().cameras[0];
        if (cam?.state === 'running' && cam.fps > 0) framesSeen.add(Math.round(cam.fps * 100));
        return Date.now() - downAt >= 3000 && lastSeqA() > atStopA;
      },
      40_000,
      100,
    );
    expect(agent.status().cameras[0]?.state).toBe('running');
    expect(framesSeen.size).toBeGreaterThan(0);
    expect(outboxB.lastSeq).toBeGreaterThan(atStopB + 100);
    const outageMs = Date.now() - downAt;
    // Nothing left the outboxes while the hub was away.
    const heldA = outboxOnDisk(join(dirA, 'outbox.sqlite'));
    expect(heldA.lastSeq - heldA.depth).toBeLessThanOrEqual(atStopA);
    expect(outboxB.depth()).toBeGreaterThanOrEqual(outboxB.lastSeq - atStopB);

    // A new hub on the same port and database.
    hub = await startTestHub(resources, settings, { mqttPort });
    expect(hub.mqttUrl).toBe(a.mqtt.url);
    api = await Api.login(hub.url, admin.name, admin.password);
    await sleep(1000);
    appending = false;
    await appender;
    // Box A's camera is switched off from the new hub: its count is final once the worker stopped.
    await api.ok('PATCH', `/api/cameras/${camA.id}`, { enabled: false });
    await waitFor('box A camera stopped', () => agent.status().cameras.length === 0, 20_000, 100);

    let seqsA: number[] = [];
    let seqsB: number[] = [];
    await waitFor(
      'both outboxes drained into the database',
      async () => {
        const sa = agent.status().link.outbox;
        seqsA = await storedSeqs(hub.db.db, a.deviceId);
        seqsB = await storedSeqs(hub.db.db, b.deviceId);
        return (
          sa.depth === 0 &&
          seqsA.length === sa.lastSeq &&
          outboxB.depth() === 0 &&
          seqsB.length === outboxB.lastSeq
        );
      },
      30_000,
      200,
    );
    const totalA = lastSeqA();
    const totalB = outboxB.lastSeq;
    expect(seqsA).toEqual(range(1, totalA));
    expect(seqsB).toEqual(range(1, totalB));
    expect(totalA).toBeGreaterThan(atStopA);
    expect(outboxOnDisk(join(dirA, 'outbox.sqlite'))).toMatchObject({ depth: 0, lastSeq: totalA });
    expect(linkB.state()).toMatchObject({ connected: true, ackedUpTo: totalB, inFlightBatches: 0 });
    expect(linkB.state().connection).toBeGreaterThanOrEqual(2);
    expect(agent.status().link.ackedUpTo).toBe(totalA);
    // Counted once: each stored crossing "in" is one entry in the hourly numbers.
    const crossings = (await storedCrossingsIn(hub.db.db, a.deviceId)) + totalB;
    expect(await hourlyEntries(hub.db.db, store.id)).toBe(crossings);
    expect(hub.ingest.stats().rejected).toBe(0);

    console.info(
      `hub outage: ${outageMs} ms down; box A (real camera) ${totalA} events (${totalA - atStopA} during or after the outage), ` +
        `box B ${totalB} events (${totalB - atStopB} during or after), all stored exactly once in ${Date.now() - started} ms`,
    );
  }, 150_000);
});
