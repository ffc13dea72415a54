import type { DeviceStatus } from '@oskartrack/protocol';
import { parsePayload, DeviceStatus as StatusSchema, topics } from '@oskartrack/protocol';
import pino from 'pino';
import { Link, type LinkOptions } from '../../src/link/link.ts';
import { Outbox, type OutboxOptions } from '../../src/outbox/outbox.ts';
import { captureLog, tempDir } from '../outbox/helpers.ts';
import { TEST_HUB_KEY } from '../support/hub-key.ts';
import { deviceId, FakeHub, TestBroker } from './helpers.ts';

export interface Fixture {
  broker: TestBroker;
  outbox: Outbox;
  hub: FakeHub;
  link: Link;
  id: string;
  log: ReturnType<typeof captureLog>;
  statuses: DeviceStatus[];
}

/** Per-test resources, released in reverse order by `release`. */
export class Resources {
  private readonly items: Array<() => unknown> = [];

  add(release: () => unknown): void {
    this.items.push(release);
  }

  async release(): Promise<void> {
    for (const release of this.items.splice(0).reverse()) await release();
  }
}

export const silent = pino({ level: 'silent' });

/** A broker, a fake hub attached to it, an outbox and a link (not started) with short timers. */
export async function setup(
  resources: Resources,
  linkOptions: Partial<LinkOptions> = {},
  outboxOptions: OutboxOptions = {},
): Promise<Fixture> {
  const broker = await TestBroker.start();
  resources.add(() => broker.stop());
  const tmp = tempDir('link');
  resources.add(tmp.remove);
  const outbox = new Outbox(tmp.file('outbox.db'), {
    logger: silent,
    synchronous: 'normal',
    ...outboxOptions,
  });
  resources.add(() => outbox.close());
  const id = deviceId();
  const hub = new FakeHub(id);
  await hub.attach(broker);
  const statuses: DeviceStatus[] = [];
  await broker.subscribe(topics.status(id), (_topic, payload) => {
    const status = parsePayload(StatusSchema, payload);
    if (!status.ok) throw new Error(`invalid status: ${status.error}`);
    statuses.push(status.value);
  });
  const log = captureLog();
  const link = new Link({
    url: broker.url,
    deviceId: id,
    software: 'oskartrack-test/1.0',
    outbox,
    hubKey: TEST_HUB_KEY.publicKey,
    batchSize: 50,
    ackTimeoutMs: 400,
    reconnectPeriodMs: 100,
    connectTimeoutMs: 2000,
    statusIntervalMs: 10_000,
    logger: log.logger,
    ...linkOptions,
  });
  resources.add(() => link.stop());
  return { broker, outbox, hub, link, id, log, statuses };
}
