/**
 * Which events of a batch ingest may store: a box's events must name a camera of its store that is
 * its own or not assigned to any box (the store's recordings device may name any camera of its
 * store). The rest become dead letters with a reason; the ack covers them only once they are kept in
 * the dead-letter table.
 */
import type { SequencedEvent } from '@oskartrack/protocol';
import {
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  type NewDeadLetter,
} from '../db/repositories/dead-letters.ts';

export interface CameraOwners {
  /** The device's kind: a box owns cameras, the recordings device uses its store's. */
  kind: 'box' | 'recordings';
  deviceId: string;
  /** Camera id to the device it is assigned to (null: unassigned), for every camera of the store. */
  cameras: ReadonlyMap<string, string | null>;
  /**
   * The box's old identities it is about to take over (re-enrollment.ts): it already runs their
   * cameras, and its first events may come before the takeover has moved them.
   */
  takingOver?: ReadonlySet<string>;
}

export function acceptsCamera(owners: CameraOwners, cameraId: string): boolean {
  if (!owners.cameras.has(cameraId)) return false;
  const owner = owners.cameras.get(cameraId);
  if (owners.kind === 'recordings' || owner === null || owner === owners.deviceId) return true;
  return owner !== undefined && owners.takingOver?.has(owner) === true;
}

/** Splits events (ascending seqs) into those to store and those set aside. */
export function splitByCamera(
  owners: CameraOwners,
  events: readonly SequencedEvent[],
): { keep: SequencedEvent[]; strays: SequencedEvent[] } {
  const keep: SequencedEvent[] = [];
  const strays: SequencedEvent[] = [];
  for (const e of events) (acceptsCamera(owners, e.event.cameraId) ? keep : strays).push(e);
  return { keep, strays };
}

/** The reason for each stray event: its camera is unknown, in another store, or another box's. */
export async function deadLettersOf(
  owners: CameraOwners,
  strays: readonly SequencedEvent[],
  findCamera: (id: string) => Promise<{ storeId: string } | undefined>,
): Promise<NewDeadLetter[]> {
  const reasons = new Map<string, DeadLetterReason>();
  for (const { event } of strays) {
    if (reasons.has(event.cameraId)) continue;
    let reason: DeadLetterReason = DEAD_LETTER_REASONS.otherDevice;
    if (!owners.cameras.has(event.cameraId)) {
      const camera = await findCamera(event.cameraId);
      reason = camera ? DEAD_LETTER_REASONS.otherStore : DEAD_LETTER_REASONS.unknown;
    }
    reasons.set(event.cameraId, reason);
  }
  return strays.map(({ seq, event }) => ({ seq, event, reason: reasons.get(event.cameraId)! }));
}
