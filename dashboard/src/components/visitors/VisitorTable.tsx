/** One page of visitor profiles, a click choosing one, and buttons to page through them. */
import { For, type JSX } from 'solid-js';
import type { Customer } from '../../api/types.ts';
import { formatCount, formatDateTime } from '../../lib/format.ts';

export function VisitorTable(props: {
  items: Customer[];
  selectedId: string | undefined;
  onSelect: (c: Customer) => void;
}): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="table" data-testid="visitors">
        <thead>
          <tr>
            <th>Visitor</th>
            <th>Visits</th>
            <th>First seen</th>
            <th>Last seen</th>
          </tr>
        </thead>
        <tbody>
          <For
            each={props.items}
            fallback={
              <tr>
                <td colSpan={4} class="muted">
                  No visitors found.
                </td>
              </tr>
            }
          >
            {(c) => (
              <tr
                class="clickable"
                classList={{ selected: props.selectedId === c.id }}
                onClick={() => props.onSelect(c)}
              >
                <td class="code">{c.trackingId}</td>
                <td>{formatCount(c.visitCount)}</td>
                <td>{formatDateTime(c.firstSeenAt)}</td>
                <td>{formatDateTime(c.lastSeenAt)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}

export function Pager(props: {
  offset: number;
  shown: number;
  pageSize: number;
  nextOffset: number | null;
  onOffset: (offset: number) => void;
}): JSX.Element {
  return (
    <div class="toolbar" style={{ 'margin-top': '0.5rem' }}>
      <button
        type="button"
        disabled={props.offset === 0}
        onClick={() => props.onOffset(Math.max(0, props.offset - props.pageSize))}
      >
        Previous
      </button>
      <span class="small muted">
        {props.shown ? `${props.offset + 1}–${props.offset + props.shown}` : ''}
      </span>
      <button
        type="button"
        disabled={props.nextOffset === null}
        onClick={() => props.onOffset(props.nextOffset ?? 0)}
      >
        Next
      </button>
    </div>
  );
}
