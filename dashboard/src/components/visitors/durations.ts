/** Visit-duration buckets in everyday words: "Under 1 min", "1–5 min", "15 min or more". */

/** 60_000 → "1 min", 90_000 → "1.5 min", 30_000 → "30 s", 3_600_000 → "1 h". */
export function spanWords(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  const min = ms / 60_000;
  return `${Number.isInteger(min) ? min : min.toFixed(1)} min`;
}

/** The label of the bucket [fromMs, toMs). */
export function bucketWords(b: { fromMs: number; toMs: number | null }): string {
  if (b.toMs === null) return `${spanWords(b.fromMs)} or more`;
  if (b.fromMs === 0) return `Under ${spanWords(b.toMs)}`;
  const from = spanWords(b.fromMs);
  const to = spanWords(b.toMs);
  // "1–5 min" rather than "1 min–5 min" when both ends use the same unit.
  const unit = to.split(' ')[1];
  return from.endsWith(` ${unit}`) ? `${from.split(' ')[0]}–${to}` : `${from}–${to}`;
}
