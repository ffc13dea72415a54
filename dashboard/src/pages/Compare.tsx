/**
 * Stores compared (head office): every store the user sees in a row, with visitors, entrances,
 * average time spent, change against the previous period and rank; sortable by each column,
 * filtered by name, and downloadable as CSV. The hub decides which stores the user may see.
 */
import { createMemo, createResource, createSignal, type JSX, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { storesTable } from '../api/endpoints.ts';
import { ErrorNote, Loading, PageHeader } from '../components/Common.tsx';
import { dayRangeWords } from '../components/compare/change-words.ts';
import { comparedDays } from '../components/compare/periods.ts';
import { StoresTable } from '../components/compare/StoresTable.tsx';
import { saveCsv, storesCsv, storesCsvName } from '../components/compare/stores-csv.ts';
import { filterRows, nextSorting, type Sorting, sortRows } from '../components/compare/stores-sort.ts';
import { Icon } from '../components/Icon.tsx';
import { lastAnswer, useChosenRange } from '../components/numbers/query.ts';
import { RangePicker } from '../components/numbers/RangePicker.tsx';
import { includeRecordings } from '../components/upload/recordings-choice.ts';
import { useApp } from '../stores/app.tsx';

export default function Compare(): JSX.Element {
  const { api, choice, places } = useApp();
  // The store list decides whether the menu offers this page: load it when the page is opened first.
  void places.actions.load();
  const range = useChosenRange();
  const [sorting, setSorting] = createSignal<Sorting>({ column: 'rank', order: 'ascending' });
  const [filter, setFilter] = createSignal('');
  const request = createMemo(() => {
    const r = range();
    if ('error' in r) return null;
    return { from: r.from, to: r.to, ...(includeRecordings() ? { includeRecordings: true } : {}) };
  });
  const [table, { refetch }] = createResource(request, (r) => storesTable(api, r));
  const rows = () => sortRows(filterRows(lastAnswer(table)?.stores ?? [], filter()), sorting());
  const previous = () => comparedDays('previous', choice.state.range);

  return (
    <div class="page">
      <PageHeader title="Stores compared">
        <RangePicker value={choice.state.range} onChange={(r) => choice.actions.setRange(r)} />
      </PageHeader>
      <ErrorNote text={'error' in range() ? (range() as { error: string }).error : ''} />
      <ErrorNote text={table.error ? describeError(table.error) : ''} onRetry={() => void refetch()} />
      <section class="card">
        <div class="toolbar" style={{ 'margin-bottom': '0.5rem', 'justify-content': 'space-between' }}>
          <div class="picker">
            <label>
              <span>Find a store</span>
              <input
                type="search"
                data-testid="store-filter"
                placeholder="Part of the name"
                value={filter()}
                onInput={(e) => setFilter(e.currentTarget.value)}
              />
            </label>
          </div>
          <button
            type="button"
            data-testid="stores-csv"
            disabled={!rows().length}
            onClick={() => saveCsv(storesCsv(rows()), storesCsvName(choice.state.range))}
          >
            <Icon name="download" /> Download for a spreadsheet (CSV)
          </button>
        </div>
        <Show when={previous()}>
          {(p) => (
            <p class="small muted" data-testid="compared-with">
              {dayRangeWords(choice.state.range)}, compared with {dayRangeWords(p())}. Click a column's name
              to sort by it.
            </p>
          )}
        </Show>
        <Show
          when={lastAnswer(table)}
          fallback={<Show when={!table.error}>{<Loading text="Counting…" />}</Show>}
        >
          <Show
            when={rows().length}
            fallback={
              <p class="muted" data-testid="no-stores">
                {filter().trim()
                  ? `No store's name holds "${filter().trim()}". Clear the search to see every store.`
                  : 'No stores to show. An administrator assigns stores under Stores & users.'}
              </p>
            }
          >
            <StoresTable
              rows={rows()}
              sorting={sorting()}
              onSort={(c) => setSorting(nextSorting(sorting(), c))}
            />
          </Show>
        </Show>
      </section>
    </div>
  );
}
