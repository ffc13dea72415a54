/** The JSON a webhook and the broker's alert topic carry for one delivery (protocol `AlertNotice`). */
import type { AlertNotice } from '@oskartrack/protocol';
import type { DueDelivery } from './queue.ts';

export function noticeOf(d: DueDelivery): AlertNotice {
  const cleared = d.event === 'cleared';
  return {
    id: d.alert.id,
    storeId: d.alert.storeId,
    storeName: d.store.name,
    kind: d.alert.kind,
    subject: d.alert.subject,
    state: d.event,
    message: d.alert.message,
    firedAt: d.alert.firedAt.toISOString(),
    // A clearing told before the row has its time (it should not happen) says "now" rather than null.
    clearedAt: cleared ? (d.alert.clearedAt ?? new Date()).toISOString() : null,
  };
}
