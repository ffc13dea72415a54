/**
 * The installer's view of visitors: anonymous profiles with their tracking numbers, each visit as the
 * box recorded it, and one visit's path drawn on the camera picture: to check that counting works.
 */
import { createEffect, createResource, createSignal, type JSX, on, type Resource, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { listCustomers } from '../../api/endpoints.ts';
import type { Customer } from '../../api/types.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote, Loading } from '../Common.tsx';
import { VisitorSearch } from './VisitorSearch.tsx';
import { Pager, VisitorTable } from './VisitorTable.tsx';
import { Visits } from './Visits.tsx';
import { VisitView } from './VisitView.tsx';

const PAGE = 20;

type CustomerPage = Awaited<ReturnType<typeof listCustomers>>;

/** One page of visitor profiles with its pager; a spinner while the first page loads. */
function CustomerList(props: {
  customers: Resource<CustomerPage>;
  offset: number;
  selectedId: Customer['id'] | undefined;
  onSelect: (c: Customer) => void;
  onOffset: (offset: number) => void;
}): JSX.Element {
  return (
    <Show
      when={props.customers()}
      fallback={
        <Show when={!props.customers.error}>
          <Loading />
        </Show>
      }
    >
      {(page) => (
        <>
          <VisitorTable items={page().items} selectedId={props.selectedId} onSelect={props.onSelect} />
          <Pager
            offset={props.offset}
            shown={page().items.length}
            pageSize={PAGE}
            nextOffset={page().nextOffset}
            onOffset={props.onOffset}
          />
        </>
      )}
    </Show>
  );
}

export function InstallerVisits(): JSX.Element {
  const { api, choice } = useApp();
  const [search, setSearch] = createSignal('');
  const [offset, setOffset] = createSignal(0);
  const [customer, setCustomer] = createSignal<Customer | null>(null);
  const [visitId, setVisitId] = createSignal<number | null>(null);
  createEffect(
    on(
      () => choice.state.storeId,
      () => {
        setOffset(0);
        setCustomer(null);
        setVisitId(null);
      },
      { defer: true },
    ),
  );
  const [customers, { refetch }] = createResource(
    () =>
      choice.state.storeId ? { storeId: choice.state.storeId, search: search(), offset: offset() } : null,
    (q) =>
      listCustomers(api, {
        storeId: q.storeId,
        search: q.search || undefined,
        offset: q.offset,
        limit: PAGE,
      }),
  );
  const choose = (c: Customer) => {
    setCustomer(c);
    setVisitId(null);
  };
  return (
    <div class="stack" data-testid="installer-visits">
      <p class="note small">
        For installers: each visit as the boxes recorded it. A tracking number is the anonymous id a box gives
        a person it may see again (never a name or a face); a track number (#) is the id the camera's tracker
        gave that person during one visit. Open a visit to check on the picture that the path follows where
        the person really walked.
      </p>
      <div class="grid two">
        <section class="card">
          <VisitorSearch
            onSearch={(text) => {
              setOffset(0);
              setSearch(text);
            }}
          />
          <ErrorNote
            text={customers.error ? describeError(customers.error) : ''}
            onRetry={() => void refetch()}
          />
          <CustomerList
            customers={customers}
            offset={offset()}
            selectedId={customer()?.id}
            onSelect={choose}
            onOffset={setOffset}
          />
          <Visits customer={customer()} selected={visitId()} onSelect={setVisitId} pageSize={PAGE} />
        </section>
        <section class="card">
          <Show
            when={visitId()}
            fallback={<p class="muted">Choose a visit in the list to draw its path on the camera picture.</p>}
          >
            {(id) => <VisitView id={id()} />}
          </Show>
        </section>
      </div>
    </div>
  );
}
