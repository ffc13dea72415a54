/**
 * The head-office table: a store a row, sortable by clicking a column's header. It scrolls sideways
 * inside its card on a narrow phone rather than widening the page.
 */
import type { StoresTableRow } from '@oskartrack/protocol';
import { For, type JSX, Show } from 'solid-js';
import { formatCount, formatDuration } from '../../lib/format.ts';
import { direction, percentChange } from './change-words.ts';
import { COLUMNS, type Sorting, type StoreColumn } from './stores-sort.ts';

const ARROWS = { ascending: ' ▲', descending: ' ▼' } as const;
const COLOURS = { up: '#166534', down: 'var(--red)', none: 'var(--muted)' } as const;

function ChangeCell(props: { change: number | null }): JSX.Element {
  return (
    <span style={{ color: COLOURS[direction(props.change)] }}>
      {props.change === null ? 'no data to compare' : percentChange(props.change)}
    </span>
  );
}

function value(row: StoresTableRow, column: StoreColumn): JSX.Element {
  switch (column) {
    case 'rank':
      return String(row.rank);
    case 'name':
      return row.name;
    case 'visitors':
      return formatCount(row.visitors);
    case 'entries':
      return formatCount(row.entries);
    case 'averageTimeSpentMs':
      return formatDuration(row.averageTimeSpentMs);
    case 'change':
      return <ChangeCell change={row.changes.visitors} />;
  }
}

export function StoresTable(props: {
  rows: StoresTableRow[];
  sorting: Sorting;
  onSort: (column: StoreColumn) => void;
}): JSX.Element {
  return (
    <div class="table-wrap" data-testid="stores-table-wrap">
      <table class="table" data-testid="stores-table">
        <thead>
          <tr>
            <For each={COLUMNS}>
              {(c) => (
                <th
                  scope="col"
                  aria-sort={props.sorting.column === c.id ? props.sorting.order : 'none'}
                  style={{ 'text-align': c.numeric && c.id !== 'rank' ? 'right' : 'left' }}
                >
                  <button
                    type="button"
                    class="ghost small"
                    data-testid={`sort-${c.id}`}
                    style={{ padding: '0.1rem 0.2rem', 'white-space': 'normal', 'text-align': 'inherit' }}
                    onClick={() => props.onSort(c.id)}
                  >
                    {c.label}
                    <Show when={props.sorting.column === c.id}>{ARROWS[props.sorting.order]}</Show>
                  </button>
                </th>
              )}
            </For>
          </tr>
        </thead>
        <tbody>
          <For each={props.rows}>
            {(row) => (
              <tr data-testid="store-row" data-store={row.storeId}>
                <For each={COLUMNS}>
                  {(c) => (
                    <td
                      data-column={c.id}
                      style={{ 'text-align': c.numeric && c.id !== 'rank' ? 'right' : 'left' }}
                    >
                      {value(row, c.id)}
                    </td>
                  )}
                </For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}
