/**
 * Which cameras someone watches right now, as the hub's signed watch requests say: each request
 * extends a camera's lease to `leaseMs` from when it arrived (the box's own clock, so the hub's clock
 * does not matter); `leaseMs: 0` ends it at once. A lease nobody renews simply runs out. Each hub
 * process (the request's `hub`) holds a lease of its own: a camera is watched while any lease runs.
 */
export class VideoLeases {
  /** Camera id → hub id ('' for a hub that does not name itself) → lease end. */
  private readonly until = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A watch request arrived: `cameraId` is watched for `leaseMs` more by `hub` (0: no longer). */
  renew(cameraId: string, leaseMs: number, hub = ''): void {
    let leases = this.until.get(cameraId);
    if (leaseMs <= 0) {
      leases?.delete(hub);
      if (leases?.size === 0) this.until.delete(cameraId);
      return;
    }
    if (!leases) {
      leases = new Map();
      this.until.set(cameraId, leases);
    }
    leases.set(hub, this.now() + leaseMs);
  }

  /** Whether someone watches `cameraId` now; expired leases are forgotten. */
  active(cameraId: string): boolean {
    const leases = this.until.get(cameraId);
    if (!leases) return false;
    const now = this.now();
    for (const [hub, until] of leases) if (now >= until) leases.delete(hub);
    if (leases.size > 0) return true;
    this.until.delete(cameraId);
    return false;
  }
}
