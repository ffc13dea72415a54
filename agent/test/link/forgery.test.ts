/**
 * A broker client that is not the hub (an external broker without access rules, a stolen password)
 * publishes on the box's hub topics: the box acts on none of it. Real aedes broker, real outbox.
 */
import {
  type Ack,
  type DeviceConfig,
  type HubStatus,
  type SnapshotResponse,
  topics,
} from '@oskartrack/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REBASE_SEQ } from '../../src/outbox/outbox.ts';
import { crossing, events } from '../outbox/helpers.ts';
import { hubSigned, newHubKey } from '../support/hub-key.ts';
import { Resources, setup } from './fixture.ts';
import { deviceId, waitFor } from './helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

const forger = newHubKey();
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const ack = (upToSeq: number): Ack => ({ v: 1, upToSeq, at: Date.now() });

function config(revision: number, source = '0'): DeviceConfig {
  return {
    v: 1,
    revision,
    cameras: [{ id: 'cam1', name: 'Door', source, zones: [], lines: [] }],
    detector: { kind: 'hog', scoreThreshold: 0.5, everyNth: 2, motionGate: true },
    live: { enabled: true, maxFps: 5 },
  };
}

describe('forged acks', () => {
  it('ignores an unsigned ack, one signed with another key and one signed for another box: nothing deleted', async () => {
    const f = await setup(resources);
    f.hub.withhold = true;
    f.outbox.append(events(1, 20));
    await f.link.start();
    await waitFor('sent', () => f.hub.arrivals.length >= 20);
    const topic = topics.ack(f.id);
    await f.broker.publish(topic, JSON.stringify(ack(14)));
    await f.broker.publish(topic, hubSigned(topic, ack(14), forger));
    await f.broker.publish(topic, hubSigned(topics.ack(deviceId('other')), ack(14)));
    await waitFor('three refused', () => f.link.state().refusedMessages === 3);
    expect(f.outbox.depth()).toBe(20);
    expect(f.link.state()).toMatchObject({ ackedUpTo: 0, connected: true });
    expect(f.link.state().lastError).toMatch(/^ignored a message on .*\/ack: ack not signed by the hub/);
    // one warning for the topic, however many forgeries
    const warned = f.log.lines.filter((l) => l.msg === 'message from the hub ignored');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, topic });

    // the hub's real ack still works, and every event is stored exactly once
    f.hub.withhold = false;
    await f.hub.ack();
    await waitFor('drained', () => f.outbox.depth() === 0 && f.hub.ackedUpTo === 20);
    expect(f.hub.uniqueSeqs()).toEqual(range(1, 20));
    for (const [seq, event] of f.hub.stored) expect(event).toEqual(crossing(seq));
  });

  it('ignores and logs a signed ack beyond the highest seq sent, and one at 2^53-1, and keeps working', async () => {
    const f = await setup(resources);
    f.hub.withhold = true;
    f.outbox.append(events(1, 20));
    await f.link.start();
    await waitFor('sent', () => f.hub.arrivals.length >= 20);
    // the hub goes offline: later events wait unsent, so the outbox holds seqs never sent
    await f.hub.setStatus('offline');
    await waitFor('hub offline', () => f.link.state().hub === 'offline');
    f.outbox.append(events(21, 10));
    expect(f.outbox.highestSent).toBe(20);

    await f.hub.ack(25); // a real hub signature (replayed, or a hub bug): seqs 21..25 were never sent
    await f.hub.ack(Number.MAX_SAFE_INTEGER);
    await waitFor('both refused', () => f.link.state().refusedMessages === 2);
    expect(f.outbox.depth()).toBe(30);
    expect(f.outbox.lastSeq).toBe(30); // not renumbered
    expect(f.link.state().ackedUpTo).toBe(0);
    const errors = f.log.lines.filter((l) => l.level === 50 && l.msg === 'message from the hub ignored');
    expect(errors).toHaveLength(1); // rate-limited: one line per topic
    expect(errors[0]!.why).toMatch(/ack up to seq 25 is beyond the highest seq this box has sent \(20\)/);
    expect(f.link.state().lastError).toMatch(/beyond the highest seq this box has sent/);

    // everything is still delivered, once, and new events keep their numbering
    f.hub.withhold = false;
    await f.hub.setStatus('online');
    await waitFor('drained', () => f.outbox.depth() === 0 && f.hub.ackedUpTo === 30);
    expect(f.outbox.append([crossing(31)])).toEqual([31]);
    await waitFor('the next one', () => f.hub.ackedUpTo === 31);
    expect(f.hub.uniqueSeqs()).toEqual(range(1, 31));
  });

  it('renumbers above a signed ack for seqs never assigned only up to a bound', async () => {
    const f = await setup(resources);
    f.hub.withhold = true;
    f.outbox.append(events(1, 3));
    await f.link.start();
    await waitFor('sent', () => f.hub.arrivals.length >= 3);
    await f.hub.ack(MAX_REBASE_SEQ + 1);
    await waitFor('refused', () => f.link.state().refusedMessages === 1);
    expect(f.outbox.lastSeq).toBe(3);
    expect(f.outbox.depth()).toBe(3);
  });
});

