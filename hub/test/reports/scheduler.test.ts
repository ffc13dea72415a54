/**
 * The scheduler end to end on PostgreSQL: it claims the last complete week, builds the report from the
 * hub's analytics and e-mails it through a real SMTP server (smtp-server) with the Excel and PDF
 * files; two schedulers racing send each period once; a failed send is recorded and tried again, for
 * the period it claimed; a try the hub never finished is taken up again after the lease; a stop waits
 * only for the report in progress.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveEmailSettings } from '../../src/mail/settings.ts';
import { CLAIM_LEASE_MS, ReportScheduler } from '../../src/reports/scheduler.ts';
import { ReportSchedulesRepository } from '../../src/reports/schedules-repository.ts';
import { ReportService } from '../../src/reports/service.ts';
import { type Fixture, openFixture } from '../api/fixture.ts';
import { type MailBox, startMailBox, waitForMails } from './mail-box.ts';
import { openWorkbook, pdfText } from './report-files.ts';
import { AFTER_WEEK, AREAS, expectedWeek, seedReportStore } from './seed.ts';
import { startSilentMailServer } from './silent-mail-server.ts';

const DAY = 86_400_000;
const log = pino({ level: 'silent' });

async function until(what: string, condition: () => boolean): Promise<void> {
  const limit = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > limit) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('report scheduler', () => {
  let f: Fixture;
  let box: MailBox;
  let schedules: ReportSchedulesRepository;
  let service: ReportService;
  let seeded: Awaited<ReturnType<typeof seedReportStore>>;
  let clock = AFTER_WEEK;
  const scheduler = (retryBaseMs = 60_000) =>
    new ReportScheduler({ service, schedules, log, clock: () => clock, retryBaseMs });
  const mailSettings = (port: number) =>
    saveEmailSettings(f.repos.settings, {
      host: '127.0.0.1',
      port,
      security: 'none',
      user: '',
      from: 'hub@example.com',
    });

  beforeAll(async () => {
    f = await openFixture('postgres');
    await f.app.reports.scheduler.stop();
    box = await startMailBox();
    await mailSettings(box.port);
    schedules = new ReportSchedulesRepository(f.t.db);
    service = new ReportService({
      analytics: f.app.analytics,
      stores: f.repos.stores,
      settings: f.repos.settings,
      mailer: f.app.mailer,
      pdf: { compress: false },
    });
    seeded = await seedReportStore(f.repos);
  }, 120_000);
  afterAll(async () => {
    await box?.close();
    await f?.close();
  });

  it('e-mails the last complete week with the Excel and PDF files, once', async () => {
    const s = await schedules.create({
      storeId: seeded.store.id,
      period: 'weekly',
      recipients: ['owner@example.com'],
      createdBy: null,
    });
    await scheduler().tick();
    const [mail] = await waitForMails(box, 1);
    const want = expectedWeek(seeded.hours);

    expect(mail!.to).toEqual(['owner@example.com']);
    expect(mail!.subject).toBe('Demo store — weekly report, 23-29 November 2026');
    expect(mail!.attachments.map((a) => a.filename).sort()).toEqual([
      'demo-store-2026-11-23-to-2026-11-29.pdf',
      'demo-store-2026-11-23-to-2026-11-29.xlsx',
    ]);
    expect(mail!.text).toContain(`Sunday was the busiest day: ${want.busiest.visitors} visitors`);
    expect(mail!.text).toContain(`${want.visitors} visitors`);
    expect(mail!.text).toContain('Most time was spent at the Bakery');
    expect(mail!.text).not.toMatch(/NaN|undefined| 0 % /);

    const xlsx = mail!.attachments.find((a) => a.filename.endsWith('.xlsx'))!;
    const wb = await openWorkbook(xlsx.content);
    const summary = wb.getWorksheet('Summary')!;
    expect(summary.getCell('A5').value).toBe('Demo store');
    expect(summary.getCell('B5').value).toBe(want.visitors);
    expect(summary.getCell('C5').value).toBe(want.entries);
    expect(summary.getCell('D5').value).toBeCloseTo(want.averageMinutes, 1);
    expect(summary.getCell('F5').value).toBe(`${want.busiestHour}:00-${want.busiestHour + 1}:00`);
    expect(summary.getCell('G5').value).toBe(want.previousVisitors);
    const sheet = wb.getWorksheet('Demo store')!;
    want.days.forEach((d, i) => {
      const row = sheet.getRow(5 + i);
      expect((row.getCell(1).value as Date).toISOString().slice(0, 10)).toBe(d.date);
      expect(row.getCell(3).value).toBe(d.visitors);
      expect(row.getCell(4).value).toBe(d.entries);
    });
    const areaRows: Record<string, number> = {};
    sheet.eachRow((row) => {
      const name = row.getCell(1).value;
      if (typeof name === 'string' && AREAS.some((a) => a.name === name))
        areaRows[name] = Number(row.getCell(2).value);
    });
    for (const a of AREAS) expect(areaRows[a.name]).toBe(a.visitorsPerHour * want.days.length * 9);

    const pdf = mail!.attachments.find((a) => a.filename.endsWith('.pdf'))!;
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf.content);
    expect(text).toContain('Demo store');
    expect(text).toContain('Visitors per day');

    const runs = await schedules.runsOf(s.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ attempts: 1, error: null, summarySource: 'template' });
    expect(runs[0]!.sentAt).not.toBeNull();
    expect(runs[0]!.periodStart.toISOString()).toBe('2026-11-22T23:00:00.000Z');

    // The next minutes fall in the same period: nothing more is sent.
    clock += 60_000;
    await scheduler().tick();
    expect(box.mails).toHaveLength(1);
    await schedules.update(s.id, { enabled: false });
  });

  it('sends each period once when two schedulers race for it', async () => {
    const s = await schedules.create({
      storeId: seeded.store.id,
      period: 'daily',
      recipients: ['a@example.com', 'b@example.com'],
      createdBy: null,
    });
    const before = box.mails.length;
    for (let d = 0; d < 3; d++) {
      clock = AFTER_WEEK + d * DAY;
      const a = scheduler();
      const b = scheduler();
      await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    }
    const mails = await waitForMails(box, before + 3);
    expect(mails.slice(before).map((m) => m.subject)).toEqual([
      'Demo store — daily report, 1 December 2026',
      'Demo store — daily report, 2 December 2026',
      'Demo store — daily report, 3 December 2026',
    ]);
    expect(mails.slice(before).every((m) => m.to.join() === 'a@example.com,b@example.com')).toBe(true);
    expect(await schedules.runsOf(s.id)).toHaveLength(3);
    expect(box.mails).toHaveLength(before + 3);
    await schedules.update(s.id, { enabled: false });
  });

  it('records a failed send and tries again once the wait is over', async () => {
    const s = await schedules.create({
      storeId: seeded.store.id,
      period: 'monthly',
      recipients: ['owner@example.com'],
      createdBy: null,
    });
    clock = AFTER_WEEK;
    const closed = await startMailBox();
    await closed.close();
    await mailSettings(closed.port);
    const before = box.mails.length;
    await scheduler().tick();
    let [run] = await schedules.runsOf(s.id);
    expect(run).toMatchObject({ attempts: 1, sentAt: null });
    expect(run!.error).toMatch(/could not reach the mail server/);

    await mailSettings(box.port);
    clock += 30_000; // not yet: the first wait is one retry base (60 s here)
    await scheduler().tick();
    [run] = await schedules.runsOf(s.id);
    expect(run!.attempts).toBe(1);
    expect(box.mails).toHaveLength(before);

    clock += 60_000;
    await scheduler().tick();
    [run] = await schedules.runsOf(s.id);
    expect(run).toMatchObject({ attempts: 2, error: null });
    expect(run!.sentAt).not.toBeNull();
    const mails = await waitForMails(box, before + 1);
    expect(mails[before]!.subject).toBe('Demo store — monthly report, November 2026');
  });

  const onlySchedule = async (period: 'daily' | 'weekly' | 'monthly', to: string) => {
    for (const other of await schedules.listEnabled()) await schedules.update(other.id, { enabled: false });
    return schedules.create({ storeId: seeded.store.id, period, recipients: [to], createdBy: null });
  };
  const mailsTo = (to: string) => box.mails.filter((m) => m.to.includes(to));
  const waitForMailsTo = async (to: string, n: number) => {
    await until(`${n} e-mails to ${to}`, () => mailsTo(to).length >= n);
    return mailsTo(to);
  };

  it('retries the period it claimed, even after the schedule changed to another period', async () => {
    const s = await onlySchedule('weekly', 'changed@example.com');
    clock = AFTER_WEEK;
    const closed = await startMailBox();
    await closed.close();
    await mailSettings(closed.port);
    await scheduler().tick();
    expect((await schedules.runsOf(s.id))[0]!.error).toMatch(/could not reach the mail server/);

    await schedules.update(s.id, { period: 'daily' });
    await mailSettings(box.port);
    clock += 2 * 60_000;
    await scheduler().tick();
    const weekly = (await waitForMailsTo('changed@example.com', 2)).filter((m) => /weekly/.test(m.subject));
    expect(weekly.map((m) => m.subject)).toEqual(['Demo store — weekly report, 23-29 November 2026']);
    const retried = (await schedules.runsOf(s.id)).find((r) => r.attempts === 2)!;
    expect(retried.periodStart.toISOString()).toBe('2026-11-22T23:00:00.000Z');
    expect(retried.sentAt).not.toBeNull();
    await schedules.update(s.id, { enabled: false });
  });

  it('sends a report whose try the hub never finished, once that claim is older than the lease', async () => {
    const s = await onlySchedule('weekly', 'crash@example.com');
    await mailSettings(box.port);
    const claimedAt = AFTER_WEEK;
    const range = await service.periodBefore(s.storeId, 'weekly', new Date(claimedAt));
    // The hub claims the week and stops before sending it.
    expect(await schedules.claim(s.id, range.start, range.end, new Date(claimedAt))).not.toBeNull();

    clock = claimedAt + CLAIM_LEASE_MS - 60_000; // another process may still be sending it
    await scheduler().tick();
    expect(await schedules.runsOf(s.id)).toMatchObject([{ attempts: 1, sentAt: null, error: null }]);
    expect(mailsTo('crash@example.com')).toHaveLength(0);

    clock = claimedAt + CLAIM_LEASE_MS + 60_000;
    await scheduler().tick();
    const [mail] = await waitForMailsTo('crash@example.com', 1);
    expect(mail!.subject).toBe('Demo store — weekly report, 23-29 November 2026');
    const [run] = await schedules.runsOf(s.id);
    expect(run).toMatchObject({ attempts: 2, error: null });
    expect(run!.sentAt).not.toBeNull();
    await schedules.update(s.id, { enabled: false });
  });

  it('sends a report whose retry the hub never finished, once that retry is older than the lease', async () => {
    const s = await onlySchedule('weekly', 'crash-retry@example.com');
    await mailSettings(box.port);
    const claimedAt = AFTER_WEEK;
    const range = await service.periodBefore(s.storeId, 'weekly', new Date(claimedAt));
    const run = (await schedules.claim(s.id, range.start, range.end, new Date(claimedAt)))!;
    await schedules.markFailed(run.id, 'could not reach the mail server');
    const [failed] = await schedules.runsOf(s.id);
    // Ten minutes later a hub claims the retry and stops before sending it.
    const retriedAt = claimedAt + 10 * 60_000;
    expect(await schedules.claimRetry(failed!, new Date(retriedAt))).not.toBeNull();

    clock = retriedAt + CLAIM_LEASE_MS - 60_000;
    await scheduler().tick();
    expect(await schedules.runsOf(s.id)).toMatchObject([{ attempts: 2, sentAt: null, error: null }]);

    clock = retriedAt + CLAIM_LEASE_MS + 60_000;
    await scheduler().tick();
    const [mail] = await waitForMailsTo('crash-retry@example.com', 1);
    expect(mail!.subject).toBe('Demo store — weekly report, 23-29 November 2026');
    expect(await schedules.runsOf(s.id)).toMatchObject([{ attempts: 3, error: null }]);
    await schedules.update(s.id, { enabled: false });
  });

  it('stops after the report in progress, not after the whole round', async () => {
    await onlySchedule('weekly', 'first@example.com');
    await schedules.create({
      storeId: seeded.store.id,
      period: 'weekly',
      recipients: ['second@example.com'],
      createdBy: null,
    });
    const silent = await startSilentMailServer();
    try {
      await mailSettings(silent.port);
      clock = AFTER_WEEK;
      const running = new ReportScheduler({ service, schedules, log, clock: () => clock, intervalMs: 10 });
      running.start();
      await until('the first report to reach the mail server', () => silent.connections() >= 1);
      const stopping = running.stop();
      silent.release(); // the report in progress fails now; the round must not go on to the next one
      await stopping;
      const enabled = await schedules.listEnabled();
      const runs = (await Promise.all(enabled.map((e) => schedules.runsOf(e.id)))).flat();
      expect(enabled).toHaveLength(2);
      expect(runs).toHaveLength(1);
      expect(runs[0]!.error).not.toBeNull();
    } finally {
      await silent.close();
      await mailSettings(box.port);
    }
  });
});
