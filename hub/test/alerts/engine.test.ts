/**
 * The alert engine on PGlite: its own timer fires what is wrong and tells `onChange`, a status change
 * (`request`) makes it look again at once, evaluations never overlap, and it stops cleanly.
 */
import type { DeviceStatus } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/engine.ts';
import type { AlertRow } from '../../src/db/repositories/index.ts';
import { openTestDatabase, seedStore, type TestDatabase } from '../db/backends.ts';

const NONE = { email: [], webhook: null, mqtt: false };
const silent = { error: () => {}, info: () => {} };

async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('alert engine', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase('pglite');
  });
  afterAll(() => t?.close());

  it('waits after its start, fires on its own timer, clears on a status change, and stops', async () => {
    const s = await seedStore(t.repos, 'Engine');
    const t0 = Date.now();
    let clock = t0;
    await t.repos.devices.touch(s.device.id, new Date(t0 - 90 * 60_000));
    const rule = await t.repos.alerts.createRule({
      storeId: s.store.id,
      kind: 'box_offline',
      threshold: 60,
      channels: NONE,
    });
    const changes: AlertRow[] = [];
    const statuses = new Map<string, DeviceStatus>();
    const engine = new AlertEngine({
      db: t.db,
      statusOf: (id) => {
        const status = statuses.get(id);
        return status && { status, receivedAt: status.at };
      },
      log: silent,
      intervalMs: 100,
      onChange: (a) => changes.push(a),
      now: () => clock,
    });
    engine.start();
    try {
      // Just started: the unit may be on its way back, so nothing fires yet.
      const first = await engine.evaluate();
      expect(first.fired.filter((a) => a.ruleId === rule.id)).toEqual([]);
      clock = t0 + 61 * 60_000;
      await until('the alert to fire', () => changes.some((a) => a.ruleId === rule.id));
      // Several more evaluations, some requested while one runs: still one alert.
      for (let i = 0; i < 5; i++) engine.request();
      const again = await Promise.all([engine.evaluate(), engine.evaluate()]);
      expect(again.flatMap((r) => r.fired).filter((a) => a.ruleId === rule.id)).toEqual([]);
      expect(changes.filter((a) => a.ruleId === rule.id)).toHaveLength(1);

      const now = clock;
      await t.repos.devices.recordStatus(
        s.device.id,
        {
          v: 1,
          state: 'online',
          at: now,
          connection: 1,
          software: 'test',
          configRevision: 1,
          outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 },
          cameras: [],
        },
        new Date(now),
      );
      engine.request();
      await until('the alert to clear', () =>
        changes.some((a) => a.ruleId === rule.id && a.state === 'cleared'),
      );
    } finally {
      await engine.stop();
    }
    const history = (await t.repos.alerts.history({ storeIds: [s.store.id] })).items;
    expect(history.map((a) => a.state)).toEqual(['cleared']);
  });
});
