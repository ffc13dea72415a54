/** A visitor's visits, or the store's latest visits when no visitor is chosen; a page at a time. */

import { createEffect, createResource, createSignal, For, type JSX, on, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { listVisits } from '../../api/endpoints.ts';
import type { Customer, Visit } from '../../api/types.ts';
import { formatDateTime, formatDuration, presetRange, rangeToIso } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';

const DAY_MS = 86_400_000;

/** The days to look in: around a visitor's first and last sighting, else the last 7 days. */
function visitRange(c: Customer | null): { from: string; to: string } | null {
  if (c)
    return {
      from: new Date(Date.parse(c.firstSeenAt) - DAY_MS).toISOString(),
      to: new Date(Date.parse(c.lastSeenAt) + DAY_MS).toISOString(),
    };
  const r = rangeToIso(presetRange('7d'));
  return 'error' in r ? null : r;
}

function VisitTable(props: {
  items: Visit[];
  selected: number | null;
  onSelect: (id: number) => void;
}): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="table" data-testid="visits">
        <thead>
          <tr>
            <th>Started</th>
            <th>Time spent</th>
            <th>Track</th>
          </tr>
        </thead>
        <tbody>
          <For
            each={props.items}
            fallback={
              <tr>
                <td colSpan={3} class="muted">
                  No visits.
                </td>
              </tr>
            }
          >
            {(v) => (
              <tr
                class="clickable"
                classList={{ selected: props.selected === v.id }}
                onClick={() => props.onSelect(v.id)}
              >
                <td>{formatDateTime(v.startedAt)}</td>
                <td>{formatDuration(v.durationMs)}</td>
                <td>#{v.trackId}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}

export function Visits(props: {
  customer: Customer | null;
  selected: number | null;
  onSelect: (id: number) => void;
  pageSize: number;
}): JSX.Element {
  const { api, choice } = useApp();
  // The cursors of the pages shown so far: the last one is the page on screen.
  const [cursors, setCursors] = createSignal<string[]>([]);
  createEffect(
    on(
      () => [props.customer?.id, choice.state.storeId],
      () => setCursors([]),
    ),
  );
  const [visits] = createResource(
    () => {
      const r = visitRange(props.customer);
      return r && choice.state.storeId
        ? { ...r, storeId: choice.state.storeId, customerId: props.customer?.id, cursor: cursors().at(-1) }
        : null;
    },
    (q) => listVisits(api, { ...q, limit: props.pageSize }),
  );
  return (
    <div style={{ 'margin-top': '1rem' }}>
      <h3>{props.customer ? `Visits of ${props.customer.trackingId}` : 'Visits in the last 7 days'}</h3>
      <ErrorNote text={visits.error ? describeError(visits.error) : ''} />
      <Show when={visits()}>
        {(page) => (
          <>
            <VisitTable items={page().items} selected={props.selected} onSelect={props.onSelect} />
            <div class="toolbar" style={{ 'margin-top': '0.5rem' }}>
              <button
                type="button"
                disabled={!cursors().length}
                onClick={() => setCursors(cursors().slice(0, -1))}
              >
                First page
              </button>
              <button
                type="button"
                disabled={!page().nextCursor}
                onClick={() => setCursors([...cursors(), page().nextCursor!])}
              >
                More
              </button>
            </div>
          </>
        )}
      </Show>
    </div>
  );
}
