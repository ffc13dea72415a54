/** One line of the live event feed: when, what happened, where, and which person. */
import type { JSX } from 'solid-js';
import { eventWords, formatDuration, formatTime } from '../../lib/format.ts';
import type { LiveEvent } from '../../lib/live.ts';

export function FeedItem(props: { event: LiveEvent; names: Map<string, string> }): JSX.Element {
  const e = props.event;
  const place = () => {
    const id = e.zoneId ?? e.lineId;
    return id ? (props.names.get(id) ?? id) : '';
  };
  const detail = () => {
    if (e.kind === 'line_crossed') return `${place()} (${e.direction === 'out' ? 'out' : 'in'})`;
    if (e.kind === 'zone_left' && e.dwellMs !== undefined)
      return `${place()} after ${formatDuration(e.dwellMs)}`;
    if (e.kind === 'visit_closed' && e.durationMs !== undefined)
      return `stayed ${formatDuration(e.durationMs)}`;
    return place();
  };
  return (
    <li data-kind={e.kind}>
      <time>{formatTime(e.at)}</time>
      <span>
        {eventWords(e.kind)} {detail()} <span class="muted">· person {e.trackId ?? '?'}</span>
      </span>
    </li>
  );
}
