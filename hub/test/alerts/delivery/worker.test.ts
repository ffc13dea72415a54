/**
 * The delivery worker on a real database (PostgreSQL and PGlite) sending e-mail to a real SMTP server
 * and webhooks to a real HTTP receiver, driven by an injected clock: words, storm grouping, retries
 * with backoff, giving up after 24 hours, and deliveries that outlive the worker that claimed them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryWorker, GIVEN_UP_AT } from '../../../src/alerts/delivery/index.ts';
import { claimDue } from '../../../src/alerts/delivery/queue.ts';
import { webhookSecret } from '../../../src/alerts/delivery/signing-secret.ts';
import { buildApp } from '../../../src/app.ts';
import { alertDeliveries } from '../../../src/db/schema.ts';
import { createMailer } from '../../../src/mail/mailer.ts';
import { EMAIL_SETTING, saveEmailSettings } from '../../../src/mail/settings.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../../db/backends.ts';
import { startTestSmtp, type TestSmtp } from '../../mail/smtp-server.ts';
import {
  delivery,
  insertAlert,
  insertDelivery,
  newGroup,
  seedStoreWithRule,
  silent,
  startReceiver,
  testClock,
  waitFor,
} from './support.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe.each(BACKENDS)('delivery worker (%s)', (kind) => {
  let t: TestDatabase;
  let smtp: TestSmtp;
  let demo: Awaited<ReturnType<typeof seedStoreWithRule>>;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    smtp = await startTestSmtp();
    demo = await seedStoreWithRule(t.repos, t.db, 'Demo store');
  });
  afterAll(async () => {
    await smtp?.close();
    await t?.close();
  });
  beforeEach(async () => {
    // Each test sees only its own deliveries (a worker claims every due row).
    await t.db.delete(alertDeliveries);
    await saveEmailSettings(t.repos.settings, smtp.settings());
  });

  function worker(clock = testClock(), extra: Partial<ConstructorParameters<typeof DeliveryWorker>[0]> = {}) {
    return new DeliveryWorker({
      db: t.db,
      mailer: createMailer(t.repos.settings),
      log: silent,
      now: clock.now,
      random: () => 0,
      ...extra,
    });
  }

  const covered = "The Front door camera's picture looks covered.";

  it('e-mails a firing alert and its clearing in plain words, each marked delivered', async () => {
    const alert = await insertAlert(t.db, { storeId: demo.store.id, ruleId: demo.rule.id, message: covered });
    const fired = await insertDelivery(t.db, alert.id, 'email', 'manager@shop.example');
    const cleared = await insertDelivery(t.db, alert.id, 'email', 'manager@shop.example', {
      event: 'cleared',
    });
    const before = smtp.received.length;
    // The clearing goes only once the firing is delivered, never before it.
    expect(await worker().runOnce()).toBe(1);
    expect(await worker().runOnce()).toBe(1);

    const mails = smtp.received.slice(before);
    expect(mails.map((m) => m.subject)).toEqual([
      "Alert in Demo store: the Front door camera's picture looks covered",
      "Cleared in Demo store: the Front door camera's picture looks covered",
    ]);
    const firing = mails.find((m) => m.subject.startsWith('Alert'))!;
    expect(firing.to).toEqual(['manager@shop.example']);
    expect(firing.body).toContain(covered);
    expect(firing.body).toContain('Store: Demo store');
    for (const id of [fired.id, cleared.id]) {
      const row = await delivery(t.db, id);
      expect(row.deliveredAt).not.toBeNull();
      expect(row.attempts).toBe(1);
      expect(row.lastError).toBeNull();
    }
  });

  it('tells a webhook "cleared" only after "firing", even when the firing waited for a retry', async () => {
    const receiver = await startReceiver(() => webhookSecret(t.db), [500, 200]);
    try {
      const clock = testClock();
      const w = worker(clock);
      const alert = await insertAlert(t.db, {
        storeId: demo.store.id,
        ruleId: demo.rule.id,
        message: covered,
      });
      const hook = `${receiver.url}/hook`;
      await insertDelivery(t.db, alert.id, 'webhook', hook, { nextAttemptAt: new Date(clock.t) });
      expect(await w.runOnce()).toBe(1); // the receiver fails: tried again in 30 s
      // The alert clears meanwhile: its clearing is due now, its firing not yet.
      const due = { event: 'cleared' as const, nextAttemptAt: new Date(clock.t) };
      await insertDelivery(t.db, alert.id, 'webhook', hook, due);
      expect(await w.runOnce()).toBe(0);
      clock.advance(31_000);
      expect(await w.runOnce()).toBe(1);
      expect(await w.runOnce()).toBe(1);
      const states = receiver.received.map((r) => (JSON.parse(r.body) as { state: string }).state);
      expect(states).toEqual(['firing', 'firing', 'cleared']);
    } finally {
      await receiver.close();
    }
  });

  it('sends a storm as one message per address: "7 problems in Demo store"', async () => {
    const group = newGroup();
    const messages = Array.from({ length: 7 }, (_, i) => `Camera ${i + 1} stopped sending pictures.`);
    const ids: string[] = [];
    for (const message of messages) {
      const a = await insertAlert(t.db, { storeId: demo.store.id, ruleId: demo.rule.id, message, group });
      ids.push((await insertDelivery(t.db, a.id, 'email', 'owner@shop.example')).id);
      ids.push((await insertDelivery(t.db, a.id, 'email', 'tech@shop.example')).id);
    }
    const lone = await insertAlert(t.db, { storeId: demo.store.id, ruleId: demo.rule.id, message: covered });
    ids.push((await insertDelivery(t.db, lone.id, 'email', 'owner@shop.example')).id);
    const before = smtp.received.length;

    await worker().runOnce();

    const mails = smtp.received.slice(before);
    expect(mails).toHaveLength(3);
    const storm = mails.filter((m) => m.subject === '7 problems in Demo store');
    expect(storm.map((m) => m.to[0]).sort()).toEqual(['owner@shop.example', 'tech@shop.example']);
    for (const m of storm) for (const message of messages) expect(m.body).toContain(message);
    expect(mails.filter((m) => m.subject.startsWith('Alert in Demo store'))).toHaveLength(1);
    for (const id of ids) expect((await delivery(t.db, id)).deliveredAt).not.toBeNull();
  });

  it('retries a failed e-mail after 30 s with the reason kept, and delivers once e-mail works', async () => {
    await t.repos.settings.set(EMAIL_SETTING, { unset: true });
    const alert = await insertAlert(t.db, { storeId: demo.store.id, ruleId: demo.rule.id, message: covered });
    const d = await insertDelivery(t.db, alert.id, 'email', 'manager@shop.example');
    const clock = testClock(Date.now() + 1000);
    const w = worker(clock);
    await w.runOnce();

    const failed = await delivery(t.db, d.id);
    expect(failed.attempts).toBe(1);
    expect(failed.deliveredAt).toBeNull();
    expect(failed.lastError).toMatch(/e-mail is not set up/);
    expect(failed.nextAttemptAt.getTime()).toBe(clock.t + 30_000);

    expect(await w.runOnce()).toBe(0); // not due yet
    await saveEmailSettings(t.repos.settings, smtp.settings());
    clock.advance(30_000);
    const before = smtp.received.length;
    expect(await w.runOnce()).toBe(1);
    const done = await delivery(t.db, d.id);
    expect(done.attempts).toBe(2);
    expect(done.deliveredAt).not.toBeNull();
    expect(done.lastError).toBeNull();
    expect(smtp.received.length).toBe(before + 1);
  });

  it('waits 30 s doubling to at most 1 h between tries, then gives up after 24 h', async () => {
    const dead = await startReceiver(() => webhookSecret(t.db));
    await dead.close(); // nothing listens there any more
    const clock = testClock();
    const w = worker(clock);
    const alert = await insertAlert(t.db, { storeId: demo.store.id, ruleId: demo.rule.id, message: covered });
    const d = await insertDelivery(t.db, alert.id, 'webhook', `${dead.url}/hook?token=do-not-log-me`);
    const waits: number[] = [];
    let lastTry = 0;
    for (let i = 0; i < 60; i++) {
      const due = (await delivery(t.db, d.id)).nextAttemptAt.getTime();
      if (due >= GIVEN_UP_AT.getTime()) break;
      clock.t = Math.max(clock.t, due + 1); // + 1 ms: the database keeps microseconds
      lastTry = clock.t;
      expect(await w.runOnce()).toBe(1);
      const row = await delivery(t.db, d.id);
      if (row.nextAttemptAt.getTime() < GIVEN_UP_AT.getTime())
        waits.push(row.nextAttemptAt.getTime() - lastTry);
    }
    expect(waits.slice(0, 8)).toEqual([0.5, 1, 2, 4, 8, 16, 32, 60].map((m) => m * MIN));
    expect(new Set(waits.slice(7))).toEqual(new Set([HOUR]));

    const row = await delivery(t.db, d.id);
    expect(row.deliveredAt).toBeNull();
    expect(row.nextAttemptAt.getTime()).toBe(GIVEN_UP_AT.getTime());
    expect(row.lastError).toMatch(/^Gave up after 24 hours: could not reach the webhook at 127\.0\.0\.1:\d+/);
    expect(row.lastError).not.toContain('do-not-log-me');
    expect(row.attempts).toBe(waits.length + 1);
    // The last try lay within the 24 hours, and the one after it would not have.
    const end = row.createdAt.getTime() + 24 * HOUR;
    expect(lastTry).toBeLessThanOrEqual(end);
    expect(lastTry + HOUR).toBeGreaterThan(end);
    clock.t = lastTry + 48 * HOUR;
    expect(await w.runOnce()).toBe(0);
  });

  it('gives up a delivery never tried within 24 hours (the hub was down) without sending it', async () => {
    const alert = await insertAlert(t.db, { storeId: demo.store.id, ruleId: demo.rule.id, message: covered });
    const d = await insertDelivery(t.db, alert.id, 'email', 'late@shop.example');
    const before = smtp.received.length;
    const clock = testClock(Date.now() + 25 * HOUR);
    expect(await worker(clock).runOnce()).toBe(1);
    const row = await delivery(t.db, d.id);
    expect(row.deliveredAt).toBeNull();
    expect(row.lastError).toMatch(/^Gave up: not sent within 24 hours/);
    expect(row.nextAttemptAt.getTime()).toBe(GIVEN_UP_AT.getTime());
    expect(smtp.received.length).toBe(before);
  });

  it('a delivery claimed by a worker that died is sent by another once the claim runs out', async () => {
    const alert = await insertAlert(t.db, { storeId: demo.store.id, ruleId: demo.rule.id, message: covered });
    const d = await insertDelivery(t.db, alert.id, 'email', 'after-crash@shop.example');
    const clock = testClock(Date.now() + 1000);
    // The first hub claims it and stops before sending (its process ended).
    const taken = await claimDue(t.db, new Date(clock.t), new Date(clock.t + 5 * MIN), 100);
    expect(taken.map((x) => x.id)).toEqual([d.id]);
    const next = worker(clock, { leaseMs: 5 * MIN });
    expect(await next.runOnce()).toBe(0);
    clock.advance(5 * MIN);
    const before = smtp.received.length;
    expect(await next.runOnce()).toBe(1);
    expect((await delivery(t.db, d.id)).deliveredAt).not.toBeNull();
    expect(smtp.received.slice(before).map((m) => m.to[0])).toEqual(['after-crash@shop.example']);
  });

  it('wake() sends a new delivery at once instead of at the next poll', async () => {
    const w = worker(testClock(Date.now() + 1000), { pollMs: 3_600_000, now: () => Date.now() + 1000 });
    w.start();
    try {
      const alert = await insertAlert(t.db, {
        storeId: demo.store.id,
        ruleId: demo.rule.id,
        message: covered,
      });
      const d = await insertDelivery(t.db, alert.id, 'email', 'woken@shop.example');
      w.wake();
      const row = await waitFor('the woken worker to deliver', async () => {
        const r = await delivery(t.db, d.id);
        return r.deliveredAt ? r : undefined;
      });
      expect(row.attempts).toBe(1);
    } finally {
      await w.stop();
    }
  });
});

describe('a hub restart', () => {
  let t: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-delivery-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the deliveries: the restarted hub sends what the stopped one could not', async () => {
    const receiver = await startReceiver(() => webhookSecret(t.db), [500, 200]);
    const demo = await seedStoreWithRule(t.repos, t.db, 'Demo store');
    const alert = await insertAlert(t.db, {
      storeId: demo.store.id,
      ruleId: demo.rule.id,
      message: 'More than 50 people are inside.',
      kind: 'people_inside',
    });
    const d = await insertDelivery(t.db, alert.id, 'webhook', `${receiver.url}/hook`);
    const settings = { dataDir, databaseUrl: undefined, databaseSchema: undefined };
    const hub = () => buildApp({ settings, db: t.handle, jwtSecret: 'x'.repeat(40) });
    // The first hub tries once (the receiver fails), then stops.
    const first = await hub();
    await first.ready(); // the alert-delivery plugin's worker looks at once
    await waitFor('the first try', async () => (await delivery(t.db, d.id)).attempts === 1);
    await first.close();
    expect((await delivery(t.db, d.id)).deliveredAt).toBeNull();

    // The next hub finds the row and sends it when its retry is due (about 30 s later).
    const app = await hub();
    try {
      await app.ready();
      const row = await waitFor(
        'the restarted hub to deliver',
        async () => {
          const r = await delivery(t.db, d.id);
          return r.deliveredAt ? r : undefined;
        },
        90_000,
      );
      expect(row.attempts).toBe(2);
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received.every((r) => r.signatureOk)).toBe(true);
    } finally {
      await app.close();
      await receiver.close();
    }
  }, 150_000);
});
