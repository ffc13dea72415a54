/**
 * The fleet simulator, small: 5 boxes on 2 hubs (real `oskartrack-hub serve` processes, a private
 * Mosquitto with dynamic security, the test PostgreSQL in a fresh schema), a few hundred events, a
 * broker outage; every seq of every box must be stored exactly once. Also the check itself: it must
 * see a gap and a copy.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExactlyOnce, exactlyOnceHolds } from '../../bench/fleet/exactly-once.ts';
import { DEFAULT_OPTIONS } from '../../bench/fleet/options.ts';
import { runFleet } from '../../bench/fleet/run.ts';
import { TEST_DATABASE_URL } from '../db/backends.ts';

const say = (line: string) => {
  if (process.env.FLEET_TEST_LOG) process.stdout.write(`${line}\n`);
};

describe('fleet simulator', () => {
  it('stores every event of 5 boxes on 2 hubs exactly once through a broker outage', async () => {
    const report = await runFleet({
      ...DEFAULT_OPTIONS,
      boxes: 5,
      hubs: 2,
      threads: 1,
      steadySeconds: 4,
      speed: 10,
      outageShopMinutes: 1,
      outageSeconds: 2,
      dashboards: 4,
      dashboardShops: 2,
      fanOutGraceSeconds: 3,
      drainTimeoutSeconds: 90,
      databaseUrl: TEST_DATABASE_URL,
      // The boxes' own ack time-out (30 s): after the broker restart they wait for a hub's online.
      link: {},
      say,
    });
    const e = report.exactlyOnce;
    expect(e.devices).toBe(5);
    // A shop minute at the peak is 160 events a box, on top of the steady phase.
    expect(e.expected).toBeGreaterThan(5 * 160);
    expect(report.outage.backlog).toBeGreaterThan(0);
    expect(e.wrong).toEqual([]);
    expect(exactlyOnceHolds(e)).toBe(true);
    expect(e.stored).toBe(e.expected);
    expect(report.refusedByBoxes).toBe(0);
    expect(report.hubStates.every((h) => h.alive)).toBe(true);
    expect(report.steady.publishToAck.n).toBeGreaterThan(0);
    const delivered = (report.steady.fanOut ?? []).reduce((n, f) => n + f.delivered, 0);
    expect(delivered).toBeGreaterThan(0);
  }, 240_000);
});

describe('exactly-once check', () => {
  const schema = `fleet_check_${randomBytes(4).toString('hex')}`;
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    await client.query('CREATE TABLE tracking_events (device_id text NOT NULL, seq bigint NOT NULL)');
    await client.query('CREATE TABLE dead_letters (device_id text NOT NULL, seq bigint NOT NULL)');
  });
  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('sees a gap, a copy across the two tables and a seq never handed out', async () => {
    // a: 1..4 whole (3 as a dead letter); b: 2 missing, 3 twice; c: 1..2 and a 3 it never made.
    await client.query(
      `INSERT INTO tracking_events VALUES ('a',1),('a',2),('a',4),('b',1),('b',3),('c',1),('c',2),('c',3)`,
    );
    await client.query(`INSERT INTO dead_letters VALUES ('a',3),('b',3)`);
    const r = await checkExactlyOnce(
      client,
      new Map([
        ['a', 4],
        ['b', 3],
        ['c', 2],
      ]),
    );
    expect(r).toMatchObject({ expected: 9, stored: 10, missing: 1, duplicates: 1, unexpected: 1 });
    expect(r.wrong.map((w) => w.deviceId).sort()).toEqual(['b', 'c']);
    expect(exactlyOnceHolds(r)).toBe(false);
    const whole = await checkExactlyOnce(client, new Map([['a', 4]]));
    expect(exactlyOnceHolds(whole)).toBe(true);
  });
});
