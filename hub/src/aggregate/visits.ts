/**
 * Visits from the `visit_closed` events stored now: a visitor profile sighting and a visit row (with
 * its time per area) each, written with the transaction's repositories.
 */
import type { EventOf, SequencedEvent } from '@oskartrack/protocol';
import type { Repositories } from '../db/repositories/index.ts';

/**
 * The visitor profile of a visit. Without re-identification every visit is its own anonymous visitor:
 * track ids restart with the agent, so the visit's start is part of the id.
 */
export function visitorId(deviceId: string, e: EventOf<'visit_closed'>): string {
  return `${deviceId}/${e.cameraId}/${e.trackId}@${e.startedAt}`;
}

/** Records the visits of `stored` (only events stored now, so a redelivery never counts twice). */
export async function recordVisits(
  tx: Repositories,
  deviceId: string,
  storeId: string,
  stored: readonly SequencedEvent[],
): Promise<number> {
  const closed: { seq: number; event: EventOf<'visit_closed'> }[] = [];
  for (const { seq, event } of stored) if (event.kind === 'visit_closed') closed.push({ seq, event });
  if (closed.length === 0) return 0;
  const customerIds = await tx.customers.recordSightings(
    closed.map(({ event }) => ({
      storeId,
      trackingId: visitorId(deviceId, event),
      at: new Date(event.startedAt),
      newVisit: true,
    })),
  );
  return tx.visits.createManyFromEvents(
    deviceId,
    closed.map(({ seq, event }) => ({
      seq,
      event,
      customerId: customerIds.get(visitorId(deviceId, event)) ?? null,
    })),
  );
}
