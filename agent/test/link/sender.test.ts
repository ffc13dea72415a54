import { type EventBatch, incoming, type Outgoing } from '@oskartrack/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type SenderOptions, WindowedSender } from '../../src/link/sender.ts';
import { Outbox } from '../../src/outbox/outbox.ts';
import { captureLog, events, tempDir } from '../outbox/helpers.ts';

interface Sent {
  batch: EventBatch;
  message: Outgoing;
  done: (error?: Error) => void;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A sender over a real outbox, with the wire, the event loop and the clock in the test's hands. */
function setup(options: Partial<SenderOptions> = {}) {
  const tmp = tempDir('sender');
  const log = captureLog();
  const outbox = new Outbox(tmp.file('outbox.db'), { logger: log.logger });
  cleanups.push(() => {
    outbox.close();
    tmp.remove();
  });
  const sent: Sent[] = [];
  const deferred: Array<() => void> = [];
  const world = { open: true, clock: 1_000 };
  const sender = new WindowedSender({
    deviceId: 'box-1',
    outbox,
    log: log.logger,
    canSend: () => world.open,
    publish: (message, done) => {
      const parsed = incoming('events', message.payload);
      if (!parsed.ok) throw new Error(parsed.error);
      sent.push({ batch: parsed.value, message, done });
    },
    defer: (fn) => deferred.push(fn),
    now: () => world.clock,
    ...options,
  });
  /** Runs what the sender deferred, until it defers nothing more. */
  const settle = () => {
    while (deferred.length > 0) deferred.shift()?.();
  };
  const seqs = (from = 0) => sent.slice(from).map((s) => s.batch.events.map((e) => e.seq));
  return { outbox, sender, sent, world, settle, seqs, log };
}

describe('WindowedSender', () => {
  it('sends in seq order, at most `window` batches unacknowledged, and deletes only what the hub acknowledges', () => {
    const { outbox, sender, sent, settle, seqs } = setup({ batchSize: 2, window: 2 });
    outbox.append(events(1, 7));
    sender.rewind('connected');
    sender.schedulePump();
    settle();
    expect(seqs()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(outbox.depth()).toBe(7); // PUBACKs delete nothing
    for (const s of sent) s.done();
    settle();
    expect(sent).toHaveLength(2);

    expect(sender.acknowledge(2)).toEqual({ kind: 'applied', deleted: 2 });
    settle();
    expect(seqs(2)).toEqual([[5, 6]]);
    expect(sender.acknowledge(6)).toEqual({ kind: 'applied', deleted: 4 });
    settle();
    expect(seqs(3)).toEqual([[7]]);
    expect(sender.acknowledge(7)).toEqual({ kind: 'applied', deleted: 1 });
    settle();
    expect(outbox.depth()).toBe(0);
    expect(sender.stats()).toMatchObject({
      ackedUpTo: 7,
      inFlightBatches: 0,
      draining: false,
      batchesSent: 4,
    });
    expect(sender.acknowledge(5)).toEqual({ kind: 'stale' });
  });

  it('while a batch waits for its ack, sends new events only as full batches; the rest goes with the ack', () => {
    const { outbox, sender, settle, seqs } = setup({ batchSize: 3, window: 4 });
    sender.rewind('connected');
    outbox.append(events(1, 1));
    sender.schedulePump();
    settle();
    expect(seqs()).toEqual([[1]]); // nothing waiting: sent at once
    outbox.append(events(2, 2));
    sender.schedulePump();
    settle();
    expect(seqs(1)).toEqual([]); // two new events wait for the ack of the first
    outbox.append(events(4, 1));
    sender.schedulePump();
    settle();
    expect(seqs(1)).toEqual([[2, 3, 4]]); // a full batch goes while another waits
    outbox.append(events(5, 2));
    sender.schedulePump();
    settle();
    expect(seqs(2)).toEqual([]);
    sender.acknowledge(1);
    settle();
    expect(seqs(2)).toEqual([]); // [2..4] still waits
    sender.acknowledge(4);
    settle();
    expect(seqs(2)).toEqual([[5, 6]]);
  });

  it('while a batch waits for its ack, still sends one batch that is not full every 5 s', () => {
    const { outbox, sender, world, settle, seqs } = setup({ batchSize: 3, window: 4, ackTimeoutMs: 60_000 });
    sender.rewind('connected');
    outbox.append(events(1, 1));
    sender.schedulePump();
    settle();
    outbox.append(events(2, 1));
    world.clock += 4_999;
    sender.tick();
    settle();
    expect(seqs()).toEqual([[1]]);
    world.clock += 1;
    sender.tick();
    settle();
    expect(seqs()).toEqual([[1], [2]]);
  });

  it('builds each batch through the events channel: QoS 1, not retained, floor at the oldest waiting seq', () => {
    const { outbox, sender, sent, settle } = setup({ batchSize: 3 });
    outbox.append(events(1, 5));
    sender.rewind('connected');
    sender.schedulePump();
    settle();
    expect(sent[0]?.message).toMatchObject({
      topic: 'oskartrack/v1/devices/box-1/events',
      qos: 1,
      retain: false,
    });
    expect(sent[1]?.batch).toMatchObject({ v: 1, floor: 1, sentAt: 1_000 });
    expect(outbox.highestSent).toBe(5);
  });

  it('sends nothing while it may not, and everything once it may', () => {
    const { outbox, sender, sent, world, settle } = setup();
    world.open = false;
    outbox.append(events(1, 3));
    sender.rewind('connected');
    sender.schedulePump();
    settle();
    expect(sent).toHaveLength(0);
    world.open = true;
    sender.schedulePump();
    settle();
    expect(sent.map((s) => s.batch.events.length)).toEqual([3]);
  });

  it('resends from the first unacknowledged seq after the ack timeout, not before, and ignores stale PUBACKs', () => {
    const { outbox, sender, sent, world, settle, seqs } = setup({
      batchSize: 2,
      window: 2,
      ackTimeoutMs: 5_000,
    });
    outbox.append(events(1, 4));
    sender.rewind('connected');
    sender.schedulePump();
    settle();
    sender.acknowledge(2);
    settle();
    expect(seqs()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    world.clock += 4_999;
    sender.tick();
    settle();
    expect(sent).toHaveLength(2);
    expect(sender.stats().ackTimeouts).toBe(0);

    world.clock += 1;
    sender.tick();
    settle();
    expect(seqs(2)).toEqual([[3, 4]]);
    expect(sender.stats()).toMatchObject({ ackTimeouts: 1, inFlightBatches: 1 });
    sent[1]?.done(); // the PUBACK of the batch sent before the rewind changes nothing
    expect(outbox.depth()).toBe(2);
    expect(sender.acknowledge(4)).toEqual({ kind: 'applied', deleted: 2 });
  });

  it('after an ack time-out keeps one batch in flight, the first unacknowledged, until an ack shows progress', () => {
    const { outbox, sender, world, settle, seqs } = setup({
      batchSize: 2,
      window: 3,
      freshWindow: 1,
      ackTimeoutMs: 1_000,
    });
    outbox.append(events(1, 10));
    sender.rewind('connected');
    sender.schedulePump();
    settle();
    expect(seqs()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    outbox.append(events(11, 2)); // new events: the fresh lane stays shut as well
    world.clock += 1_000;
    sender.tick();
    settle();
    sender.schedulePump();
    settle();
    expect(seqs(3)).toEqual([[1, 2]]);
    expect(sender.stats().inFlightBatches).toBe(1);

    sender.acknowledge(4); // progress (the hub had two batches): the whole window again
    settle();
    expect(seqs(4)).toEqual([
      [5, 6],
      [7, 8],
      [9, 10],
    ]);
  });

  it('opens the window again on a refused ack (the hub answers), so new events can pass its point', () => {
    const { outbox, sender, world, settle } = setup({
      batchSize: 2,
      window: 2,
      freshWindow: 1,
      ackTimeoutMs: 1_000,
    });
    outbox.append(events(1, 10));
    sender.rewind('connected');
    sender.schedulePump();
    settle();
    world.clock += 1_000;
    sender.tick();
    settle();
    expect(sender.stats().inFlightBatches).toBe(1);
    // The hub remembers seq 6 from an outbox this box lost: above what it sent, within what it holds.
    expect(sender.acknowledge(6).kind).toBe('refused');
    settle();
    expect(sender.stats().inFlightBatches).toBe(2);
  });

  it('waits twice as long after each ack time-out in a row (up to 8 times), and the base time again after progress', () => {
    const { outbox, sender, world, settle } = setup({ batchSize: 2, window: 1, ackTimeoutMs: 1_000 });
    outbox.append(events(1, 4));
    sender.rewind('connected');
    sender.schedulePump();
    settle();
    const timeoutsAfter = (ms: number) => {
      world.clock += ms;
      sender.tick();
      settle();
      return sender.stats().ackTimeouts;
    };
    expect(timeoutsAfter(1_000)).toBe(1);
    expect(timeoutsAfter(1_999)).toBe(1);
    expect(timeoutsAfter(1)).toBe(2);
    expect(timeoutsAfter(4_000)).toBe(3);
    expect(timeoutsAfter(8_000)).toBe(4);
    expect(timeoutsAfter(7_999)).toBe(4); // at most 8 x the base
    expect(timeoutsAfter(1)).toBe(5);
    sender.acknowledge(2);
    settle();
    expect(timeoutsAfter(1_000)).toBe(6);
    expect(timeoutsAfter(1_999)).toBe(6);
    sender.rewind('connected'); // a new connection waits the base time again
    sender.schedulePump();
    settle();
    expect(timeoutsAfter(1_000)).toBe(7);
  });

  it('lets fresh events overtake a draining backlog, one unPUBACKed fresh batch at a time', () => {
    const { outbox, sender, sent, settle, seqs } = setup({ batchSize: 2, window: 1, freshWindow: 1 });
    outbox.append(events(1, 6)); // the backlog
    sender.rewind('connected');
    sender.schedulePump();
    settle();
    expect(seqs()).toEqual([[1, 2]]);
    expect(sender.stats().draining).toBe(true);

    outbox.append(events(7, 4)); // fresh events while the backlog drains
    sender.schedulePump();
    settle();
    expect(seqs(1)).toEqual([[7, 8]]);
    sender.schedulePump();
    settle();
    expect(sent).toHaveLength(2); // the fresh batch waits for its PUBACK, the backlog for its ack

    sent[1]?.done();
    settle();
    expect(seqs(2)).toEqual([[9, 10]]);
    expect(sender.acknowledge(2).kind).toBe('applied');
    settle();
    expect(seqs(3)).toEqual([[3, 4]]);
  });

  it('refuses an ack beyond what it sent, and renumbers the outbox for one beyond every seq it assigned', () => {
    const { outbox, sender, settle, seqs } = setup({ batchSize: 10 });
    outbox.append(events(1, 3));
    sender.rewind('connected');
    sender.schedulePump();
    settle();
    outbox.append(events(4, 2)); // assigned, not yet sent
    const refused = sender.acknowledge(4);
    expect(refused.kind).toBe('refused');
    expect(outbox.depth()).toBe(5);

    expect(sender.acknowledge(100)).toEqual({ kind: 'applied', deleted: 0 });
    expect(outbox.firstSeq()).toBe(101);
    settle();
    expect(seqs().at(-1)).toEqual([101, 102, 103, 104, 105]);
  });
});
