/**
 * Which cameras someone watches right now, as the hub's signed watch requests say: each request
 * extends a camera's lease to `leaseMs` from when it arrived (the box's own clock, so the hub's clock
 * does not matter); `leaseMs: 0` ends it at once. A lease nobody renews simply runs out.
 */
export class VideoLeases {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A watch request arrived: `cameraId` is watched for `leaseMs` more (0: no longer). */
  renew(cameraId: string, leaseMs: number): void {
    if (leaseMs <= 0) this.until.delete(cameraId);
    else this.until.set(cameraId, this.now() + leaseMs);
  }

  /** Whether someone watches `cameraId` now; an expired lease is forgotten. */
  active(cameraId: string): boolean {
    const until = this.until.get(cameraId);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.until.delete(cameraId);
    return false;
  }
}
