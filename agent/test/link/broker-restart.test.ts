import { topics } from '@oskartrack/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { events } from '../outbox/helpers.ts';
import { type Fixture, Resources, setup } from './fixture.ts';
import { TestBroker, waitFor } from './helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

// Far longer than any wait below: a batch that arrives was not resent by the ack time-out.
const TEN_MINUTES = 600_000;

/** What the box published on a broker, counted as it arrives. */
interface Seen {
  batches: number;
  online: number;
}

/** The box has 10 events the hub stored but did not acknowledge. */
async function unacknowledged(f: Fixture): Promise<void> {
  await f.link.start();
  await waitFor('connected', () => f.link.state().hub === 'online');
  f.hub.withhold = true;
  f.outbox.append(events(1, 10));
  await waitFor('sent', () => f.hub.arrivals.length === 10);
  f.hub.withhold = false;
}

/** Stops the broker and starts a fresh one on its port: subscriptions and retained messages are gone. */
async function restartBroker(f: Fixture): Promise<{ broker: TestBroker; seen: Seen }> {
  await f.broker.stop();
  const broker = await TestBroker.start(f.broker.port);
  resources.add(() => broker.stop());
  const seen: Seen = { batches: 0, online: 0 };
  broker.broker.on('publish', (packet, client) => {
    if (client?.id !== f.id) return;
    if (packet.topic === topics.events(f.id)) seen.batches++;
    if (packet.topic === topics.status(f.id) && packet.payload.toString().includes('"online"')) seen.online++;
  });
  return { broker, seen };
}

async function drained(f: Fixture): Promise<void> {
  await waitFor('all acknowledged', () => f.outbox.depth() === 0 && f.hub.ackedUpTo === 10, 20_000);
  expect(f.hub.uniqueSeqs()).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  expect(f.link.state().ackTimeouts).toBe(0);
}

describe('Link after a broker restart', () => {
  it('holds its batches until the hub says online again, then sends them at once', async () => {
    const f = await setup(resources, { ackTimeoutMs: TEN_MINUTES, hubWaitMs: TEN_MINUTES });
    await unacknowledged(f);
    const { broker, seen } = await restartBroker(f);
    await waitFor('the box back on the new broker', () => seen.online > 0, 20_000);
    // its status goes out when it is subscribed, its batches a turn later: they would be out by now
    expect(f.link.state()).toMatchObject({ hub: 'unknown', batchesSent: 1 });
    await f.hub.attach(broker, false);
    expect(seen.batches).toBe(0); // nothing went out to a broker no hub listens on
    await f.hub.setStatus('online');
    await drained(f);
    expect(f.hub.arrivals.slice(10)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('sends anyway when no hub status comes, and again at once when the hub then says online', async () => {
    const f = await setup(resources, { ackTimeoutMs: TEN_MINUTES, hubWaitMs: 200 });
    await unacknowledged(f);
    const { broker, seen } = await restartBroker(f);
    // no hub yet: the box gives up waiting and its batches reach nobody
    await waitFor('batches sent to nobody', () => seen.batches > 0, 20_000);
    await f.hub.attach(broker);
    await drained(f);
  });

  it('sends nothing twice on a normal connect', async () => {
    const f = await setup(resources, { ackTimeoutMs: TEN_MINUTES });
    f.outbox.append(events(1, 10));
    await f.link.start();
    await drained(f);
    expect(f.hub.arrivals).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(f.link.state().batchesSent).toBe(1);
  });
});
