/**
 * What hub processes on one PostgreSQL tell each other over LISTEN/NOTIFY (live-bridge.ts), checked
 * on arrival like any message from outside. A notice's text stays under NOTIFY's 8000-byte limit:
 * stored events go as seq ranges (the others read them back), alerts and job progress as they are.
 */
import { AlertMessage, check, HubInstanceId, JobMessage } from '@oskartrack/protocol';
import { type Static, Type } from '@sinclair/typebox';

/** NOTIFY refuses payloads of 8000 bytes or more; room is left for the JSON around the ranges. */
export const MAX_NOTICE_BYTES = 7900;

const Seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** A device's events stored in one commit, as runs of seqs. */
export const EventsNotice = Type.Object(
  {
    hub: HubInstanceId,
    kind: Type.Literal('events'),
    deviceId: Type.String({ minLength: 1, maxLength: 64 }),
    ranges: Type.Array(Type.Tuple([Seq, Seq]), { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type EventsNotice = Static<typeof EventsNotice>;

/** An alert fired or cleared, or an upload job's progress, for the other hubs' dashboards. */
export const RelayNotice = Type.Object(
  { hub: HubInstanceId, kind: Type.Literal('relay'), message: Type.Union([AlertMessage, JobMessage]) },
  { additionalProperties: false },
);
export type RelayNotice = Static<typeof RelayNotice>;

export const Notice = Type.Union([EventsNotice, RelayNotice]);
export type Notice = Static<typeof Notice>;

/** A notice's text, or an error saying what is wrong with it. */
export function parseNotice(text: string): { ok: true; value: Notice } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  return check(Notice, value);
}

/** Ascending seqs as [first, last] runs. */
export function seqRanges(seqs: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const seq of seqs) {
    const last = out.at(-1);
    if (last && seq === last[1] + 1) last[1] = seq;
    else out.push([seq, seq]);
  }
  return out;
}

/** One device's stored seqs as notices, each under MAX_NOTICE_BYTES. */
export function eventsNotices(hub: string, deviceId: string, seqs: readonly number[]): string[] {
  const text = (ranges: [number, number][]) =>
    JSON.stringify({ hub, kind: 'events', deviceId, ranges } satisfies EventsNotice);
  const base = Buffer.byteLength(text([]));
  const texts: string[] = [];
  let ranges: [number, number][] = [];
  let bytes = base;
  for (const range of seqRanges(seqs)) {
    const size = `[${range[0]},${range[1]}],`.length;
    if (ranges.length > 0 && bytes + size > MAX_NOTICE_BYTES) {
      texts.push(text(ranges));
      ranges = [];
      bytes = base;
    }
    ranges.push(range);
    bytes += size;
  }
  if (ranges.length > 0) texts.push(text(ranges));
  return texts;
}
