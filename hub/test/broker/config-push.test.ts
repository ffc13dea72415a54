import { DeviceConfig, topics } from '@oskartrack/protocol';
import { openSignedAs } from '@oskartrack/protocol/signing';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_HUB_KEY } from '../../../agent/test/support/hub-key.ts';
import {
  ConfigPush,
  DEFAULT_DETECTOR,
  DEFAULT_LIVE,
  DETECTOR_SETTING,
} from '../../src/broker/config-push.ts';
import { pushOnChanges } from '../../src/broker/config-push-plugin.ts';
import { NotFoundError } from '../../src/db/errors.ts';
import { DomainEvents } from '../../src/domain/events.ts';
import type { TestDatabase } from '../db/backends.ts';
import {
  connectDevice,
  enrolledDevice,
  openBrokerTestDatabase,
  Resources,
  silent,
  sleep,
  startTestBroker,
  status,
  uid,
  waitFor,
} from './helpers.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openBrokerTestDatabase();
});
afterAll(() => t?.close());
const resources = new Resources();
afterEach(() => resources.release());

/** A device with two cameras (one disabled), an area and a counting line. */
async function seed() {
  const d = await enrolledDevice(t.repos);
  const u = uid();
  const camera = await t.repos.cameras.create({
    id: `cam-${u}`,
    storeId: d.store.id,
    deviceId: d.id,
    name: 'Entrance',
    source: 'rtsp://10.0.0.5/stream',
    fps: 15,
    frameWidth: 640,
    frameHeight: 480,
  });
  await t.repos.cameras.create({
    id: `cam-off-${u}`,
    storeId: d.store.id,
    deviceId: d.id,
    name: 'Back door',
    source: '1',
    enabled: false,
  });
  await t.repos.zones.createZone({
    id: `zone-${u}`,
    cameraId: camera.id,
    name: 'Till',
    polygon: [
      [10, 10],
      [200, 10],
      [200, 200],
    ],
  });
  await t.repos.zones.createLine({
    id: `line-${u}`,
    cameraId: camera.id,
    name: 'Door',
    start: [0, 240],
    end: [640, 240],
    inSide: 'left',
  });
  return { ...d, camera, u };
}

/** A device connection collecting the configs it receives. */
async function listen(
  url: string,
  id: string,
  secret: string,
): Promise<{ client: MqttClient; configs: DeviceConfig[] }> {
  const client = await connectDevice(url, id, secret, resources);
  const configs: DeviceConfig[] = [];
  client.on('message', (topic, payload) => {
    if (topic !== topics.config(id)) return;
    if (payload.length === 0) return; // the clearing of a removed device's retained config
    // signed by the hub for this device's config topic, as the box checks it
    const parsed = openSignedAs(DeviceConfig, TEST_HUB_KEY.publicKey, topic, payload);
    if (!parsed.ok) throw new Error(`invalid config: ${parsed.error}`);
    configs.push(parsed.value);
  });
  await client.subscribeAsync(topics.config(id), { qos: 1 });
  return { client, configs };
}

