/**
 * What the alert engine of `serve` reads from the live feed: each unit's latest status with when the
 * hub received it on its own clock, so the conditions can correct a unit whose clock is off.
 */
import type { DeviceStatus } from '@oskartrack/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heardStatusOf } from '../../src/alerts/plugin.ts';
import { LiveFeed } from '../../src/live/feed.ts';
import { openTestDatabase, seedStore, type TestDatabase } from '../db/backends.ts';

const HOUR = 3_600_000;

describe('the alert engine’s view of the live feed', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase('pglite');
  });
  afterAll(() => t?.close());

  it('gives each status with the hub’s time of receipt, not the unit’s', async () => {
    const s = await seedStore(t.repos, 'Clock');
    let clock = Date.parse('2026-03-01T13:00:00Z');
    const live = new LiveFeed({ repos: t.repos, log: pino({ level: 'silent' }), now: () => clock });
    try {
      const statusOf = heardStatusOf(live);
      expect(statusOf(s.device.id)).toBeUndefined();
      const status: DeviceStatus = {
        v: 1,
        state: 'online',
        at: clock - HOUR, // the unit's clock is an hour behind
        connection: 1,
        software: 'test',
        configRevision: 1,
        outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 },
        cameras: [],
      };
      live.deviceStatus(s.device.id, status);
      expect(statusOf(s.device.id)).toEqual({ status, receivedAt: clock });
      clock += 60_000;
      const next = { ...status, at: status.at + 60_000 };
      live.deviceStatus(s.device.id, next);
      expect(statusOf(s.device.id)).toEqual({ status: next, receivedAt: clock });
    } finally {
      live.close();
    }
  });
});
