/**
 * Two hub processes on one PostgreSQL and one private Mosquitto (dynamic security, the boxes' own
 * accounts), splitting the ingest through the shared subscription. A box (the agent's own link over
 * its own outbox) sends a backlog of a few thousand events; one hub is killed (SIGKILL) midway. Every
 * seq must be stored exactly once and the box's outbox must drain; the dashboards of the surviving hub
 * get every event, whichever hub stored it, once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Link } from '@oskartrack/agent/link/link';
import { Outbox } from '@oskartrack/agent/outbox/outbox';
import type { ServerMessage, TrackingEvent } from '@oskartrack/protocol';
import { publicKeyFromBase64 } from '@oskartrack/protocol/signing';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { queryRows } from '../../src/db/database.ts';
import { openTestDatabase, type TestDatabase } from '../db/backends.ts';
import { type DynsecMosquitto, startDynsecMosquitto } from '../support/mosquitto-dynsec.ts';
import { waitFor } from '../system/helpers.ts';
import { type Box, type Cluster, enrollBox, signIn, startHubs } from './processes.ts';

const BACKLOG = 3000;

/** The seqs of every `events` message a dashboard socket got, in order. */
async function dashboard(url: string, token: string): Promise<{ seqs: number[]; close: () => void }> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws?token=${token}`);
  const seqs: number[] = [];
  socket.on('message', (data) => {
    const m = JSON.parse(data.toString()) as ServerMessage;
    if (m.type === 'events') seqs.push(...m.events.map((e) => e.seq));
    if (m.type === 'dropped') throw new Error('the dashboard read too slowly: events were dropped');
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { seqs, close: () => socket.close() };
}

describe('a hub killed while ingesting', () => {
  let t: TestDatabase;
  let broker: DynsecMosquitto;
  let cluster: Cluster;
  let workDir: string;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'oskartrack-cluster-'));
    t = await openTestDatabase('postgres');
    broker = await startDynsecMosquitto();
    cluster = await startHubs(t, broker, workDir, 2);
  }, 300_000);

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await cluster?.stop();
    await broker?.stop();
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  }, 120_000);

  function startBox(box: Box): { link: Link; outbox: Outbox } {
    const outbox = new Outbox(':memory:', { logger: pino({ level: 'silent' }) });
    const t0 = Date.now() - 3_600_000;
    const events: TrackingEvent[] = [];
    for (let i = 0; events.length < BACKLOG; i++) {
      const at = t0 + i * 1000;
      const trackId = i + 1;
      events.push({ kind: 'track_started', cameraId: box.cameraId, at, trackId, box: [10, 20, 30, 60] });
      events.push({
        kind: 'track_ended',
        cameraId: box.cameraId,
        at: at + 500,
        trackId,
        firstSeen: at,
        durationMs: 500,
      });
    }
    outbox.append(events.slice(0, BACKLOG));
    const link = new Link({
      url: box.mqttUrl,
      deviceId: box.deviceId,
      secret: box.secret,
      software: 'oskartrack-cluster-test',
      outbox,
      hubKey: publicKeyFromBase64(box.hubKey),
      // Small batches, few in flight: the kill comes while most of the backlog is still to send.
      batchSize: 25,
      window: 2,
      ackTimeoutMs: 3000,
      logger: pino({ level: 'silent' }),
    });
    return { link, outbox };
  }

  it('loses nothing and stores nothing twice; the survivor’s dashboards get every event once', async () => {
    const [a, b] = cluster.hubs as [Cluster['hubs'][0], Cluster['hubs'][0]];
    const token = await signIn(a.url, cluster.admin);
    const box = await enrollBox(a.url, token);
    const survivor = await dashboard(a.url, token);
    const doomed = await dashboard(b.url, token);
    cleanups.push(
      () => survivor.close(),
      () => doomed.close(),
    );
    const { link, outbox } = startBox(box);
    expect(outbox.lastSeq).toBe(BACKLOG);
    cleanups.push(async () => {
      await link.stop();
      outbox.close();
    });
    await link.start();
    // Midway: some of the backlog acknowledged, and hub B has stored (its dashboard saw events).
    await waitFor('a third acknowledged', () => link.state().ackedUpTo >= BACKLOG / 3, 180_000);
    await waitFor('hub B storing or told', () => doomed.seqs.length > 0, 60_000);
    const ackedAtKill = link.state().ackedUpTo;
    await b.kill();
    expect(ackedAtKill).toBeLessThan(BACKLOG);
    await waitFor(
      'the outbox drained',
      () => link.state().ackedUpTo === BACKLOG && outbox.stats().depth === 0,
      300_000,
    );
    const [stored] = await queryRows<{ n: number; distinct: number; lo: number; hi: number }>(
      t.db,
      sql`SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct, min(seq)::int AS lo, max(seq)::int AS hi
          FROM tracking_events WHERE device_id = ${box.deviceId}`,
    );
    expect(stored).toEqual({ n: BACKLOG, distinct: BACKLOG, lo: 1, hi: BACKLOG });
    const [progress] = await queryRows<{ acked: number }>(
      t.db,
      sql`SELECT acked_up_to::int AS acked FROM device_progress WHERE device_id = ${box.deviceId}`,
    );
    expect(progress?.acked).toBe(BACKLOG);
    // Hub A's dashboard: every event once, those hub B stored (before it died) included.
    await waitFor('every event on hub A’s dashboard', () => survivor.seqs.length >= BACKLOG, 60_000);
    expect([...survivor.seqs].sort((x, y) => x - y)).toEqual(
      Array.from({ length: BACKLOG }, (_, i) => i + 1),
    );
  }, 600_000);
});
