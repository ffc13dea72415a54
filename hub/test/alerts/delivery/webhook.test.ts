/**
 * Webhooks to a real HTTP receiver (node:http) that checks the signature as the README says: a 500
 * then a 200 (retried with backoff), the JSON body, redirects, a receiver that never answers.
 */
import { AlertNotice, check } from '@oskartrack/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../../../src/alerts/delivery/index.ts';
import { webhookSecret } from '../../../src/alerts/delivery/signing-secret.ts';
import { alertDeliveries } from '../../../src/db/schema.ts';
import { createMailer } from '../../../src/mail/mailer.ts';
import { openTestDatabase, type TestDatabase } from '../../db/backends.ts';
import {
  delivery,
  insertAlert,
  insertDelivery,
  seedStoreWithRule,
  silent,
  startReceiver,
  testClock,
  verifySignature,
} from './support.ts';

let t: TestDatabase;
let demo: Awaited<ReturnType<typeof seedStoreWithRule>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  t = await openTestDatabase('postgres');
  demo = await seedStoreWithRule(t.repos, t.db, 'Demo store');
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.db.delete(alertDeliveries);
});

function worker(clock: ReturnType<typeof testClock>, webhookTimeoutMs?: number) {
  return new DeliveryWorker({
    db: t.db,
    mailer: createMailer(t.repos.settings),
    log: silent,
    now: clock.now,
    random: () => 0,
    ...(webhookTimeoutMs ? { webhookTimeoutMs } : {}),
  });
}

let serial = 0;
async function webhookDelivery(url: string, event: 'firing' | 'cleared' = 'firing') {
  const alert = await insertAlert(t.db, {
    storeId: demo.store.id,
    ruleId: demo.rule.id,
    message: "The Front door camera's picture looks covered.",
    subject: `cam-front-door-${++serial}`,
    cleared: event === 'cleared',
  });
  return { alert, d: await insertDelivery(t.db, alert.id, 'webhook', url, { event }) };
}

describe('webhook delivery', () => {
  it('retries after a 500 and is delivered by the 200: signed JSON, the same delivery id each time', async () => {
    receiver = await startReceiver(() => webhookSecret(t.db), [500, 200]);
    try {
      const { alert, d } = await webhookDelivery(`${receiver.url}/alerts`);
      const clock = testClock(Date.now() + 1000);
      const w = worker(clock);
      await w.runOnce();
      const failed = await delivery(t.db, d.id);
      expect(failed.attempts).toBe(1);
      expect(failed.deliveredAt).toBeNull();
      expect(failed.lastError).toBe(
        `the webhook at 127.0.0.1:${receiver.port} answered 500 Internal Server Error`,
      );

      clock.advance(30_000);
      await w.runOnce();
      const done = await delivery(t.db, d.id);
      expect(done.attempts).toBe(2);
      expect(done.deliveredAt).not.toBeNull();
      expect(done.lastError).toBeNull();

      expect(receiver.received).toHaveLength(2);
      const secret = await webhookSecret(t.db);
      for (const post of receiver.received) {
        expect(post.signatureOk).toBe(true);
        expect(post.headers['content-type']).toBe('application/json');
        expect(post.headers['x-oskartrack-delivery']).toBe(d.id);
        const ts = String(post.headers['x-oskartrack-timestamp']);
        // Another secret does not make the same signature.
        expect(
          verifySignature('f'.repeat(64), ts, post.body, String(post.headers['x-oskartrack-signature'])),
        ).toBe(false);
        expect(secret).not.toBe('f'.repeat(64));
      }
      expect(receiver.received[1]?.headers['x-oskartrack-timestamp']).toBe(
        String(Math.floor(clock.t / 1000)),
      );
      const body = JSON.parse(receiver.received[1]!.body);
      expect(check(AlertNotice, body).ok).toBe(true);
      expect(body).toEqual({
        id: alert.id,
        storeId: demo.store.id,
        storeName: 'Demo store',
        kind: 'picture_changed',
        subject: alert.subject,
        state: 'firing',
        message: "The Front door camera's picture looks covered.",
        firedAt: alert.firedAt.toISOString(),
        clearedAt: null,
      });
    } finally {
      await receiver.close();
    }
  });

  it('a clearing says "cleared" with its time', async () => {
    receiver = await startReceiver(() => webhookSecret(t.db));
    try {
      const { alert } = await webhookDelivery(`${receiver.url}/alerts`, 'cleared');
      await worker(testClock(Date.now() + 1000)).runOnce();
      const body = JSON.parse(receiver.received[0]!.body);
      expect(body.state).toBe('cleared');
      expect(body.clearedAt).toBe(alert.clearedAt?.toISOString());
      expect(receiver.received[0]?.signatureOk).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('never follows a redirect to another host; follows one on the same host', async () => {
    receiver = await startReceiver(() => webhookSecret(t.db));
    const other = await startReceiver(() => webhookSecret(t.db));
    try {
      receiver.route.set('/moved-away', (res) => {
        res.writeHead(307, { location: `http://localhost:${other.port}/steal` }).end();
      });
      receiver.route.set('/moved-here', (res) => {
        res.writeHead(308, { location: '/new-place' }).end();
      });
      const away = await webhookDelivery(`${receiver.url}/moved-away`);
      const here = await webhookDelivery(`${receiver.url}/moved-here`);
      await worker(testClock(Date.now() + 1000)).runOnce();

      expect(other.received).toHaveLength(0);
      const refused = await delivery(t.db, away.d.id);
      expect(refused.deliveredAt).toBeNull();
      expect(refused.lastError).toMatch(/answered with a redirect \(307\) that is not followed/);
      expect((await delivery(t.db, here.d.id)).deliveredAt).not.toBeNull();
      expect(receiver.received.map((r) => r.path)).toContain('/new-place');
    } finally {
      await other.close();
      await receiver.close();
    }
  });

  it('a receiver that does not answer in time fails with words and is retried', async () => {
    receiver = await startReceiver(() => webhookSecret(t.db));
    try {
      receiver.route.set('/silent', () => undefined); // never answers
      const { d } = await webhookDelivery(`${receiver.url}/silent`);
      await worker(testClock(Date.now() + 1000), 300).runOnce();
      const row = await delivery(t.db, d.id);
      expect(row.deliveredAt).toBeNull();
      expect(row.attempts).toBe(1);
      expect(row.lastError).toBe(`the webhook at 127.0.0.1:${receiver.port} did not answer within 0.3 s`);
    } finally {
      await receiver.close();
    }
  });

  it('keeps a password in the address out of the error and off the wire', async () => {
    receiver = await startReceiver(() => webhookSecret(t.db));
    try {
      const { d } = await webhookDelivery(`http://user:hunter2-secret@127.0.0.1:${receiver.port}/x`);
      await worker(testClock(Date.now() + 1000)).runOnce();
      const row = await delivery(t.db, d.id);
      expect(row.lastError).toMatch(/holds a user name or password, which is not sent: remove it/);
      expect(row.lastError).not.toContain('hunter2');
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});
