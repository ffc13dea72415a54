/**
 * The contract from box to browser: a real hub (`startHub`, plain HTTP and MQTT, a test database),
 * a box enrolled with a one-time code that speaks MQTT to it, and the dashboard's own API client and
 * live-feed reader. Every REST answer the dashboard reads must pass the protocol schema the dashboard
 * checks it with, and every message on `/ws` must pass the protocol's `ServerMessage`.
 */
import {
  Camera,
  check,
  EnrollReply,
  outgoing,
  type SequencedEvent,
  ServerMessage,
} from '@oskartrack/protocol';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../hub/src/api/users-command.ts';
import { uid } from '../../hub/test/db/backends.ts';
import { openTestHub, PASSWORD, Recorder, type TestHub } from '../../hub/test/live/hub.ts';
import { ApiClient } from '../src/api/client.ts';
import * as endpoints from '../src/api/endpoints.ts';
import { parseLiveMessage } from '../src/lib/live.ts';

const KIND = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
const HOUR = 3_600_000;

describe('the contract between hub and dashboard', () => {
  let h: TestHub;
  let api: ApiClient;
  let feed: Recorder;
  let box: mqtt.MqttClient;
  let storeId: string;
  let cameraId: string;
  let deviceId: string;
  const raw: string[] = [];
  const now = Date.now();

  beforeAll(async () => {
    h = await openTestHub(KIND);
    const name = `contract-${uid()}`;
    api = new ApiClient({ baseUrl: h.hub.url });
    // The dashboard's own sign-in: its answer is checked too (LoginAnswer).
    await createUser(h.t.repos, { name, password: PASSWORD, role: 'admin' });
    await api.login(name, PASSWORD);

    const store = await endpoints.createStore(api, { name: `Contract ${uid()}`, timezone: 'Europe/Oslo' });
    storeId = store.id;
    const code = await endpoints.createEnrollmentCode(api, storeId);
    const enrolled = await fetch(`${h.hub.url}/api/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: code.code, name: 'Contract box' }),
    });
    expect(enrolled.status).toBe(201);
    const reply = check(EnrollReply, await enrolled.json());
    if (!reply.ok) throw new Error(`enrollment reply: ${reply.error}`);
    deviceId = reply.value.deviceId;

    const camera = await api.write('POST', Camera, '/api/cameras', {
      storeId,
      deviceId,
      name: 'Door',
      source: 'rtsp://10.0.0.5/stream',
      fps: 15,
      frameWidth: 640,
      frameHeight: 480,
    });
    cameraId = camera.id;
    const polygon = [
      [10, 10],
      [300, 10],
      [300, 300],
      [10, 300],
    ];
    await endpoints.createZone(api, cameraId, { id: 'door', name: 'Door', polygon });
    await endpoints.createLine(api, cameraId, {
      id: 'entrance',
      name: 'Entrance',
      start: [0, 200],
      end: [640, 200],
      inSide: 'left',
    });

    feed = Recorder.connect(h.wsUrl, (await api.token()) ?? '');
    feed.onMessage = (_m, text) => raw.push(text);
    await feed.opened;
    await feed.waitFor((m) => m.type === 'hello', 60_000, 'hello');

    box = await mqtt.connectAsync(reply.value.mqtt.url, {
      clientId: deviceId,
      username: reply.value.mqtt.username,
      password: reply.value.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
  }, 180_000);

  afterAll(async () => {
    feed?.close();
    await box?.endAsync();
    await h?.close();
  }, 60_000);

  const publish = async (m: { topic: string; payload: string; qos: 0 | 1; retain: boolean }) =>
    box.publishAsync(m.topic, m.payload, { qos: m.qos, retain: m.retain });

  it('sends the box status, live boxes and stored events over /ws in the shapes the dashboard reads', async () => {
    const at = now - HOUR;
    await publish(
      outgoing('status', deviceId, {
        v: 1,
        state: 'online',
        at,
        connection: 1,
        software: '0.1.0',
        configRevision: 0,
        outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 },
        cameras: [{ cameraId, state: 'running', fps: 15, since: at, lastFrameAt: at, gaps: 0, gapMs: 0 }],
      }),
    );
    const events: SequencedEvent[] = [
      { seq: 1, event: { kind: 'track_started', cameraId, at, trackId: 7, box: [20, 20, 40, 90] } },
      { seq: 2, event: { kind: 'zone_entered', cameraId, at: at + 1000, trackId: 7, zoneId: 'door' } },
      {
        seq: 3,
        event: {
          kind: 'line_crossed',
          cameraId,
          at: at + 2000,
          trackId: 7,
          lineId: 'entrance',
          direction: 'in',
        },
      },
      {
        seq: 4,
        event: { kind: 'zone_left', cameraId, at: at + 5000, trackId: 7, zoneId: 'door', dwellMs: 4000 },
      },
      {
        seq: 5,
        event: {
          kind: 'visit_closed',
          cameraId,
          at: at + 6000,
          trackId: 7,
          startedAt: at,
          durationMs: 6000,
          path: [
            { at, point: [40, 60] },
            { at: at + 3000, point: [120, 220] },
          ],
          zones: [{ zoneId: 'door', dwellMs: 4000, entries: 1 }],
        },
      },
      // A camera the hub does not know as this box's: a dead letter.
      { seq: 6, event: { kind: 'track_started', cameraId: 'not-ours', at, trackId: 1, box: [1, 1, 2, 2] } },
    ];
    await publish(outgoing('events', deviceId, { v: 1, sentAt: Date.now(), floor: 1, events }));
    await feed.waitFor(
      (m) => m.type === 'events' && m.events.some((e) => e.seq === 5),
      60_000,
      'the stored events',
    );
    await publish(
      outgoing(
        'live',
        deviceId,
        {
          v: 1,
          cameraId,
          at: Date.now(),
          frame: 1,
          width: 640,
          height: 480,
          tracks: [{ id: 7, box: [20, 20, 40, 90], score: 0.9 }],
        },
        cameraId,
      ),
    );
    await feed.waitFor((m) => m.type === 'live', 60_000, 'live boxes');
    await feed.waitFor((m) => m.type === 'status' && m.deviceId === deviceId, 60_000, 'the box status');

    for (const text of raw) {
      const r = check(ServerMessage, JSON.parse(text));
      expect(r.ok ? 'ok' : `${text.slice(0, 200)}: ${r.error}`).toBe('ok');
    }
    const pageTypes = new Set(raw.flatMap((text) => parseLiveMessage(text).map((m) => m.type)));
    expect([...pageTypes].sort()).toEqual(expect.arrayContaining(['device', 'event', 'tracks']));
  }, 120_000);

  it('answers every REST read of the dashboard in the protocol shape', async () => {
    const range = { storeId, from: new Date(now - 3 * HOUR).toISOString(), to: new Date(now).toISOString() };
    // Each call throws when the hub's answer does not pass the schema the dashboard checks it with.
    expect((await endpoints.listStores(api)).some((s) => s.id === storeId)).toBe(true);
    expect((await endpoints.listDevices(api)).some((d) => d.id === deviceId)).toBe(true);
    expect((await endpoints.listCameras(api)).some((c) => c.id === cameraId)).toBe(true);
    expect(await endpoints.listZones(api, cameraId)).toHaveLength(1);
    expect(await endpoints.listLines(api, cameraId)).toHaveLength(1);
    expect((await endpoints.listEnrollmentCodes(api, storeId)).length).toBeGreaterThanOrEqual(0);
    expect(await endpoints.listUsers(api)).not.toHaveLength(0);
    expect(await endpoints.listUploads(api)).toBeInstanceOf(Array);
    expect(await endpoints.listDeadLetters(api, storeId)).toEqual([
      expect.objectContaining({ deviceId, cameraId: 'not-ours', count: 1 }),
    ]);

    const summary = await endpoints.analyticsSummary(api, range);
    expect(summary.visitors).toBeGreaterThan(0);
    expect(
      (await endpoints.analyticsTimeSeries(api, { ...range, interval: 'hour' })).points,
    ).not.toHaveLength(0);
    await endpoints.analyticsTimeSeries(api, { ...range, interval: 'day' });
    expect((await endpoints.analyticsZones(api, range)).zones).not.toHaveLength(0);
    await endpoints.analyticsFlows(api, range);
    await endpoints.analyticsHeatmap(api, { cameraId, from: range.from, to: range.to, cols: 48, rows: 36 });
    expect((await endpoints.compareStores(api, { from: range.from, to: range.to })).stores).not.toHaveLength(
      0,
    );
    const changes = await endpoints.summaryChanges(api, range);
    expect(changes.figures.visitors).toBe(summary.visitors);
    const table = await endpoints.storesTable(api, { from: range.from, to: range.to });
    expect(table.stores.map((s) => s.storeId)).toContain(storeId);

    await endpoints.listCustomers(api, { storeId });
    const visits = await endpoints.listVisits(api, { ...range, limit: 50 });
    expect(visits.items).toHaveLength(1);
    const visit = await endpoints.getVisit(api, visits.items[0]!.id);
    expect(visit.zones).toEqual([expect.objectContaining({ zoneId: 'door' })]);
  }, 120_000);
});
