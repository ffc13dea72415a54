/**
 * PostgreSQL goes away while events flow and comes back. The database is a private server this test
 * starts (initdb + pg_ctl on a free port), the hub is `oskartrack-hub serve` in its own process, and the
 * box is the agent's outbox and link fed directly. Proves: nothing is acknowledged that was not stored
 * (every ack covers only rows committed before it), the outbox holds everything past that point during
 * the outage, nothing is lost or stored twice after the restart, and the hub process keeps running.
 */
import { join } from 'node:path';
import { publicKeyFromBase64 } from '@oskartrack/protocol/signing';
import { afterEach, describe, expect, it } from 'vitest';
import { Link } from '../../../agent/src/link/link.ts';
import { Outbox } from '../../../agent/src/outbox/outbox.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createRepositories } from '../../src/db/repositories/index.ts';
import { loadOrCreateSigningKey } from '../../src/identity/signing-key.ts';
import { enrolledDevice } from '../broker/helpers.ts';
import {
  crossing,
  freePort,
  HUB_BIN,
  PrivatePostgres,
  Resources,
  range,
  silent,
  sleep,
  spawnNode,
  storedSeqsAt,
  tempDir,
  waitFor,
} from './helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

/** The outbox, recording each acknowledgement the link applies. */
class RecordingOutbox extends Outbox {
  readonly acks: { seq: number; at: number }[] = [];
  override ackUpTo(seq: number): number {
    this.acks.push({ seq, at: Date.now() });
    return super.ackUpTo(seq);
  }
  maxAck(before = Number.POSITIVE_INFINITY): number {
    return this.acks.filter((a) => a.at < before).reduce((m, a) => Math.max(m, a.seq), 0);
  }
}

