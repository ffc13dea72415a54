/**
 * A one-time repair after migration 0006_upload_tags: that migration tagged the events and visits of
 * recordings uploaded before it with their upload id, but their counts stayed inside the live
 * summary rows (upload_id null), so the numbers still included them and deleting such an upload left
 * its counts behind. This gives each of those uploads summary rows of its own, computed from its
 * events, and rebuilds the live rows of the days its events fall on from live events only.
 *
 * It runs once (the hub setting `summaries-split-uploads` remembers it), when the hub starts, before
 * any event or upload is processed. It is safe to run again: an upload that has rows of its own is
 * left alone, and rebuilding live rows from live events gives the same numbers.
 */
import { and, eq, isNotNull, notExists, sql } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import type { StoredEvent } from '../db/repositories/events.ts';
import { createRepositories } from '../db/repositories/index.ts';
import { analyticsSummaries, trackingEvents, uploadJobs } from '../db/schema.ts';
import { computeSummaries, loadStoreContext, rebuildSummaries } from './rebuild.ts';

export const SUMMARIES_SPLIT_UPLOADS = 'summaries-split-uploads';

/** Splits the counts of older uploads out of the live summaries, once; returns how many uploads (undefined: done before). */
export async function splitUploadSummaries(db: Db): Promise<number | undefined> {
  const repos = createRepositories(db);
  if ((await repos.settings.get(SUMMARIES_SPLIT_UPLOADS)) !== undefined) return undefined;
  // Uploads with events but no summary rows of their own: counted before 0006, into the live rows.
  const old = await db
    .select({
      id: uploadJobs.id,
      storeId: uploadJobs.storeId,
      first: sql<Date>`min(${trackingEvents.at})`.mapWith(trackingEvents.at),
      last: sql<Date>`max(${trackingEvents.at})`.mapWith(trackingEvents.at),
    })
    .from(uploadJobs)
    .innerJoin(trackingEvents, eq(trackingEvents.uploadId, uploadJobs.id))
    .where(
      notExists(
        db
          .select({ one: sql`1` })
          .from(analyticsSummaries)
          .where(and(isNotNull(analyticsSummaries.uploadId), eq(analyticsSummaries.uploadId, uploadJobs.id))),
      ),
    )
    .groupBy(uploadJobs.id, uploadJobs.storeId);
  for (const upload of old) {
    const from = upload.first;
    const to = new Date(upload.last.getTime() + 1);
    // Live rows first: if the hub stops between the two steps, the upload is still found next time.
    await rebuildSummaries(db, { storeId: upload.storeId, from, to });
    const events: StoredEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await repos.events.list({
        uploadId: upload.id,
        from,
        to,
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      events.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    // The same math as the upload's own processing (one device, replayed in seq order).
    const ctx = await loadStoreContext(repos, upload.storeId);
    await repos.summaries.replace(computeSummaries(events, ctx).map((r) => ({ ...r, uploadId: upload.id })));
  }
  await repos.settings.set(SUMMARIES_SPLIT_UPLOADS, { done: true, uploads: old.length });
  return old.length;
}
