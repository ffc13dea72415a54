/**
 * /api/reports and its scope: store managers schedule reports for their own stores only, every-store
 * reports are for administrators, managers download the preview of their stores only (viewers none:
 * it is made on demand), always with our own summary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, openFixture } from '../api/fixture.ts';
import { startChatServer } from './chat-server.ts';
import { openWorkbook } from './report-files.ts';
import { AFTER_WEEK, expectedWeek, seedReportStore } from './seed.ts';

describe('reports API', () => {
  let f: Fixture;
  let seeded: Awaited<ReturnType<typeof seedReportStore>>;
  const at = new Date(AFTER_WEEK).toISOString();

  beforeAll(async () => {
    f = await openFixture('pglite');
    await f.app.reports.scheduler.stop();
    seeded = await seedReportStore(f.repos);
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  const create = (token: string, payload: object) =>
    f.inject(token, { method: 'POST', url: '/api/reports/schedules', payload });

  it('lets managers schedule reports of their own stores, and only administrators of every store', async () => {
    const own = await create(f.tokens.managerA, {
      storeId: f.a.store.id,
      period: 'weekly',
      recipients: ['manager@example.com'],
    });
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json()).toMatchObject({
      storeId: f.a.store.id,
      storeName: f.a.store.name,
      enabled: true,
      lastRun: null,
    });
    expect(
      (
        await create(f.tokens.managerA, {
          storeId: f.b.store.id,
          period: 'daily',
          recipients: ['x@example.com'],
        })
      ).statusCode,
    ).toBe(404);
    const every = await create(f.tokens.managerA, {
      storeId: null,
      period: 'daily',
      recipients: ['x@example.com'],
    });
    expect(every.statusCode).toBe(403);
    expect(every.json().message).toMatch(/administrator/);
    expect(
      (
        await create(f.tokens.viewerA, {
          storeId: f.a.store.id,
          period: 'daily',
          recipients: ['x@example.com'],
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await create(f.tokens.admin, {
          storeId: f.a.store.id,
          period: 'daily',
          recipients: ['not an address'],
        })
      ).statusCode,
    ).toBe(400);

    const all = await create(f.tokens.admin, {
      storeId: null,
      period: 'monthly',
      recipients: ['office@example.com'],
    });
    expect(all.statusCode, all.body).toBe(201);
    const allId = all.json().id as string;

    const managerList = await f.inject(f.tokens.managerA, { method: 'GET', url: '/api/reports/schedules' });
    expect(managerList.json().map((s: { id: string }) => s.id)).toEqual([own.json().id]);
    const adminList = await f.inject(f.tokens.admin, { method: 'GET', url: '/api/reports/schedules' });
    expect(
      adminList
        .json()
        .map((s: { id: string }) => s.id)
        .sort(),
    ).toEqual([own.json().id, allId].sort());

    const hidden = await f.inject(f.tokens.managerA, {
      method: 'PATCH',
      url: `/api/reports/schedules/${allId}`,
      payload: { enabled: false },
    });
    expect(hidden.statusCode).toBe(404);
    const paused = await f.inject(f.tokens.managerA, {
      method: 'PATCH',
      url: `/api/reports/schedules/${own.json().id}`,
      payload: { enabled: false, recipients: ['a@example.com', 'b@example.com'] },
    });
    expect(paused.json()).toMatchObject({ enabled: false, recipients: ['a@example.com', 'b@example.com'] });
    expect(
      (await f.inject(f.tokens.managerA, { method: 'DELETE', url: `/api/reports/schedules/${allId}` }))
        .statusCode,
    ).toBe(404);
    expect(
      (await f.inject(f.tokens.admin, { method: 'DELETE', url: `/api/reports/schedules/${allId}` }))
        .statusCode,
    ).toBe(204);
  });

  it('says what to do when "send now" finds no mail server', async () => {
    const s = await create(f.tokens.managerA, {
      storeId: f.a.store.id,
      period: 'daily',
      recipients: ['m@example.com'],
    });
    const r = await f.inject(f.tokens.managerA, {
      method: 'POST',
      url: `/api/reports/schedules/${s.json().id}/send-now`,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/administrator enters the mail server/);
  });

  it("downloads the preview of a store's week as Excel and PDF, for its managers only", async () => {
    const want = expectedWeek(seeded.hours);
    const q = `storeId=${seeded.store.id}&period=weekly&at=${encodeURIComponent(at)}`;
    const xlsx = await f.inject(f.tokens.admin, {
      method: 'GET',
      url: `/api/reports/preview?${q}&format=xlsx`,
    });
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    expect(xlsx.headers['content-disposition']).toBe(
      'attachment; filename="demo-store-2026-11-23-to-2026-11-29.xlsx"',
    );
    const wb = await openWorkbook(xlsx.rawPayload);
    expect(wb.getWorksheet('Summary')!.getCell('B5').value).toBe(want.visitors);

    const pdf = await f.inject(f.tokens.admin, {
      method: 'GET',
      url: `/api/reports/preview?${q}&format=pdf`,
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const other = await f.inject(f.tokens.managerA, {
      method: 'GET',
      url: `/api/reports/preview?${q}&format=pdf`,
    });
    expect(other.statusCode).toBe(404);
    const own = await f.inject(f.tokens.managerA, {
      method: 'GET',
      url: `/api/reports/preview?storeId=${f.a.store.id}&period=daily&format=pdf`,
    });
    expect(own.statusCode).toBe(200);
    const viewer = await f.inject(f.tokens.viewerA, {
      method: 'GET',
      url: `/api/reports/preview?storeId=${f.a.store.id}&period=daily&format=pdf`,
    });
    expect(viewer.statusCode).toBe(403);
  });

  it('writes the preview summary itself, never asking the language model (each call may cost money)', async () => {
    const chat = await startChatServer('A summary from the model.');
    try {
      const put = await f.inject(f.tokens.admin, {
        method: 'PUT',
        url: '/api/settings/report-writer',
        payload: { enabled: true, endpoint: chat.endpoint, model: 'test-model', apiKey: 'sk-test' },
      });
      expect(put.statusCode, put.body).toBe(200);
      const r = await f.inject(f.tokens.managerA, {
        method: 'GET',
        url: `/api/reports/preview?storeId=${f.a.store.id}&period=weekly&format=xlsx&at=${encodeURIComponent(at)}`,
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['x-summary-source']).toBe('template');
      expect(chat.bodies).toHaveLength(0);
    } finally {
      await f.inject(f.tokens.admin, {
        method: 'PUT',
        url: '/api/settings/report-writer',
        payload: { enabled: false, endpoint: chat.endpoint, model: 'test-model' },
      });
      await chat.close();
    }
  });

  it('makes one sheet per store in the every-store preview', async () => {
    const r = await f.inject(f.tokens.admin, {
      method: 'GET',
      url: `/api/reports/preview?period=monthly&format=xlsx&at=${encodeURIComponent(at)}`,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-disposition']).toContain('all-stores-2026-11-01-to-2026-11-30.xlsx');
    const wb = await openWorkbook(r.rawPayload);
    const names = wb.worksheets.map((w) => w.name);
    for (const s of [f.a.store.name, f.b.store.name, 'Demo store']) expect(names).toContain(s);
    const pdf = await f.inject(f.tokens.admin, {
      method: 'GET',
      url: `/api/reports/preview?period=monthly&format=pdf&at=${encodeURIComponent(at)}`,
    });
    expect(pdf.statusCode).toBe(200);
  });
});
