/**
 * The optional language model: a local server speaking the OpenAI chat-completions API writes the
 * summary that ends up in the e-mail; when it fails (500) or hangs past the time-out the template
 * text goes out instead; what it is sent holds no ids of people, visits, stores, cameras or areas.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveEmailSettings } from '../../src/mail/settings.ts';
import { ReportScheduler } from '../../src/reports/scheduler.ts';
import { ReportSchedulesRepository } from '../../src/reports/schedules-repository.ts';
import { ReportService } from '../../src/reports/service.ts';
import { type Fixture, openFixture } from '../api/fixture.ts';
import { type ChatServer, startChatServer } from './chat-server.ts';
import { type MailBox, startMailBox, waitForMails } from './mail-box.ts';
import { AFTER_WEEK, seedReportStore } from './seed.ts';

const WEEK_MS = 7 * 86_400_000;
const REPLY = 'A strong week: Sunday drew the biggest crowd, and the bakery kept people longest.';

/** Every key and string value in a JSON document. */
function walk(value: unknown, keys: string[], strings: string[]): void {
  if (typeof value === 'string') strings.push(value);
  else if (Array.isArray(value)) for (const v of value) walk(v, keys, strings);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      keys.push(k);
      walk(v, keys, strings);
    }
}

describe('report summary by a language model', () => {
  let f: Fixture;
  let box: MailBox;
  let chat: ChatServer;
  let schedules: ReportSchedulesRepository;
  let seeded: Awaited<ReturnType<typeof seedReportStore>>;
  let scheduler: ReportScheduler;
  let scheduleId: string;
  let clock = AFTER_WEEK;
  let ids: { customer: string; visit: number };

  beforeAll(async () => {
    f = await openFixture('postgres');
    await f.app.reports.scheduler.stop();
    box = await startMailBox();
    chat = await startChatServer(REPLY);
    await saveEmailSettings(f.repos.settings, {
      host: '127.0.0.1',
      port: box.port,
      security: 'none',
      user: '',
      from: 'hub@example.com',
    });
    seeded = await seedReportStore(f.repos);
    // A visitor and a visit inside the week: their ids must never reach the model.
    const at = new Date('2026-11-25T10:00:00Z');
    const customer = await f.repos.customers.recordSighting({
      storeId: seeded.store.id,
      trackingId: 'person-in-report-week',
      at,
      newVisit: true,
    });
    const { visit } = await f.repos.visits.create({
      cameraId: seeded.camera.id,
      customerId: customer.id,
      trackId: 7,
      startedAt: at,
      endedAt: new Date(at.getTime() + 90_000),
      path: [{ at: at.getTime(), point: [10, 10] }],
      zones: [{ zoneId: seeded.zones[0]!.id, dwellMs: 40_000 }],
    });
    ids = { customer: customer.id, visit: visit.id };
    schedules = new ReportSchedulesRepository(f.t.db);
    scheduler = schedulerWaiting(30_000);
    scheduleId = (
      await schedules.create({
        storeId: seeded.store.id,
        period: 'weekly',
        recipients: ['owner@example.com'],
        createdBy: null,
      })
    ).id;
    const put = await f.inject(f.tokens.admin, {
      method: 'PUT',
      url: '/api/settings/report-writer',
      payload: { enabled: true, endpoint: chat.endpoint, model: 'test-model', apiKey: 'sk-very-secret' },
    });
    expect(put.statusCode, put.body).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await chat?.close();
    await box?.close();
    await f?.close();
  });

  /** A scheduler whose language model may take `timeoutMs`: long unless the test is about the time-out. */
  const schedulerWaiting = (timeoutMs: number) =>
    new ReportScheduler({
      service: new ReportService({
        analytics: f.app.analytics,
        stores: f.repos.stores,
        settings: f.repos.settings,
        mailer: f.app.mailer,
        languageModelTimeoutMs: timeoutMs,
      }),
      schedules,
      log: pino({ level: 'silent' }),
      clock: () => clock,
    });

  const lastRun = async () =>
    (await schedules.runsOf(scheduleId)).sort(
      (a, b) => b.periodStart.getTime() - a.periodStart.getTime(),
    )[0]!;

  it('keeps the key write-only and lets only administrators see the setting', async () => {
    const get = await f.inject(f.tokens.admin, { method: 'GET', url: '/api/settings/report-writer' });
    expect(get.json()).toEqual({ enabled: true, endpoint: chat.endpoint, model: 'test-model', keySet: true });
    expect(get.body).not.toContain('sk-very-secret');
    const manager = await f.inject(f.tokens.managerA, { method: 'GET', url: '/api/settings/report-writer' });
    expect(manager.statusCode).toBe(403);
    const bad = await f.inject(f.tokens.admin, {
      method: 'PUT',
      url: '/api/settings/report-writer',
      payload: { enabled: true, endpoint: 'ftp://example.com', model: 'm' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/https:\/\//);
  });

  it("puts the model's summary in the e-mail, sending it only aggregates", async () => {
    await scheduler.tick();
    const [mail] = await waitForMails(box, 1);
    expect(mail!.text).toContain(REPLY);
    expect(mail!.text).not.toContain('was the busiest day');
    expect((await lastRun()).summarySource).toBe('language-model');

    expect(chat.bodies).toHaveLength(1);
    const sent = chat.bodies[0]!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.authorization).toBe('Bearer sk-very-secret');
    expect((sent.json as { model: string }).model).toBe('test-model');
    const messages = (sent.json as { messages: { content: string }[] }).messages;
    const facts = JSON.parse(messages[messages.length - 1]!.content);
    const keys: string[] = [];
    const strings: string[] = [];
    walk(facts, keys, strings);
    expect(strings).toContain('Demo store');
    expect(strings).toContain('Bakery');
    expect(keys.filter((k) => /id$/i.test(k))).toEqual([]);
    for (const secret of [
      ids.customer,
      seeded.store.id,
      seeded.camera.id,
      ...seeded.zones.map((z) => z.id),
      'person-in-report-week',
    ])
      expect(sent.raw).not.toContain(secret);
    expect(keys).not.toContain('visitId');
    expect(keys).not.toContain('path');
  });

  it('falls back to our own summary when the model answers 500', async () => {
    chat.mode = 'fail';
    clock += WEEK_MS;
    await scheduler.tick();
    const mails = await waitForMails(box, 2);
    expect(chat.bodies).toHaveLength(2);
    expect(mails[1]!.text).not.toContain(REPLY);
    expect(mails[1]!.text).toMatch(/visitors/);
    expect((await lastRun()).summarySource).toBe('template');
  });

  it('falls back to our own summary when the model does not answer in time', async () => {
    chat.mode = 'hang'; // never answers: a short time-out keeps the test quick
    clock += WEEK_MS;
    await schedulerWaiting(1_000).tick();
    const mails = await waitForMails(box, 3);
    expect(chat.bodies).toHaveLength(3);
    expect(mails[2]!.text).not.toContain(REPLY);
    expect((await lastRun()).summarySource).toBe('template');
  });
});
