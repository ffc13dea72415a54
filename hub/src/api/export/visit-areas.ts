/**
 * The areas each visit of a page went through, read by the visits' start times (zone_visits keeps
 * each visit's start): one query per page, halved while an answer is cut at the page limit.
 */
import type { Repositories } from '../../db/repositories/index.ts';
import type { Visit, ZoneVisit } from '../../db/repositories/visits.ts';

/** The most rows listZoneVisits answers at once. */
const LIMIT = 1000;

/** Area times of visits that started in [from, to) ms; a window of one millisecond is not split. */
async function zoneVisitsIn(
  repos: Repositories,
  storeId: string,
  from: number,
  to: number,
): Promise<ZoneVisit[]> {
  const rows = await repos.visits.listZoneVisits({
    storeId,
    from: new Date(from),
    to: new Date(to),
    limit: LIMIT,
  });
  if (rows.length < LIMIT || to - from <= 1) return rows;
  const mid = Math.floor((from + to) / 2);
  return [
    ...(await zoneVisitsIn(repos, storeId, from, mid)),
    ...(await zoneVisitsIn(repos, storeId, mid, to)),
  ];
}

/** Area ids by visit id, for the visits of one page (oldest first). */
export async function areasOf(
  repos: Repositories,
  storeId: string,
  page: readonly Visit[],
): Promise<Map<number, string[]>> {
  const byVisit = new Map<number, string[]>();
  const first = page[0];
  const last = page[page.length - 1];
  if (!first || !last) return byVisit;
  const wanted = new Set(page.map((v) => v.id));
  const rows = await zoneVisitsIn(repos, storeId, first.startedAt.getTime(), last.startedAt.getTime() + 1);
  for (const z of rows) {
    if (!wanted.has(z.visitId)) continue;
    const areas = byVisit.get(z.visitId) ?? [];
    areas.push(z.zoneId);
    byVisit.set(z.visitId, areas);
  }
  return byVisit;
}
