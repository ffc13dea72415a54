import { createStore, type SetStoreFunction, type Store } from 'solid-js/store';

/**
 * One store per domain: its state (read-only outside) and the actions that change it. Frequent live
 * updates use path-based setState (`set('cameras', id, 'tracks', tracks)`) so only what changed
 * re-renders.
 */
export interface DomainStore<T extends object, A> {
  readonly state: Store<T>;
  readonly actions: A;
}

export function defineStore<T extends object, A>(
  initial: T,
  actions: (state: Store<T>, set: SetStoreFunction<T>) => A,
): DomainStore<T, A> {
  const [state, set] = createStore<T>(initial);
  return { state, actions: actions(state, set) };
}
