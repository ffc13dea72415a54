/**
 * The agent's real Link against the hub's embedded broker: its login, subscriptions, will, status and
 * config handling all pass the device account rules.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Link } from '@oskartrack/agent/link/index';
import { Outbox } from '@oskartrack/agent/outbox/outbox';
import {
  type Ack,
  type DeviceConfig,
  EventBatch,
  PROTOCOL_VERSION,
  parsePayload,
  parseTopic,
  type TrackingEvent,
  topics,
} from '@oskartrack/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_HUB_KEY } from '../../../agent/test/support/hub-key.ts';
import { ConfigPush } from '../../src/broker/config-push.ts';
import { trackDeviceStatus } from '../../src/broker/device-status.ts';
import type { TestDatabase } from '../db/backends.ts';
import {
  enrolledDevice,
  openBrokerTestDatabase,
  Resources,
  silent,
  startTestBroker,
  waitFor,
} from './helpers.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openBrokerTestDatabase();
});
afterAll(() => t?.close());
const resources = new Resources();
afterEach(() => resources.release());

function crossing(n: number): TrackingEvent {
  return {
    kind: 'line_crossed',
    cameraId: 'cam-1',
    at: 1_700_000_000_000 + n,
    trackId: n,
    lineId: 'door',
    direction: 'in',
  };
}

describe('agent link against the embedded broker', () => {
  it('logs in, gets its config, reports status, delivers events and gets acks; offline by its will', async () => {
    const d = await enrolledDevice(t.repos);
    await t.repos.cameras.create({
      id: `cam-${d.id}`,
      storeId: d.store.id,
      deviceId: d.id,
      name: 'Door',
      source: '0',
    });
    const stored = new Set<number>();
    const broker = await startTestBroker(t.repos, resources, {
      prepare: async (bus) => {
        await trackDeviceStatus({ bus, devices: t.repos.devices, log: silent, markAllOffline: true });
        // A minimal ingest: stores seqs and acknowledges the contiguous prefix.
        await bus.subscribe(topics.all.events, async ({ topic, payload }) => {
          const deviceId = parseTopic(topic)?.deviceId;
          const batch = parsePayload(EventBatch, payload);
          if (!deviceId || !batch.ok) return;
          for (const e of batch.value.events) stored.add(e.seq);
          let upToSeq = 0;
          while (stored.has(upToSeq + 1)) upToSeq++;
          const ack: Ack = { v: PROTOCOL_VERSION, upToSeq, at: Date.now() };
          await bus.publish(topics.ack(deviceId), JSON.stringify(ack), { qos: 1, retain: false });
        });
        await new ConfigPush({ db: t.db, bus, log: silent }).publishAll();
      },
    });

    const dir = mkdtempSync(join(tmpdir(), 'oskartrack-link-'));
    resources.add(() => rmSync(dir, { recursive: true, force: true }));
    const outbox = new Outbox(join(dir, 'outbox.db'), { logger: silent, synchronous: 'normal' });
    resources.add(() => outbox.close());
    const configs: DeviceConfig[] = [];
    const link = new Link({
      url: broker.url,
      deviceId: d.id,
      secret: d.secret,
      software: '9.9.9',
      outbox,
      hubKey: TEST_HUB_KEY.publicKey,
      onConfig: (config) => {
        configs.push(config);
      },
      logger: silent,
      reconnectPeriodMs: 200,
      tickMs: 50,
    });
    resources.add(() => link.stop());
    await link.start();

    await waitFor('the config', () => configs.length === 1);
    expect(configs[0]?.cameras.map((c) => c.id)).toEqual([`cam-${d.id}`]);
    await waitFor('online in the database', async () => (await t.repos.devices.get(d.id)).online);
    await waitFor(
      'the applied revision reported',
      async () => (await t.repos.devices.get(d.id)).configRevision === 1,
    );

    outbox.append([crossing(1), crossing(2), crossing(3)]);
    link.kick();
    await waitFor('acknowledged', () => link.state().ackedUpTo === 3 && outbox.depth() === 0);
    expect([...stored].sort()).toEqual([1, 2, 3]);
    // the config, the acks and the hub status were all signed by the hub and accepted
    expect(link.state()).toMatchObject({ lastError: null, refusedMessages: 0 });
    expect(link.state().hub).toBe('online');
    expect(await t.repos.devices.get(d.id)).toMatchObject({ softwareVersion: '9.9.9', online: true });

    // The box loses its network: the broker publishes its will.
    await broker.disconnectDevice(d.id);
    await waitFor('offline in the database', async () => !(await t.repos.devices.get(d.id)).online);
    // ... and it comes back by itself.
    await waitFor('online again', async () => (await t.repos.devices.get(d.id)).online, 10_000);
  });

  it('a link with a wrong secret never gets in', async () => {
    const d = await enrolledDevice(t.repos);
    const broker = await startTestBroker(t.repos, resources);
    const dir = mkdtempSync(join(tmpdir(), 'oskartrack-link-'));
    resources.add(() => rmSync(dir, { recursive: true, force: true }));
    const outbox = new Outbox(join(dir, 'outbox.db'), { logger: silent, synchronous: 'normal' });
    resources.add(() => outbox.close());
    const link = new Link({
      url: broker.url,
      deviceId: d.id,
      secret: `${d.secret}-old`,
      software: '9.9.9',
      outbox,
      hubKey: TEST_HUB_KEY.publicKey,
      logger: silent,
      reconnectPeriodMs: 100,
    });
    resources.add(() => link.stop());
    await link.start();
    await waitFor('the refusal', () => link.state().lastError !== null);
    expect(link.state().lastError).toMatch(/bad user ?name or password|Not authorized|Bad username/i);
    expect(link.state().connected).toBe(false);
    expect(broker.connectedDevices()).toEqual([]);
  });
});
