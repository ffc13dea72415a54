/**
 * A request for a camera the box does not run yet waits a little for the configuration that brings
 * it: the hub may ask (a check, a picture) right after assigning the camera, while the box is still
 * applying the configuration that came just before the request.
 */
export class ConfigWaits {
  private readonly waiters = new Set<() => void>();

  /** `find()` as soon as it gives something, or undefined when `ms` pass without it. */
  until<T>(find: () => T | undefined, ms: number): Promise<T | undefined> {
    const now = find();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (value: T | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(look);
        resolve(value);
      };
      const look = () => {
        const value = find();
        if (value !== undefined) done(value);
      };
      const timer = setTimeout(() => done(undefined), ms);
      this.waiters.add(look);
    });
  }

  /** Called after each configuration is applied. */
  applied(): void {
    for (const look of [...this.waiters]) look();
  }
}
