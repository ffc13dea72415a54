/**
 * Visitors: the anonymous visitor profiles (search, pages) and their visits; one visit's path drawn
 * on the camera picture with the time it spent in each area.
 */
import { createEffect, createResource, createSignal, For, type JSX, on, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import type { Customer, Page, Visit, VisitDetail } from '../api/types.ts';
import { CameraPicture } from '../components/CameraPicture.tsx';
import { ErrorNote, Loading, PageHeader, PlacePicker } from '../components/Common.tsx';
import { AreasLayer, PathLayer, useGeometry } from '../components/Scene.tsx';
import { formatCount, formatDateTime, formatDuration, presetRange, rangeToIso } from '../lib/format.ts';
import { useApp } from '../stores/app.tsx';

const PAGE = 20;

export default function Clients(): JSX.Element {
  const { api, choice } = useApp();
  const [search, setSearch] = createSignal('');
  const [typed, setTyped] = createSignal('');
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
      api.get<{ items: Customer[]; nextOffset: number | null }>('/api/customers', {
        storeId: q.storeId,
        search: q.search || undefined,
        offset: q.offset,
        limit: PAGE,
      }),
  );

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
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              setOffset(0);
              setSearch(typed().trim());
            }}
          >
            <label style={{ flex: 1 }}>
              <span>Search by tracking number</span>
              <input
                type="search"
                data-testid="visitor-search"
                value={typed()}
                onInput={(e) => setTyped(e.currentTarget.value)}
              />
            </label>
            <button type="submit">Search</button>
          </form>
          <ErrorNote
            text={customers.error ? describeError(customers.error) : ''}
            onRetry={() => void refetch()}
          />
          <Show
            when={customers()}
            fallback={
              <Show when={!customers.error}>
                <Loading />
              </Show>
            }
          >
            {(page) => (
              <>
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
                        each={page().items}
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
                            classList={{ selected: customer()?.id === c.id }}
                            onClick={() => {
                              setCustomer(c);
                              setVisitId(null);
                            }}
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
                <div class="toolbar" style={{ 'margin-top': '0.5rem' }}>
                  <button
                    type="button"
                    disabled={offset() === 0}
                    onClick={() => setOffset(Math.max(0, offset() - PAGE))}
                  >
                    Previous
                  </button>
                  <span class="small muted">
                    {page().items.length ? `${offset() + 1}–${offset() + page().items.length}` : ''}
                  </span>
                  <button
                    type="button"
                    disabled={page().nextOffset === null}
                    onClick={() => setOffset(page().nextOffset ?? 0)}
                  >
                    Next
                  </button>
                </div>
              </>
            )}
          </Show>
          <Visits customer={customer()} selected={visitId()} onSelect={setVisitId} />
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

/** A visitor's visits, or the store's latest visits when no visitor is chosen; a page at a time. */
function Visits(props: {
  customer: Customer | null;
  selected: number | null;
  onSelect: (id: number) => void;
}): JSX.Element {
  const { api, choice } = useApp();
  const [cursors, setCursors] = createSignal<string[]>([]);
  createEffect(
    on(
      () => [props.customer?.id, choice.state.storeId],
      () => setCursors([]),
    ),
  );
  const range = () => {
    const c = props.customer;
    if (c) {
      return {
        from: new Date(Date.parse(c.firstSeenAt) - 86_400_000).toISOString(),
        to: new Date(Date.parse(c.lastSeenAt) + 86_400_000).toISOString(),
      };
    }
    const r = rangeToIso(presetRange('7d'));
    return 'error' in r ? null : r;
  };
  const [visits] = createResource(
    () => {
      const r = range();
      return r && choice.state.storeId
        ? { ...r, storeId: choice.state.storeId, customerId: props.customer?.id, cursor: cursors().at(-1) }
        : null;
    },
    (q) => api.get<Page<Visit>>('/api/visits', { ...q, limit: PAGE }),
  );
  return (
    <div style={{ 'margin-top': '1rem' }}>
      <h3>{props.customer ? `Visits of ${props.customer.trackingId}` : 'Visits in the last 7 days'}</h3>
      <ErrorNote text={visits.error ? describeError(visits.error) : ''} />
      <Show when={visits()}>
        {(page) => (
          <>
            <div class="table-wrap">
              <table class="table" data-testid="visits">
                <thead>
                  <tr>
                    <th>Started</th>
                    <th>Time spent</th>
                    <th>Person</th>
                  </tr>
                </thead>
                <tbody>
                  <For
                    each={page().items}
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

function VisitView(props: { id: number }): JSX.Element {
  const { api, places } = useApp();
  const [visit] = createResource(
    () => props.id,
    (id) => api.get<VisitDetail>(`/api/visits/${id}`),
  );
  const [geometry] = useGeometry(() => visit()?.cameraId);
  const camera = () => places.state.cameras.find((c) => c.id === visit()?.cameraId);
  const zoneName = (id: string) => geometry()?.zones.find((z) => z.id === id)?.name ?? 'Removed area';
  return (
    <>
      <ErrorNote text={visit.error ? describeError(visit.error) : ''} />
      <Show
        when={visit()}
        fallback={
          <Show when={!visit.error}>
            <Loading />
          </Show>
        }
      >
        {(v) => (
          <div class="stack">
            <h2>
              Visit on {formatDateTime(v().startedAt)} · {formatDuration(v().durationMs)}
            </h2>
            <CameraPicture camera={camera()} testId="visit-picture">
              {() => (
                <>
                  <AreasLayer zones={geometry()?.zones ?? []} lines={[]} />
                  <PathLayer path={v().path} />
                </>
              )}
            </CameraPicture>
            <p class="small muted">Green: where the visitor came into view; red: where they left.</p>
            <table class="table" data-testid="visit-areas">
              <thead>
                <tr>
                  <th>Area</th>
                  <th>Time spent</th>
                  <th>Times entered</th>
                </tr>
              </thead>
              <tbody>
                <For
                  each={v().zones}
                  fallback={
                    <tr>
                      <td colSpan={3} class="muted">
                        This visit did not enter any area.
                      </td>
                    </tr>
                  }
                >
                  {(z) => (
                    <tr>
                      <td>{zoneName(z.zoneId)}</td>
                      <td>{formatDuration(z.dwellMs)}</td>
                      <td>{formatCount(z.entries)}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        )}
      </Show>
    </>
  );
}