describe('forged configs', () => {
  it('neither applies nor saves an unsigned config, or a real one replayed on another box', async () => {
    const applied: DeviceConfig[] = [];
    const f = await setup(resources, { onConfig: (c) => void applied.push(c) });
    const topic = topics.config(f.id);
    // retained before the box connects: it gets it on subscribing
    await f.broker.publish(topic, JSON.stringify(config(5, 'rtsp://attacker.example/stream')), true);
    await f.link.start();
    await waitFor('refused', () => f.link.state().refusedMessages === 1);
    // a config the hub really signed, for another box, replayed here
    await f.broker.publish(topic, hubSigned(topics.config(deviceId('other')), config(6)), true);
    await f.broker.publish(topic, hubSigned(topic, config(7), forger), true);
    await waitFor('all refused', () => f.link.state().refusedMessages === 3);
    expect(applied).toEqual([]);
    expect(f.link.state().configRevision).toBe(0);
    expect(f.statuses.every((s) => s.configRevision === 0)).toBe(true);

    // the hub's own config is applied
    await f.broker.publish(topic, hubSigned(topic, config(2)), true);
    await waitFor('applied', () => applied.length === 1);
    expect(applied[0]).toEqual(config(2));
    expect(f.link.state().configRevision).toBe(2);
  });
});

describe('forged snapshot requests and hub status', () => {
  it('answers no forged snapshot request', async () => {
    const asked: string[] = [];
    const f = await setup(resources, {
      onSnapshot: async (request) => {
        asked.push(request.id);
        return { v: 1, id: request.id, status: 'error', error: 'no camera' };
      },
    });
    const responses: SnapshotResponse[] = [];
    await f.broker.subscribe(topics.response(f.id, 'snapshot'), (_t, payload) =>
      responses.push(JSON.parse(payload.toString()) as SnapshotResponse),
    );
    await f.link.start();
    await waitFor('online', () => f.link.state().hub === 'online');
    const topic = topics.request(f.id, 'snapshot');
    await f.broker.publish(topic, JSON.stringify({ v: 1, id: 'forged1', cameraId: 'cam1' }));
    await f.broker.publish(topic, hubSigned(topic, { v: 1, id: 'forged2', cameraId: 'cam1' }, forger));
    await f.broker.publish(
      topic,
      hubSigned(topics.request(deviceId('x'), 'snapshot'), { v: 1, id: 'forged3', cameraId: 'cam1' }),
    );
    await f.broker.publish(topic, hubSigned(topic, { v: 1, id: 'real', cameraId: 'cam1' }));
    // the real one was published last on the same topic: it is answered after the others were handled
    await waitFor('the real answer', () => responses.length === 1);
    expect(responses.map((r) => r.id)).toEqual(['real']);
    expect(asked).toEqual(['real']);
    expect(f.link.state().refusedMessages).toBe(3);
  });

  it('ignores a forged hub status: an unsigned offline does not stop delivery', async () => {
    const f = await setup(resources);
    await f.link.start();
    await waitFor('online', () => f.link.state().hub === 'online');
    const offline: HubStatus = { v: 1, state: 'offline', at: Date.now() };
    await f.broker.publish(topics.hubStatus, JSON.stringify(offline), true);
    await f.broker.publish(topics.hubStatus, hubSigned(topics.status(f.id), offline), true);
    await waitFor('refused', () => f.link.state().refusedMessages === 2);
    expect(f.link.state().hub).toBe('online');
    f.outbox.append(events(1, 5));
    await waitFor('delivered', () => f.outbox.depth() === 0 && f.hub.ackedUpTo === 5);
    // the hub's own offline is obeyed
    await f.hub.setStatus('offline');
    await waitFor('offline', () => f.link.state().hub === 'offline');
  });
});
