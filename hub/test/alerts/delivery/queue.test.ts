/**
 * The deliveries table as a shared work queue on real PostgreSQL: a row another hub process holds is
 * skipped (not waited for), two claims never share a row, a claim keeps the row until its lease ends.
 */
import { inArray } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimDue, markDelivered, markFailed } from '../../../src/alerts/delivery/queue.ts';
import { GIVEN_UP_AT } from '../../../src/alerts/delivery/schedule.ts';
import { alertDeliveries } from '../../../src/db/schema.ts';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../db/backends.ts';
import { insertAlert, insertDelivery, seedStoreWithRule } from './support.ts';

let t: TestDatabase;
let demo: Awaited<ReturnType<typeof seedStoreWithRule>>;
beforeAll(async () => {
  t = await openTestDatabase('postgres');
  demo = await seedStoreWithRule(t.repos, t.db, 'Demo store');
});
afterAll(() => t?.close());
beforeEach(async () => {
  await t.db.delete(alertDeliveries);
});

async function deliveries(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = await insertAlert(t.db, {
      storeId: demo.store.id,
      ruleId: demo.rule.id,
      message: `Problem ${i}.`,
    });
    ids.push((await insertDelivery(t.db, a.id, 'email', `p${i}@shop.example`)).id);
  }
  return ids;
}

const soon = () => new Date(Date.now() + 1000);
const lease = (from: Date) => new Date(from.getTime() + 300_000);

describe('delivery queue', () => {
  it('skips rows another process holds instead of waiting for them', async () => {
    const ids = await deliveries(6);
    const other = new pg.Client({
      connectionString: TEST_DATABASE_URL,
      options: `-c search_path=${t.schema}`,
    });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM alert_deliveries WHERE id = ANY($1) FOR UPDATE', [ids.slice(0, 4)]);
      const now = soon();
      const claimed = await claimDue(t.db, now, lease(now), 100);
      expect(claimed.map((d) => d.id).sort()).toEqual(ids.slice(4).sort());
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
  });

  it('two claims at once never share a row, and together take every due row', async () => {
    const ids = await deliveries(20);
    const now = soon();
    const [a, b] = await Promise.all([
      claimDue(t.db, now, lease(now), 12),
      claimDue(t.db, now, lease(now), 12),
    ]);
    const aIds = a!.map((d) => d.id);
    const bIds = b!.map((d) => d.id);
    expect(aIds.filter((id) => bIds.includes(id))).toEqual([]);
    expect([...aIds, ...bIds].sort()).toEqual([...ids].sort());
  });

  it('a claimed row is due again only when its lease ends; delivered and given-up rows never', async () => {
    const [held, delivered, givenUp] = await deliveries(3);
    const now = soon();
    await markDelivered(t.db, [delivered!], now);
    await markFailed(t.db, [givenUp!], 'the webhook at x answered 500', null);
    const first = await claimDue(t.db, now, lease(now), 100);
    expect(first.map((d) => d.id)).toEqual([held]);
    expect(first[0]).toMatchObject({ channel: 'email', event: 'firing', store: { name: 'Demo store' } });
    expect(await claimDue(t.db, new Date(now.getTime() + 299_000), lease(now), 100)).toEqual([]);
    const later = new Date(now.getTime() + 300_000);
    expect((await claimDue(t.db, later, lease(later), 100)).map((d) => d.id)).toEqual([held]);
    const [row] = await t.db
      .select()
      .from(alertDeliveries)
      .where(inArray(alertDeliveries.id, [givenUp!]));
    expect(row?.nextAttemptAt.getTime()).toBe(GIVEN_UP_AT.getTime());
    expect(row?.lastError).toBe('Gave up after 24 hours: the webhook at x answered 500');
  });

  it('holds a clearing back while its firing waits for a retry, and sends it once the firing is done', async () => {
    const a = await insertAlert(t.db, { storeId: demo.store.id, ruleId: demo.rule.id, message: 'Covered.' });
    const hook = 'https://hooks.example.com/a';
    const now = soon();
    const retry = new Date(now.getTime() + 60_000);
    const fired = await insertDelivery(t.db, a.id, 'webhook', hook, { nextAttemptAt: retry });
    const cleared = await insertDelivery(t.db, a.id, 'webhook', hook, { event: 'cleared' });
    // Another receiver's firing does not hold this clearing back, nor this one's that one's.
    const other = await insertDelivery(t.db, a.id, 'mqtt', '', { event: 'cleared' });
    expect((await claimDue(t.db, now, lease(now), 100)).map((d) => d.id)).toEqual([other.id]);
    const atRetry = new Date(retry.getTime() + 1000);
    const firstRetry = await claimDue(t.db, atRetry, lease(atRetry), 100);
    expect(firstRetry.map((d) => d.id)).toEqual([fired.id]);
    await markDelivered(t.db, [fired.id], atRetry);
    const after = await claimDue(t.db, atRetry, lease(atRetry), 100);
    expect(after.map((d) => [d.id, d.event])).toEqual([[cleared.id, 'cleared']]);
  });

  it('sends a clearing whose firing was given up', async () => {
    const a = await insertAlert(t.db, { storeId: demo.store.id, ruleId: demo.rule.id, message: 'Dark.' });
    const now = soon();
    const fired = await insertDelivery(t.db, a.id, 'email', 'owner@shop.example', {
      nextAttemptAt: new Date(now.getTime() + 60_000),
    });
    const cleared = await insertDelivery(t.db, a.id, 'email', 'owner@shop.example', { event: 'cleared' });
    expect(await claimDue(t.db, now, lease(now), 100)).toEqual([]);
    await markFailed(t.db, [fired.id], 'the mail server refused the message', null);
    expect((await claimDue(t.db, now, lease(now), 100)).map((d) => d.id)).toEqual([cleared.id]);
  });
});
