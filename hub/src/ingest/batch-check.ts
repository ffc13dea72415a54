/**
 * What the schema can not say about an event batch: seqs strictly ascending, the floor not above the
 * first seq. A batch failing it is rejected whole (the agent validates every event on append, so this
 * means a bug or a forgery, and storing half a batch would hide it).
 */
import type { EventBatch } from '@oskartrack/protocol';

export function batchProblem(batch: EventBatch): string | undefined {
  const events = batch.events;
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq <= events[i - 1]!.seq) return `seqs not ascending at event ${i + 1}`;
  }
  if (batch.floor > events[0]!.seq) return `floor ${batch.floor} is above the first seq ${events[0]!.seq}`;
  return undefined;
}
