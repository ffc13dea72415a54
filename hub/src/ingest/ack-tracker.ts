/**
 * One device's gap-free point: the highest seq such that every seq up to it is stored (or, below a
 * batch's `floor`, acknowledged before or dropped by the agent). Seqs stored above a gap are kept as
 * sorted, disjoint ranges (batches are runs of seqs, so a few ranges cover a big backlog); there are
 * at most `maxRanges` of them, the highest dropped first, which is safe: the agent resends what is
 * not acknowledged and a redelivered batch adds its range again.
 */
export class AckTracker {
  /** Sorted, disjoint, non-adjacent [first, last] runs, every one above `upTo + 1`. */
  private ranges: [number, number][] = [];

  constructor(
    private gapFree = 0,
    private readonly maxRanges = 4096,
  ) {}

  /** Everything up to here is stored: the Ack's `upToSeq`. */
  get upTo(): number {
    return this.gapFree;
  }

  /** Runs held above the gap (for stats and tests). */
  get pendingRanges(): number {
    return this.ranges.length;
  }

  clone(): AckTracker {
    const c = new AckTracker(this.gapFree, this.maxRanges);
    c.ranges = this.ranges.map(([a, b]) => [a, b]);
    return c;
  }

  /** Every seq up to `seq` is done (a batch floor minus one, or a run found stored in the database). */
  raiseTo(seq: number): void {
    if (seq <= this.gapFree) return;
    this.gapFree = seq;
    this.advance();
  }

  /** Seqs `first`..`last` are stored. */
  addRange(first: number, last: number): void {
    if (last <= this.gapFree) return;
    let a = Math.max(first, this.gapFree + 1);
    let b = last;
    const out: [number, number][] = [];
    let placed = false;
    for (const r of this.ranges) {
      if (r[1] < a - 1) out.push(r);
      else if (r[0] > b + 1) {
        if (!placed) {
          out.push([a, b]);
          placed = true;
        }
        out.push(r);
      } else {
        a = Math.min(a, r[0]);
        b = Math.max(b, r[1]);
      }
    }
    if (!placed) out.push([a, b]);
    this.ranges = out;
    this.advance();
    if (this.ranges.length > this.maxRanges) this.ranges.length = this.maxRanges;
  }

  /** Adds ascending seqs, run by run. */
  addSeqs(seqs: readonly number[]): void {
    let i = 0;
    while (i < seqs.length) {
      let j = i;
      while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++;
      this.addRange(seqs[i]!, seqs[j]!);
      i = j + 1;
    }
  }

  private advance(): void {
    while (this.ranges.length > 0 && this.ranges[0]![0] <= this.gapFree + 1) {
      this.gapFree = Math.max(this.gapFree, this.ranges[0]![1]);
      this.ranges.shift();
    }
  }
}
