/**
 * What the delivery tests share: alerts and deliveries written straight into the tables (as the
 * alert engine does), a clock the worker reads, and a real HTTP webhook receiver that checks the
 * signature the way the README tells receivers to.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertKind } from '@oskartrack/protocol';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import type { Db } from '../../../src/db/database.ts';
import type { Repositories } from '../../../src/db/repositories/index.ts';
import { alertDeliveries, alertRules, alerts } from '../../../src/db/schema.ts';
import { uid } from '../../db/backends.ts';

export const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** An alert rule of a store (the worker never reads it; alerts need one). */
export async function insertRule(db: Db, storeId: string) {
  const [rule] = await db
    .insert(alertRules)
    .values({
      storeId,
      kind: 'picture_changed',
      threshold: 0,
      channels: { email: [], webhook: null, mqtt: false },
    })
    .returning();
  return rule!;
}

/** A store called `name` with one rule. */
export async function seedStoreWithRule(repos: Repositories, db: Db, name: string, timezone = 'UTC') {
  const store = await repos.stores.create({ id: `store-${uid()}`, name, timezone });
  return { store, rule: await insertRule(db, store.id) };
}

export interface AlertInput {
  storeId: string;
  ruleId: string;
  message: string;
  kind?: AlertKind;
  subject?: string;
  group?: string;
  cleared?: boolean;
  firedAt?: Date;
}

export async function insertAlert(db: Db, a: AlertInput) {
  const firedAt = a.firedAt ?? new Date();
  const [row] = await db
    .insert(alerts)
    .values({
      ruleId: a.ruleId,
      storeId: a.storeId,
      kind: a.kind ?? 'picture_changed',
      subject: a.subject ?? `cam-${uid()}`,
      state: a.cleared ? 'cleared' : 'firing',
      message: a.message,
      details: a.group ? { group: a.group } : {},
      firedAt,
      clearedAt: a.cleared ? new Date(firedAt.getTime() + 60_000) : null,
    })
    .returning();
  return row!;
}

export async function insertDelivery(
  db: Db,
  alertId: string,
  channel: 'email' | 'webhook' | 'mqtt',
  target: string,
  extra: { event?: 'firing' | 'cleared'; nextAttemptAt?: Date; createdAt?: Date } = {},
) {
  const [row] = await db
    .insert(alertDeliveries)
    .values({
      alertId,
      channel,
      target,
      event: extra.event ?? 'firing',
      // Due a second ago by this process's clock: the database's own now() has microseconds, and a
      // worker whose clock is taken in the same millisecond would not see it due yet.
      nextAttemptAt: extra.nextAttemptAt ?? new Date(Date.now() - 1000),
      ...(extra.createdAt ? { createdAt: extra.createdAt } : {}),
    })
    .returning();
  return row!;
}

export async function delivery(db: Db, id: string) {
  const [row] = await db.select().from(alertDeliveries).where(eq(alertDeliveries.id, id));
  if (!row) throw new Error(`no delivery ${id}`);
  return row;
}

/** A clock the worker reads; starts at the real time (the rows' defaults use the database's). */
export function testClock(start = Date.now()) {
  const c = {
    t: start,
    now: () => c.t,
    advance(ms: number) {
      c.t += ms;
    },
  };
  return c;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ReceivedPost {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Whether the signature matched the secret the receiver was given. */
  signatureOk: boolean;
}

/** A webhook receiver's check: HMAC-SHA256 over `${timestamp}.${body}`, compared in constant time. */
export function verifySignature(secret: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
  );
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A webhook receiver on a free port: answers each POST with the next status of `answers` (the last
 * one repeats), or per path through `route`; records what it got.
 */
export async function startReceiver(secret: () => Promise<string>, answers: number[] = [200]) {
  const received: ReceivedPost[] = [];
  const route = new Map<string, (res: import('node:http').ServerResponse) => void>();
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-oskartrack-timestamp'] ?? '');
      const signature = String(req.headers['x-oskartrack-signature'] ?? '');
      const signatureOk = verifySignature(await secret(), timestamp, body, signature);
      received.push({ path: req.url ?? '', headers: req.headers, body, signatureOk });
      const special = route.get(req.url ?? '');
      if (special) return special(res);
      res.statusCode = answers[Math.min(n++, answers.length - 1)]!;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    route,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function newGroup(): string {
  return randomUUID();
}
