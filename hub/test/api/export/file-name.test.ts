/** Export file names: the store's name as a slug, and the first to the last day chosen. */
import { describe, expect, it } from 'vitest';
import { exportFileName, slug } from '../../../src/api/export/file-name.ts';

describe('export file names', () => {
  it('turns a store name into a plain slug', () => {
    expect(slug('Demo Store')).toBe('demo-store');
    expect(slug('Café Müller & Co.')).toBe('cafe-muller-co');
    expect(slug('  --  ')).toBe('store');
    expect(slug('東京')).toBe('store');
  });

  it('names the first and the last day in the store zone, the end being exclusive', () => {
    const e = {
      storeName: 'Demo Store',
      what: 'visits',
      timeZone: 'Europe/London',
      extension: 'csv',
    } as const;
    const week = { from: new Date('2026-11-23T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z') };
    expect(exportFileName({ ...e, ...week })).toBe('demo-store-visits-2026-11-23-to-2026-11-29.csv');
    const day = { from: new Date('2026-11-24T00:00:00Z'), to: new Date('2026-11-25T00:00:00Z') };
    expect(exportFileName({ ...e, ...day, extension: 'xlsx' })).toBe('demo-store-visits-2026-11-24.xlsx');
    // The same instants are other days in Tokyo (UTC+9).
    expect(exportFileName({ ...e, ...day, timeZone: 'Asia/Tokyo' })).toBe(
      'demo-store-visits-2026-11-24-to-2026-11-25.csv',
    );
  });
});