async function health(url: string): Promise<{ status: number; body: { database?: { ok: boolean } } }> {
  const res = await fetch(new URL('/api/health', url), { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as { database?: { ok: boolean } } };
}

describe('database outage', () => {
  it('acknowledges only what is stored, holds the rest in the outbox, and loses nothing', async () => {
    const started = Date.now();
    const pg = await PrivatePostgres.start(resources);
    const hubDir = tempDir(resources, 'hub');

    // The store, a box with its credential, a camera and a line, in the private database.
    const handle = await openDatabase({ databaseUrl: pg.url, dataDir: hubDir });
    await handle.migrate();
    const repos = createRepositories(handle.db);
    const box = await enrolledDevice(repos, 'box');
    const camera = await repos.cameras.create({
      storeId: box.store.id,
      deviceId: box.id,
      name: 'Entrance',
      source: 'rtsp://10.0.0.8/stream',
      frameWidth: 640,
      frameHeight: 480,
    });
    const line = await repos.zones.createLine({
      cameraId: camera.id,
      name: 'Door',
      start: [0, 240],
      end: [640, 240],
      inSide: 'left',
    });
    await handle.close();

    // The hub in its own process; its signing key made here first, as the box needs the public half.
    const signingKey = await loadOrCreateSigningKey(hubDir);
    const [port, mqttPort] = [await freePort(), await freePort()];
    const hub = spawnNode(
      resources,
      HUB_BIN,
      ['serve', '--insecure', '--host', '127.0.0.1', '--port', String(port), '--mqtt-port', String(mqttPort)],
      { DATABASE_URL: pg.url, OSKARTRACK_DATA_DIR: hubDir },
    );
    const hubUrl = `http://127.0.0.1:${port}`;
    const why = () => `hub output:\n${hub.stdout().slice(-6000)}\n${hub.stderr().slice(-3000)}`;
    await waitFor('the hub running', () => hub.stdout().includes('OskarTrack is running'), 60_000, 100).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${why()}`);
      },
    );

    // The box.
    const outbox = new RecordingOutbox(join(tempDir(resources, 'box'), 'outbox.sqlite'), {
      logger: silent,
      synchronous: 'normal',
    });
    resources.add(() => outbox.close());
    const link = new Link({
      url: `mqtt://127.0.0.1:${mqttPort}`,
      deviceId: box.id,
      secret: box.secret,
      software: 'system-test',
      outbox,
      hubKey: publicKeyFromBase64(signingKey.publicKeyBase64),
      batchSize: 40,
      window: 3,
      ackTimeoutMs: 1000,
      reconnectPeriodMs: 200,
      logger: silent,
    });
    await link.start();
    resources.add(() => link.stop());
    let appending = true;
    const appender = (async () => {
      while (appending) {
        const n = 1 + (outbox.lastSeq % 3);
        outbox.append(
          Array.from({ length: n }, (_, i) => crossing(camera.id, line.id, outbox.lastSeq + 1 + i)),
        );
        await sleep(5);
      }
    })();
    await waitFor('events delivered', () => link.state().ackedUpTo >= 300, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${why()}`);
    });

    // The database stops while events flow.
    await pg.stop('fast');
    const stoppedAt = Date.now();
    await sleep(1000); // acks of commits made just before the stop may still be on their way
    const ackAtStop = outbox.maxAck();
    const acksAtStop = outbox.acks.length;
    const samples: { firstSeq: number; lastSeq: number; depth: number }[] = [];
    while (Date.now() - stoppedAt < 5000) {
      samples.push({ firstSeq: outbox.firstSeq() ?? 0, lastSeq: outbox.lastSeq, depth: outbox.depth() });
      await sleep(100);
    }
    const during = await health(hubUrl);
    expect(during.status).toBe(503);
    expect(during.body.database?.ok).toBe(false);
    expect(hub.alive()).toBe(true);
    expect(hub.stdout()).toContain('database error while storing events: not acknowledged, will retry');
    // No acknowledgement while the database was down; the outbox holds everything past the last one.
    expect(outbox.acks.length).toBe(acksAtStop);
    for (const s of samples) {
      expect(s.firstSeq).toBe(ackAtStop + 1);
      expect(s.depth).toBe(s.lastSeq - ackAtStop);
    }
    const last = samples[samples.length - 1]!;
    expect(last.depth).toBeGreaterThan(samples[0]!.depth); // the box kept counting

    // It comes back.
    const restartAt = new Date();
    await pg.start();
    await sleep(1000);
    appending = false;
    await appender;
    const total = outbox.lastSeq;
    await waitFor(
      'everything acknowledged',
      () => link.state().ackedUpTo === total && outbox.depth() === 0,
      40_000,
      50,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (acked ${link.state().ackedUpTo} of ${total})\n${why()}`);
    });

    const after = await storedSeqsAt(pg.url, box.id);
    expect(after.seqs).toEqual(range(1, total));
    expect(after.entries).toBe(total); // each crossing counted once in the hourly numbers
    // Every ack received before the restart covers only rows committed before the restart...
    const before = await storedSeqsAt(pg.url, box.id, restartAt);
    const ackedBefore = outbox.maxAck(restartAt.getTime());
    expect(ackedBefore).toBe(ackAtStop);
    expect(before.seqs.slice(0, ackedBefore)).toEqual(range(1, ackedBefore));
    // ...and during the outage the outbox held every seq the database did not have.
    const missing = range(1, last.lastSeq).find((seq, i) => before.seqs[i] !== seq) ?? last.lastSeq + 1;
    expect(last.firstSeq).toBeLessThanOrEqual(missing);
    expect(missing).toBeGreaterThan(ackAtStop);

    // The hub went on working.
    expect(hub.alive()).toBe(true);
    const recovered = await health(hubUrl);
    expect(recovered.status).toBe(200);
    expect(recovered.body.database?.ok).toBe(true);
    await hub.stop();
    expect(await hub.exited).toEqual({ code: 0, signal: null });
    expect(hub.stderr()).not.toMatch(/uncaught|unhandled/i);

    console.info(
      `database outage: ${restartAt.getTime() - stoppedAt} ms down, ${total} events, ` +
        `${total - ackAtStop} after the last ack before the outage, all stored exactly once in ${Date.now() - started} ms`,
    );
  }, 150_000);
});
