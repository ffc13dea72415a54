/**
 * Device security through the whole hub (`startHub`: embedded broker with device accounts, ingest,
 * API, PostgreSQL), with boxes enrolled through `POST /api/enroll`: a wrong, borrowed or revoked
 * credential is refused; a box publishing or subscribing under another box's topics is refused and
 * nothing of it is stored; a flood of malformed messages from one box does not stop the ingest of a
 * good box, which delivers every event exactly once meanwhile.
 */
import { Ack, PROTOCOL_VERSION, topics } from '@oskartrack/protocol';
import { openSignedAs, publicKeyFromBase64 } from '@oskartrack/protocol/signing';
import mqtt, { type ErrorWithReasonCode, type ErrorWithSubackPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Link } from '../../../agent/src/link/link.ts';
import { Outbox } from '../../../agent/src/outbox/outbox.ts';
import type { RunningHub } from '../../src/server.ts';
import { connectDevice } from '../broker/helpers.ts';
import {
  Api,
  crossing,
  hourlyEntries,
  postgresSettings,
  Resources,
  range,
  silent,
  sleep,
  startTestHub,
  storedSeqs,
  tempDir,
  waitFor,
} from './helpers.ts';

const file = new Resources();
const resources = new Resources();
afterEach(() => resources.release());
afterAll(() => file.release());

interface Box {
  deviceId: string;
  secret: string;
}

let hub: RunningHub;
let api: Api;
let storeId: string;
let cameraId: string;
let lineId: string;

async function enroll(name: string): Promise<Box> {
  const { code } = await api.ok<{ code: string }>('POST', `/api/stores/${storeId}/enrollment-codes`);
  return new Api(hub.url).ok<Box>('POST', '/api/enroll', { code, name });
}

beforeAll(async () => {
  hub = await startTestHub(file, postgresSettings(file, tempDir(file, 'hub')));
  api = await Api.login(hub.url, hub.admin!.name, hub.admin!.password);
  storeId = (await api.ok<{ id: string }>('POST', '/api/stores', { name: 'Station kiosk' })).id;
  cameraId = (
    await api.ok<{ id: string }>('POST', '/api/cameras', {
      storeId,
      name: 'Entrance',
      source: 'rtsp://10.0.0.10/stream',
      frameWidth: 640,
      frameHeight: 480,
    })
  ).id;
  lineId = (
    await api.ok<{ id: string }>('POST', `/api/cameras/${cameraId}/lines`, {
      name: 'Door',
      start: [0, 240],
      end: [640, 240],
      inSide: 'left',
    })
  ).id;
});

