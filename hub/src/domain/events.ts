/**
 * Domain events: raised by the code that changes the data (the API's routes), heard by the parts that
 * must react (config push, the live feed's store directory), so nothing reacts to request URLs.
 * Listeners run synchronously and must not throw; slow work (a config push) starts and is awaited by
 * its owner, not by the route.
 */

export interface DomainEventMap {
  /** What these devices run changed (cameras added, reassigned, changed or removed): push their configs. */
  'config-changed': { deviceIds: readonly string[] };
  /** An area or counting line of this camera was drawn, changed or removed. */
  'geometry-changed': { cameraId: string };
  /** A camera was added, changed (maybe to another box) or removed. */
  'camera-changed': { cameraId: string; storeId: string };
  /** A box moved to another store (its cameras moved with it or were detached). */
  'device-moved': { deviceId: string; fromStoreId: string; toStoreId: string };
  /** A box's credential was revoked: it may not connect until enrolled again. */
  'device-revoked': { deviceId: string };
  /** A box was deleted (its cameras stay, unassigned). */
  'device-removed': { deviceId: string };
  /** A store was renamed, given another time zone, or deleted with everything in it. */
  'store-changed': { storeId: string };
}

export type DomainEventName = keyof DomainEventMap;
export type DomainListener<E extends DomainEventName> = (event: DomainEventMap[E]) => void;

type AnyListener = (event: never) => void;

export class DomainEvents {
  private readonly listeners = new Map<DomainEventName, Set<AnyListener>>();

  /** @param onError where a throwing listener's error goes (it never reaches the route). */
  constructor(private readonly onError: (name: DomainEventName, error: unknown) => void = () => {}) {}

  /** Listens to `name`; returns the function that stops listening. */
  on<E extends DomainEventName>(name: E, listener: DomainListener<E>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Several events, one listener (e.g. every change that makes a store lookup stale). */
  onAny(names: readonly DomainEventName[], listener: () => void): () => void {
    const offs = names.map((name) => this.on(name, () => listener()));
    return () => {
      for (const off of offs) off();
    };
  }

  emit<E extends DomainEventName>(name: E, event: DomainEventMap[E]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as DomainListener<E>)(event);
      } catch (error) {
        this.onError(name, error);
      }
    }
  }
}

/** The distinct device ids among `ids` (a camera's old and new box), without the unassigned ones. */
export function deviceIds(...ids: readonly (string | null | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}
