import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/outbox/outbox.ts';
import { crossing, events, tempDir } from '../outbox/helpers.ts';
import { TEST_HUB_KEY } from '../support/hub-key.ts';
import { Resources, setup, silent } from './fixture.ts';
import { deviceId, FakeHub, sleep, TestBroker, waitFor } from './helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

function depthOnDisk(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM outbox_events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

describe('Link across outages', () => {
  it('loses nothing and duplicates nothing when the hub broker stops and restarts under load', async () => {
    const f = await setup(resources, { ackTimeoutMs: 500, batchSize: 40, window: 3 });
    await f.link.start();
    let appending = true;
    const appender = (async () => {
      while (appending) {
        f.outbox.append(events(f.outbox.lastSeq + 1, 1 + (f.outbox.lastSeq % 3)));
        await sleep(3);
      }
    })();
    await waitFor('some delivered', () => f.hub.ackedUpTo > 50);
    await f.broker.stop();
    const atStop = f.outbox.lastSeq;
    await sleep(600);
    expect(f.link.state().connected).toBe(false);
    expect(f.outbox.lastSeq).toBeGreaterThan(atStop); // the engine kept going
    const broker = await TestBroker.start(f.broker.port);
    resources.add(() => broker.stop());
    await f.hub.attach(broker);
    await sleep(400);
    appending = false;
    await appender;
    const total = f.outbox.lastSeq;
    await waitFor('all acknowledged', () => f.hub.ackedUpTo === total && f.outbox.depth() === 0, 10_000);

    expect(f.hub.invalid).toEqual([]);
    expect(f.hub.uniqueSeqs()).toEqual(range(total));
    for (const [seq, event] of f.hub.stored) expect(event).toEqual(crossing(seq));
    expect(f.hub.arrivals.length).toBeGreaterThanOrEqual(total);
    const state = f.link.state();
    expect(state).toMatchObject({ connected: true, inFlightBatches: 0, ackedUpTo: total });
    expect(state.connection).toBeGreaterThanOrEqual(2);
  });

  // A child starts in seconds on a busy machine (tsx): the waits are generous.
  it('loses nothing when the agent is killed with SIGKILL mid-batch and restarted', async () => {
    const broker = await TestBroker.start();
    resources.add(() => broker.stop());
    const tmp = tempDir('link-kill');
    resources.add(tmp.remove);
    const id = deviceId('kill');
    const hub = new FakeHub(id);
    hub.ackDelayMs = 150; // acks lag: at the kill, batches are stored by the hub but not yet acknowledged
    await hub.attach(broker);
    const path = tmp.file('outbox.db');
    const script = fileURLToPath(new URL('./fixtures/agent-child.ts', import.meta.url));
    const children: ChildProcess[] = [];
    resources.add(() => {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const run = (mode: string) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', script, path, broker.url, id, mode, TEST_HUB_KEY.publicKeyBase64],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      children.push(child);
      return child;
    };

    const first = run('append');
    let reported = 0;
    first.stdout!.on('data', (chunk: Buffer) => {
      const lines = chunk.toString().trim().split('\n');
      reported = Number(lines[lines.length - 1]);
    });
    await waitFor('delivery under way', () => hub.arrivals.length > 300 && reported > 500, 60_000);
    const exited = new Promise((resolve) => first.on('exit', resolve));
    first.kill('SIGKILL');
    await exited;

    const peek = new Outbox(path, { logger: silent });
    const total = peek.lastSeq;
    const waiting = peek.depth();
    peek.close();
    expect(total).toBeGreaterThanOrEqual(reported);

    run('drain');
    await waitFor('all acknowledged', () => hub.ackedUpTo === total, 60_000);
    expect(hub.invalid).toEqual([]);
    expect(hub.uniqueSeqs()).toEqual(range(total));
    for (const [seq, event] of hub.stored) expect(event).toEqual(crossing(seq));
    // the child deletes on the ack it receives just after the hub sent it
    await waitFor('outbox empty', () => depthOnDisk(path) === 0);
    expect(waiting).toBeGreaterThan(0);
    expect(hub.arrivals.length).toBeGreaterThan(total); // some were sent twice, stored once
  });
});