/** A good box: the agent's outbox and link, with the test appending `count` events (or until stopped). */
async function goodBox(box: Box) {
  const outbox = new Outbox(`${tempDir(resources, 'good')}/outbox.sqlite`, {
    logger: silent,
    synchronous: 'normal',
  });
  resources.add(() => outbox.close());
  const link = new Link({
    url: hub.mqttUrl,
    deviceId: box.deviceId,
    secret: box.secret,
    software: 'system-test',
    outbox,
    hubKey: publicKeyFromBase64(hub.signingKey.publicKeyBase64),
    batchSize: 40,
    window: 3,
    ackTimeoutMs: 1000,
    reconnectPeriodMs: 200,
    logger: silent,
  });
  await link.start();
  resources.add(() => link.stop());
  await waitFor('the good box connected', () => link.state().connected && link.state().hub === 'online');
  let appending = true;
  const appender = (async () => {
    while (appending) {
      outbox.append([crossing(cameraId, lineId, outbox.lastSeq + 1)]);
      await sleep(4);
    }
  })();
  return {
    outbox,
    link,
    async finish(): Promise<number> {
      appending = false;
      await appender;
      const total = outbox.lastSeq;
      await waitFor('the good box delivered all', () => link.state().ackedUpTo === total, 20_000);
      return total;
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    const client = (await promise) as MqttClient;
    await client.endAsync(true);
  } catch (error) {
    return (error as ErrorWithReasonCode).code;
  }
  throw new Error('the connection was accepted');
}

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

/** A batch as an agent would send it, with seqs `from`..`from + n - 1`. */
function batch(from: number, n: number, trackId = 424_242): string {
  return JSON.stringify({
    v: PROTOCOL_VERSION,
    sentAt: Date.now(),
    floor: from,
    events: range(from, from + n - 1).map((seq) => ({
      seq,
      event: { ...crossing(cameraId, lineId, trackId), trackId },
    })),
  });
}

describe('device security through the hub', () => {
  it('refuses wrong, borrowed and revoked credentials, and publishing or listening as another box', async () => {
    const good = await enroll('Good box');
    const other = await enroll('Other box');
    const g = await goodBox(good);
    const mqttUrl = hub.mqttUrl;

    // Logins: 4 = bad user name or password, 2 = identifier rejected.
    expect(await refusal(connectDevice(mqttUrl, good.deviceId, `${good.secret}x`, resources))).toBe(4);
    expect(await refusal(connectDevice(mqttUrl, good.deviceId, other.secret, resources))).toBe(4);
    expect(await refusal(connectDevice(mqttUrl, 'box-nobody', good.secret, resources))).toBe(4);
    expect(
      await refusal(
        connectDevice(mqttUrl, other.deviceId, other.secret, resources, { clientId: good.deviceId }),
      ),
    ).toBe(2);
    expect(
      await refusal(
        mqtt.connectAsync(mqttUrl, { clientId: good.deviceId, protocolVersion: 4, reconnectPeriod: 0 }),
      ),
    ).toBe(4);

    // The other box, logged in as itself, tries to speak for the good box: cut off each time.
    for (const [topic, payload, retain] of [
      [topics.events(good.deviceId), batch(1_000_000, 5), false],
      [
        topics.status(good.deviceId),
        JSON.stringify({
          v: PROTOCOL_VERSION,
          state: 'offline',
          at: Date.now(),
          connection: 999,
          software: 'forged',
          configRevision: 0,
          outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 },
          cameras: [],
        }),
        true,
      ],
      [
        topics.ack(good.deviceId),
        JSON.stringify({ v: PROTOCOL_VERSION, upToSeq: 1_000_000, at: Date.now() }),
        false,
      ],
      [
        topics.ack(other.deviceId),
        JSON.stringify({ v: PROTOCOL_VERSION, upToSeq: 5, at: Date.now() }),
        false,
      ],
    ] as const) {
      const client = await connectDevice(mqttUrl, other.deviceId, other.secret, resources);
      const cut = closed(client);
      client.publish(topic, payload, { qos: 1, retain });
      await cut;
    }
    // Nor may it listen to the good box's acks or config.
    const client = await connectDevice(mqttUrl, other.deviceId, other.secret, resources);
    for (const filter of [topics.ack(good.deviceId), topics.config(good.deviceId), 'oskartrack/v1/#']) {
      const granted = await client.subscribeAsync(filter, { qos: 1 }).then(
        (g) => g[0]?.qos,
        (error: ErrorWithSubackPacket) => error.packet.granted[0],
      );
      expect(granted).toBe(128);
    }
    const overheard: string[] = [];
    client.on('message', (topic) => overheard.push(topic));
    await sleep(500);

    const total = await g.finish();
    expect(overheard).toEqual([]);
    expect(await storedSeqs(hub.db.db, good.deviceId)).toEqual(range(1, total));
    expect(await storedSeqs(hub.db.db, other.deviceId)).toEqual([]);
    const shown = await api.ok<{ online: boolean; softwareVersion: string }>(
      'GET',
      `/api/devices/${good.deviceId}`,
    );
    expect(shown).toMatchObject({ online: true, softwareVersion: 'system-test' });

    // Revoked on the hub: the box is cut off at once and can no longer log in.
    expect(client.connected).toBe(true);
    const cutOff = closed(client);
    await api.ok('POST', `/api/devices/${other.deviceId}/revoke`);
    await Promise.race([
      cutOff,
      sleep(5000).then(() => {
        throw new Error('a revoked box stayed connected');
      }),
    ]);
    expect(await refusal(connectDevice(mqttUrl, other.deviceId, other.secret, resources))).toBe(4);
    // Removed from the hub: the good box's running link is cut off and stays out.
    await api.ok('DELETE', `/api/devices/${good.deviceId}`);
    await waitFor('the removed box cut off', () => !g.link.state().connected, 5000);
    await sleep(600); // a few reconnect attempts
    expect(g.link.state().connected).toBe(false);
    expect(hub.bus.kind === 'embedded' && hub.bus.connectedDevices()).toEqual([]);
  });

  it('a flood of malformed messages from one box does not stop ingest for a good box', async () => {
    const entriesBefore = await hourlyEntries(hub.db.db, storeId);
    const good = await enroll('Good box 2');
    const flooder = await enroll('Noisy box');
    const g = await goodBox(good);
    await waitFor('the good box delivering', () => g.link.state().ackedUpTo >= 50);

    const own = topics.events(flooder.deviceId);
    const payloads: (string | Buffer)[] = [
      'not json {',
      '[]',
      'null',
      JSON.stringify({ v: PROTOCOL_VERSION, sentAt: Date.now(), floor: 1, events: [] }),
      JSON.stringify({ v: 99, sentAt: Date.now(), floor: 1, events: [{ seq: 1, event: { kind: 'nope' } }] }),
      batch(5, 3).replace('"seq":6', '"seq":2'), // seqs not ascending
      batch(5, 3).replace('"floor":5', '"floor":9'), // floor above the first seq
      batch(5, 1).replace('"direction":"in"', '"direction":"sideways"'),
      JSON.stringify({ deep: JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`) }),
      Buffer.from(range(0, 255)),
    ];
    const client = await connectDevice(hub.mqttUrl, flooder.deviceId, flooder.secret, resources);
    const receivedBefore = hub.ingest.stats().received;
    const rejectedBefore = hub.ingest.stats().rejected;
    const ackAtStart = g.link.state().ackedUpTo;
    const floodStart = Date.now();
    const ROUNDS = 300;
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(payloads.map((p) => client.publishAsync(own, p, { qos: 1 })));
    }
    const sent = ROUNDS * payloads.length;
    await waitFor('the flood received', () => hub.ingest.stats().received - receivedBefore >= sent, 20_000);
    const floodMs = Date.now() - floodStart;
    const ackAtEnd = g.link.state().ackedUpTo;
    expect(hub.ingest.stats().rejected - rejectedBefore).toBe(sent);
    expect(ackAtEnd).toBeGreaterThan(ackAtStart); // the good box was stored during the flood

    // Rejected messages, not a banned box: its next good batch is stored and acknowledged.
    const acks: number[] = [];
    const hubKey = publicKeyFromBase64(hub.signingKey.publicKeyBase64);
    client.on('message', (topic, payload) => {
      const ack = openSignedAs(Ack, hubKey, topic, payload);
      if (ack.ok) acks.push(ack.value.upToSeq);
    });
    await client.subscribeAsync(topics.ack(flooder.deviceId), { qos: 1 });
    await client.publishAsync(own, batch(1, 3, 77), { qos: 1 });
    await waitFor('the ack of the good batch', () => acks.includes(3));
    expect(await storedSeqs(hub.db.db, flooder.deviceId)).toEqual([1, 2, 3]);

    const total = await g.finish();
    expect(await storedSeqs(hub.db.db, good.deviceId)).toEqual(range(1, total));
    const health = await api.call<{ status: string }>('GET', '/api/health');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    // Every "in" crossing of the good box and of the flooder's one good batch counted once.
    expect((await hourlyEntries(hub.db.db, storeId)) - entriesBefore).toBe(total + 3);
    console.info(
      `malformed flood: ${sent} messages in ${floodMs} ms, all rejected; the good box went from seq ` +
        `${ackAtStart} to ${ackAtEnd} meanwhile and delivered ${total} events exactly once`,
    );
  });
});
