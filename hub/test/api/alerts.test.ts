// `/api/alerts`: rules (managers and administrators of the store), their validation in words, and the
// history and firing alerts (everyone who sees the store), on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markDelivered, markFailed } from '../../src/alerts/delivery/queue.ts';
import { evaluateAlerts } from '../../src/alerts/evaluator.ts';
import type { AlertRuleRow } from '../../src/db/repositories/index.ts';
import { BACKENDS } from '../db/backends.ts';
import { type Fixture, openFixture } from './fixture.ts';

const channels = { email: ['owner@example.com'], webhook: 'https://hooks.example.com/a', mqtt: true };

describe.each(BACKENDS)('alert rules and history on %s', (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(kind);
  });
  afterAll(() => f?.close());

  const rules = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url = '', payload?: object) =>
    f.inject(token, { method, url: `/api/alerts/rules${url}`, ...(payload ? { payload } : {}) });

  it('lets a manager create, list, change and delete the rules of their store', async () => {
    const created = await rules(f.tokens.managerA, 'POST', '', {
      storeId: f.a.store.id,
      kind: 'people_inside',
      threshold: 50,
      channels,
    });
    expect(created.statusCode, created.body).toBe(201);
    const rule = created.json();
    expect(rule).toMatchObject({
      storeId: f.a.store.id,
      kind: 'people_inside',
      threshold: 50,
      enabled: true,
    });
    expect(rule.channels).toEqual(channels);

    const list = await rules(f.tokens.managerA, 'GET', `?storeId=${f.a.store.id}`);
    expect(list.statusCode).toBe(200);
    expect(list.json().map((r: { id: string }) => r.id)).toContain(rule.id);

    const changed = await rules(f.tokens.managerA, 'PATCH', `/${rule.id}`, { threshold: 60, enabled: false });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ id: rule.id, threshold: 60, enabled: false });
    expect(changed.json().channels).toEqual(channels);

    expect((await rules(f.tokens.managerA, 'DELETE', `/${rule.id}`)).statusCode).toBe(204);
    expect((await rules(f.tokens.managerA, 'DELETE', `/${rule.id}`)).statusCode).toBe(404);
    const after = await rules(f.tokens.managerA, 'GET', `?storeId=${f.a.store.id}`);
    expect(after.json().map((r: { id: string }) => r.id)).not.toContain(rule.id);
  });

  it("keeps viewers off the rules and managers off other stores' rules", async () => {
    const body = { storeId: f.a.store.id, kind: 'box_offline', threshold: 30 };
    expect((await rules(f.tokens.viewerA, 'POST', '', body)).statusCode).toBe(403);
    expect((await rules(f.tokens.viewerA, 'GET')).statusCode).toBe(403);
    const other = await rules(f.tokens.managerA, 'POST', '', { ...body, storeId: f.b.store.id });
    expect(other.statusCode).toBe(404);
    // A rule of store B made by an administrator is neither listed nor reachable for the manager of A.
    const b = await rules(f.tokens.admin, 'POST', '', { ...body, storeId: f.b.store.id });
    expect(b.statusCode).toBe(201);
    const bId = b.json().id as string;
    const listed = await rules(f.tokens.managerA, 'GET');
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(bId);
    expect((await rules(f.tokens.managerA, 'PATCH', `/${bId}`, { threshold: 5 })).statusCode).toBe(404);
    expect((await rules(f.tokens.managerA, 'DELETE', `/${bId}`)).statusCode).toBe(404);
    expect((await rules(f.tokens.admin, 'GET', `?storeId=${f.b.store.id}`)).body).toContain(bId);
  });

  it('checks thresholds per kind and says the allowed range', async () => {
    const post = (kind: string, threshold: number, extra: object = {}) =>
      rules(f.tokens.managerA, 'POST', '', { storeId: f.a.store.id, kind, threshold, ...extra });
    const people0 = await post('people_inside', 0);
    expect(people0.statusCode).toBe(400);
    expect(people0.json().message).toContain('from 1 to 100,000');
    expect((await post('people_inside', 100_001)).statusCode).toBe(400);
    expect((await post('people_inside', 100_000)).statusCode).toBe(201);
    const minutes0 = await post('box_offline', 0);
    expect(minutes0.statusCode).toBe(400);
    expect(minutes0.json().message).toContain('minutes must be from 1 to 10,080');
    const week = await post('camera_stopped', 10_081);
    expect(week.statusCode).toBe(400);
    expect(week.json().message).toContain('one week');
    expect((await post('backlog_growing', 10_080)).statusCode).toBe(201);
    expect((await post('picture_changed', 0)).statusCode).toBe(201);
    const picture = await post('picture_changed', 20_000);
    expect(picture.statusCode).toBe(400);
    expect(picture.json().message).toContain('say 0 to be told at once');
    const ftp = await post('box_offline', 10, {
      channels: { email: [], webhook: 'ftp://x.example', mqtt: false },
    });
    expect(ftp.statusCode).toBe(400);
    expect(ftp.json().message).toContain('https://');
    const badMail = await post('box_offline', 10, {
      channels: { email: ['not-an-address'], webhook: null, mqtt: false },
    });
    expect(badMail.statusCode).toBe(400);
    const unknownKind = await post('door_open', 10);
    expect(unknownKind.statusCode).toBe(400);
    // A change is checked against the rule's own kind.
    const rule = (await post('people_inside', 10)).json();
    const patched = await rules(f.tokens.managerA, 'PATCH', `/${rule.id}`, { threshold: 0 });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().message).toContain('number of people');
  });

  it('refuses to delete a rule whose alerts go on; switched off, its alerts end and the word goes out first', async () => {
    const created = await rules(f.tokens.managerA, 'POST', '', {
      storeId: f.a.store.id,
      kind: 'box_offline',
      threshold: 30,
      channels,
    });
    expect(created.statusCode, created.body).toBe(201);
    const rule = await f.repos.alerts.getRule(created.json().id);
    const alert = await f.repos.alerts.fire({
      rule,
      subject: 'unit-gone',
      message: "Camera unit 'Back door' has been offline for 40 minutes",
      details: {},
      at: new Date(),
    });
    const refused = await rules(f.tokens.managerA, 'DELETE', `/${rule.id}`);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().message).toContain('switch the rule off first');
    expect((await f.repos.alerts.getRule(rule.id)).id).toBe(rule.id);

    // Switched off: the engine's next evaluation ends the alert and queues word of it to each target.
    const off = await rules(f.tokens.managerA, 'PATCH', `/${rule.id}`, { enabled: false });
    expect(off.statusCode, off.body).toBe(200);
    const { cleared } = await evaluateAlerts({ db: f.t.db, statusOf: () => undefined, now: Date.now() });
    expect(cleared.map((a) => a.id)).toContain(alert!.id);
    const deliveries = await f.repos.alerts.deliveriesOf(alert!.id);
    const clearings = deliveries.filter((d) => d.event === 'cleared');
    expect(clearings.map((d) => d.channel).sort()).toEqual(['email', 'mqtt', 'webhook']);

    // Not before those messages are sent (or given up): the delete would take them with it.
    const sending = await rules(f.tokens.managerA, 'DELETE', `/${rule.id}`);
    expect(sending.statusCode, sending.body).toBe(409);
    expect(sending.json().message).toContain('still being sent');
    const webhook = deliveries.filter((d) => d.channel === 'webhook').map((d) => d.id);
    const others = deliveries.filter((d) => d.channel !== 'webhook').map((d) => d.id);
    await markFailed(f.t.db, webhook, 'the web address answered 500', null);
    await markDelivered(f.t.db, others, new Date());
    expect((await rules(f.tokens.managerA, 'DELETE', `/${rule.id}`)).statusCode).toBe(204);
    expect(await f.repos.alerts.deliveriesOf(alert!.id)).toEqual([]);
  });

  describe('history', () => {
    let ruleA: AlertRuleRow;
    let ruleB: AlertRuleRow;
    const firedIds: string[] = [];
    beforeAll(async () => {
      const none = { email: [], webhook: null, mqtt: false };
      ruleA = await f.repos.alerts.createRule({
        storeId: f.a.store.id,
        kind: 'box_offline',
        threshold: 5,
        channels: none,
      });
      ruleB = await f.repos.alerts.createRule({
        storeId: f.b.store.id,
        kind: 'box_offline',
        threshold: 5,
        channels: none,
      });
      const base = Date.parse('2026-03-01T10:00:00Z');
      for (let i = 0; i < 5; i++) {
        const row = await f.repos.alerts.fire({
          rule: ruleA,
          subject: `unit-${i}`,
          message: `Camera unit 'Unit ${i}' has been offline for 10 minutes`,
          details: {},
          at: new Date(base + i * 60_000),
        });
        firedIds.push(row!.id);
      }
      await f.repos.alerts.clear(firedIds[0]!, none, new Date(base + 10 * 60_000));
      await f.repos.alerts.fire({
        rule: ruleB,
        subject: 'unit-b',
        message: 'B alert',
        details: {},
        at: new Date(base),
      });
    });

    it('pages newest first through the store a viewer sees, and filters by state', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `storeId=${f.a.store.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const r = await f.inject(f.tokens.viewerA, { method: 'GET', url: `/api/alerts?${q}` });
        expect(r.statusCode, r.body).toBe(200);
        const page = r.json() as { items: { id: string; storeId: string }[]; nextCursor: string | null };
        expect(page.items.length).toBeLessThanOrEqual(2);
        for (const a of page.items) expect(a.storeId).toBe(f.a.store.id);
        seen.push(...page.items.map((a) => a.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...firedIds].reverse());

      const cleared = await f.inject(f.tokens.viewerA, {
        method: 'GET',
        url: `/api/alerts?storeId=${f.a.store.id}&state=cleared`,
      });
      expect(cleared.json().items.map((a: { id: string }) => a.id)).toEqual([firedIds[0]]);
      expect(cleared.json().items[0].clearedAt).toBe('2026-03-01T10:10:00.000Z');
      const bad = await f.inject(f.tokens.viewerA, { method: 'GET', url: '/api/alerts?cursor=garbage' });
      expect(bad.statusCode).toBe(400);
    });

    it('lists the firing alerts of the caller’s stores only', async () => {
      const r = await f.inject(f.tokens.viewerA, { method: 'GET', url: '/api/alerts/firing' });
      expect(r.statusCode).toBe(200);
      const ids = r.json().map((a: { id: string }) => a.id);
      expect(ids).toEqual(firedIds.slice(1).reverse());
      expect(r.body).not.toContain(ruleB.id);
      const all = await f.inject(f.tokens.viewerA, { method: 'GET', url: '/api/alerts' });
      expect(all.body).not.toContain(f.b.store.id);
      expect(all.body).toContain(ruleA.id);
      const other = await f.inject(f.tokens.viewerB, {
        method: 'GET',
        url: `/api/alerts?storeId=${f.a.store.id}`,
      });
      expect(other.statusCode).toBe(404);
      const admin = await f.inject(f.tokens.admin, { method: 'GET', url: '/api/alerts/firing' });
      expect(admin.body).toContain(ruleB.id);
    });
  });
});
