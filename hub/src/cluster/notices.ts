/**
 * Hub-to-hub notices over LISTEN/NOTIFY (live-bridge.ts), whose schema is protocol's hub-notices.ts:
 * checked on arrival like any message from outside, and stored events cut into notices under
 * NOTIFY's 8000-byte limit.
 */
import { check, type EventsNotice, HubNotice, MAX_NOTICE_BYTES } from '@oskartrack/protocol';

/** A notice's text, or an error saying what is wrong with it. */
export function parseNotice(text: string): { ok: true; value: HubNotice } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  return check(HubNotice, value);
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
