/** Export file names people recognise: the store's name and the days they chose, last day included. */
import { localDate } from '@oskartrack/protocol';

/** `Café Müller & Co` -> `cafe-muller-co`; `store` when nothing usable is left. */
export function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return s || 'store';
}

/**
 * `demo-store-visits-2026-11-23-to-2026-11-29.xlsx`, or `...-2026-11-24.csv` for one day. `to` is
 * exclusive, so the last day is the one holding the instant just before it.
 */
export function exportFileName(e: {
  storeName: string;
  what: string;
  from: Date;
  to: Date;
  timeZone: string;
  extension: 'csv' | 'xlsx';
}): string {
  const first = localDate(e.from, e.timeZone);
  const last = localDate(new Date(e.to.getTime() - 1), e.timeZone);
  const days = first === last ? first : `${first}-to-${last}`;
  return `${slug(e.storeName)}-${e.what}-${days}.${e.extension}`;
}
