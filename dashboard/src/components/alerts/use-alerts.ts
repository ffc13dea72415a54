/**
 * A store's alerts for the page: the ones going on now and the history a page at a time, loaded
 * again whenever the live feed tells of an alert of that store firing or clearing.
 */
import type { Alert } from '@oskartrack/protocol';
import { createEffect, createResource, createSignal, on } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { useApp } from '../../stores/app.tsx';
import { alertHistory, firingAlerts } from './api.ts';

const PAGE = 50;

export function useStoreAlerts(storeId: () => string | null) {
  const { api, live } = useApp();
  const [firing, { refetch: refetchFiring }] = createResource(storeId, (id) => firingAlerts(api, id));
  const [history, setHistory] = createSignal<Alert[]>([]);
  const [next, setNext] = createSignal<string | null>(null);
  const [error, setError] = createSignal('');

  const loadFirst = async (id: string) => {
    try {
      const page = await alertHistory(api, { storeId: id, limit: PAGE });
      setHistory(page.items);
      setNext(page.nextCursor);
      setError('');
    } catch (err) {
      setError(describeError(err));
    }
  };
  const more = async () => {
    const id = storeId();
    const cursor = next();
    if (!id || !cursor) return;
    try {
      const page = await alertHistory(api, { storeId: id, limit: PAGE, cursor });
      setHistory((h) => [...h, ...page.items]);
      setNext(page.nextCursor);
    } catch (err) {
      setError(describeError(err));
    }
  };

  createEffect(() => {
    const id = storeId();
    if (id) void loadFirst(id);
  });
  // An alert of this store fired or cleared: both lists change.
  createEffect(
    on(
      () => live.state.alerts[0],
      (latest) => {
        const id = storeId();
        if (!latest || latest.storeId !== id) return;
        void refetchFiring();
        void loadFirst(id);
      },
      { defer: true },
    ),
  );

  return {
    firing,
    history,
    hasMore: () => next() !== null,
    more,
    error: () => error() || (firing.error ? describeError(firing.error) : ''),
  };
}