describe('config push', () => {
  it('publishes every config retained before devices connect; a device gets its own on connecting', async () => {
    const d = await seed();
    let push: ConfigPush | undefined;
    const broker = await startTestBroker(t.repos, resources, {
      prepare: async (bus) => {
        push = new ConfigPush({ db: t.db, bus, log: silent });
        const result = await push.publishAll();
        expect(result.failed).toEqual([]);
        expect(result.published).toBeGreaterThanOrEqual(1);
      },
    });
    expect(push).toBeDefined();
    const { configs } = await listen(broker.url, d.id, d.secret);
    await waitFor('the retained config', () => configs.length === 1);
    expect(configs[0]).toEqual({
      v: 1,
      revision: 1,
      cameras: [
        {
          id: d.camera.id,
          name: 'Entrance',
          source: 'rtsp://10.0.0.5/stream',
          fps: 15,
          zones: [
            {
              id: `zone-${d.u}`,
              name: 'Till',
              polygon: [
                [10, 10],
                [200, 10],
                [200, 200],
              ],
            },
          ],
          lines: [{ id: `line-${d.u}`, name: 'Door', start: [0, 240], end: [640, 240], inSide: 'left' }],
        },
      ],
      detector: DEFAULT_DETECTOR,
      live: DEFAULT_LIVE,
    });
  });

  it('keeps the revision for unchanged content and takes the next one for every change', async () => {
    const d = await seed();
    const broker = await startTestBroker(t.repos, resources);
    const push = new ConfigPush({ db: t.db, bus: broker, log: silent });
    expect((await push.publishDevice(d.id)).revision).toBe(1);
    const { configs } = await listen(broker.url, d.id, d.secret);
    await waitFor('retained', () => configs.length === 1);

    // A hub restart re-publishes the same content: same revision, agents do not reload.
    await push.publishAll();
    expect((await push.publishDevice(d.id)).revision).toBe(1);

    // An area moves.
    await t.repos.zones.updateZone(`zone-${d.u}`, {
      polygon: [
        [20, 20],
        [300, 20],
        [300, 300],
      ],
    });
    expect((await push.publishDevice(d.id)).revision).toBe(2);
    await waitFor('revision 2', () => configs.at(-1)?.revision === 2);
    expect(configs.at(-1)?.cameras[0]?.zones[0]?.polygon[1]).toEqual([300, 20]);

    // The detector setting changes (hub-wide); an invalid setting falls back to the default.
    const yolox = { kind: 'yolox', scoreThreshold: 0.4, everyNth: 2, motionGate: true } as const;
    await t.repos.settings.set(DETECTOR_SETTING, yolox);
    expect(await push.publishDevice(d.id)).toMatchObject({ revision: 3, detector: yolox });
    await t.repos.settings.set(DETECTOR_SETTING, { kind: 'magic' });
    expect(await push.publishDevice(d.id)).toMatchObject({ revision: 4, detector: DEFAULT_DETECTOR });

    // The camera goes to another device: this one's config loses it.
    const other = await t.repos.devices.create({ storeId: d.store.id, name: 'Other box' });
    await t.repos.cameras.update(d.camera.id, { deviceId: other.id });
    expect(await push.publishDevice(d.id)).toMatchObject({ revision: 5, cameras: [] });
    expect(await push.publishDevice(other.id)).toMatchObject({ revision: 1, cameras: [{ id: d.camera.id }] });
    await waitFor('revision 5', () => configs.at(-1)?.revision === 5);
    // The device saw every revision in order (unchanged content again under the same revision).
    const seen = configs.map((c) => c.revision);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect([...new Set(seen)]).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives a camera its own detector, and the hub-wide one again when it is taken off', async () => {
    const d = await seed();
    const broker = await startTestBroker(t.repos, resources);
    const push = new ConfigPush({ db: t.db, bus: broker, log: silent });
    const own = { kind: 'yolox', scoreThreshold: 'auto', everyNth: 'auto', motionGate: false } as const;
    await t.repos.cameras.update(d.camera.id, { detector: own });
    const withOwn = await push.publishDevice(d.id);
    expect(withOwn.cameras[0]?.detector).toEqual(own);
    expect(withOwn.detector).toEqual(DEFAULT_DETECTOR);
    await t.repos.cameras.update(d.camera.id, { detector: null });
    const shared = await push.publishDevice(d.id);
    expect(shared.revision).toBe(withOwn.revision + 1);
    expect(shared.cameras[0]).not.toHaveProperty('detector');
  });

  it('never publishes a revision at or below the one the agent reports', async () => {
    const d = await seed();
    const broker = await startTestBroker(t.repos, resources);
    const push = new ConfigPush({ db: t.db, bus: broker, log: silent });
    expect((await push.publishDevice(d.id)).revision).toBe(1);
    // e.g. the database was restored from an old backup while the box ran revision 10
    await t.repos.devices.recordStatus(d.id, status({ configRevision: 10 }));
    expect((await push.publishDevice(d.id)).revision).toBe(11);
    await t.repos.devices.recordStatus(d.id, status({ configRevision: 11, connection: 2 }));
    expect((await push.publishDevice(d.id)).revision).toBe(11);
  });

  it('publishes again above a revision a box reports running beyond the hub, and only then', async () => {
    const d = await seed();
    const broker = await startTestBroker(t.repos, resources);
    const push = new ConfigPush({ db: t.db, bus: broker, log: silent });
    await push.publishDevice(d.id);
    const { configs } = await listen(broker.url, d.id, d.secret);
    await waitFor('retained', () => configs.length === 1);
    // e.g. a box enrolled again after a revoke kept its old identity's saved config, revision 7
    await t.repos.devices.recordStatus(d.id, status({ configRevision: 7 }));
    await push.catchUp(d.id, 7);
    await waitFor('caught up', () => configs.length === 2);
    await push.catchUp(d.id, 8);
    await push.catchUp(d.id, 1);
    await push.catchUp('dev-nobody', 9);
    // An unchanged push marks the end: a catch-up at or below the published revision sends nothing.
    await push.publishDevice(d.id);
    await waitFor('marker', () => configs.length === 3);
    expect(configs.map((c) => c.revision)).toEqual([1, 8, 8]);
  });

  it('concurrent pushes of one device publish in revision order, the newest retained', async () => {
    const d = await seed();
    const broker = await startTestBroker(t.repos, resources);
    const push = new ConfigPush({ db: t.db, bus: broker, log: silent });
    const { configs } = await listen(broker.url, d.id, d.secret);
    const pushes: Array<Promise<DeviceConfig>> = [];
    for (let i = 0; i < 5; i++) {
      await t.repos.cameras.update(d.camera.id, { name: `Entrance ${i}` });
      pushes.push(push.publishDevice(d.id));
    }
    const revisions = (await Promise.all(pushes)).map((c) => c.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    await waitFor('all pushes', () => configs.length === 5);
    expect(configs.map((c) => c.revision)).toEqual(revisions);
    // A device connecting now gets the newest one.
    const late = await listen(broker.url, d.id, d.secret);
    await waitFor('retained', () => late.configs.length === 1);
    expect(late.configs[0]?.revision).toBe(Math.max(...revisions));
    expect(late.configs[0]?.cameras[0]?.name).toBe('Entrance 4');
  });

  it('an unknown device is a NotFoundError; a removed device loses its retained config', async () => {
    const d = await seed();
    const broker = await startTestBroker(t.repos, resources);
    const push = new ConfigPush({ db: t.db, bus: broker, log: silent });
    await expect(push.publishDevice('dev-nobody')).rejects.toBeInstanceOf(NotFoundError);
    await push.publishDevice(d.id);
    await push.removeDevice(d.id);
    const { configs } = await listen(broker.url, d.id, d.secret);
    await sleep(150);
    expect(configs).toEqual([]);
  });

  it('domain events rebuild only the devices a change touches; a removed device loses its config', async () => {
    const d1 = await seed();
    const d2 = await seed();
    const broker = await startTestBroker(t.repos, resources);
    const push = new ConfigPush({ db: t.db, bus: broker, log: silent });
    await push.publishDevices([d1.id, d2.id]);
    const one = await listen(broker.url, d1.id, d1.secret);
    const two = await listen(broker.url, d2.id, d2.secret);
    await waitFor('both retained', () => one.configs.length === 1 && two.configs.length === 1);
    const domain = new DomainEvents();
    const stop = pushOnChanges(push, domain, silent);

    // d1's area moves: d1 gets the next revision, d2 is not rebuilt.
    await t.repos.zones.updateZone(`zone-${d1.u}`, { name: 'Moved till' });
    domain.emit('geometry-changed', { cameraId: d1.camera.id });
    await waitFor('d1 revision 2', () => one.configs.at(-1)?.revision === 2);
    // A push for d2 alone (unchanged: same revision) marks the end: had d1's change pushed every
    // device, d2 would have seen a third message before this one.
    domain.emit('config-changed', { deviceIds: [d2.id] });
    await waitFor('d2 pushed again', () => two.configs.length === 2);
    await push.idle();
    expect(two.configs.map((c) => c.revision)).toEqual([1, 1]);
    expect(one.configs.map((c) => c.revision)).toEqual([1, 2]);
    expect(one.configs[1]?.cameras[0]?.zones[0]?.name).toBe('Moved till');

    // A camera of no box: nothing to push, nothing thrown.
    await t.repos.cameras.update(d2.camera.id, { deviceId: null });
    domain.emit('geometry-changed', { cameraId: d2.camera.id });
    domain.emit('geometry-changed', { cameraId: 'cam-nobody' });

    domain.emit('device-removed', { deviceId: d1.id });
    await push.idle(); // removeDevice is queued as the event is emitted
    const late = await listen(broker.url, d1.id, d1.secret);
    await sleep(150);
    expect(late.configs).toEqual([]);
    stop();
  });
});
