/**
 * The scheduler end to end on PostgreSQL: it claims the last complete week, builds the report from the
 * hub's analytics and e-mails it through a real SMTP server (smtp-server) with the Excel and PDF
 * files; two schedulers racing send each period once; a failed send is recorded and tried again.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveEmailSettings } from '../../src/mail/settings.ts';
import { ReportScheduler } from '../../src/reports/scheduler.ts';
import { ReportSchedulesRepository } from '../../src/reports/schedules-repository.ts';
import { ReportService } from '../../src/reports/service.ts';
import { type Fixture, openFixture } from '../api/fixture.ts';
import { type MailBox, startMailBox, waitForMails } from './mail-box.ts';
import { openWorkbook, pdfText } from './report-files.ts';
import { AFTER_WEEK, AREAS, expectedWeek, seedReportStore } from './seed.ts';

const DAY = 86_400_000;
const log = pino({ level: 'silent' });

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
});
