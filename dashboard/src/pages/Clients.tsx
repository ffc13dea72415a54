/**
 * Visitors: the anonymous visitor profiles (search, pages) and their visits; one visit's path drawn
 * on the camera picture with the time it spent in each area.
 */

import { createEffect, createResource, createSignal, type JSX, on, type Resource, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { listCustomers } from '../api/endpoints.ts';
import type { Customer } from '../api/types.ts';
import { ErrorNote, Loading, PageHeader, PlacePicker } from '../components/Common.tsx';
import { VisitorSearch } from '../components/visitors/VisitorSearch.tsx';
import { Pager, VisitorTable } from '../components/visitors/VisitorTable.tsx';
import { Visits } from '../components/visitors/Visits.tsx';
import { VisitView } from '../components/visitors/VisitView.tsx';
import { useApp } from '../stores/app.tsx';

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

export default function Clients(): JSX.Element {
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
    <div class="page">
      <PageHeader title="Visitors">
        <PlacePicker noCamera />
      </PageHeader>
      <p class="muted small" style={{ margin: 0 }}>
        Visitors are anonymous: a profile is a tracking number, never a name or a face.
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
          <Show when={visitId()} fallback={<p class="muted">Choose a visit to see the way it walked.</p>}>
            {(id) => <VisitView id={id()} />}
          </Show>
        </section>
      </div>
    </div>
  );
}
