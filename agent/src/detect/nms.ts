// Greedy non-maximum suppression on packed typed arrays (x1, y1, x2, y2 per box), no objects per box.

/** Intersection over union of box `a` in `boxesA` and box `b` in `boxesB` (packed x1,y1,x2,y2). */
export function iou(boxesA: ArrayLike<number>, a: number, boxesB: ArrayLike<number>, b: number): number {
  const ax1 = boxesA[a * 4]!;
  const ay1 = boxesA[a * 4 + 1]!;
  const ax2 = boxesA[a * 4 + 2]!;
  const ay2 = boxesA[a * 4 + 3]!;
  const bx1 = boxesB[b * 4]!;
  const by1 = boxesB[b * 4 + 1]!;
  const bx2 = boxesB[b * 4 + 2]!;
  const by2 = boxesB[b * 4 + 3]!;
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Reusable scratch space for {@link nms}, so a detector allocates nothing per frame once warmed up. */
export class NmsScratch {
  order = new Uint32Array(64);
  keep = new Uint8Array(64);
  boxes = new Float32Array(256);
  scores = new Float32Array(64);

  reserve(n: number): void {
    if (this.order.length >= n) return;
    const cap = Math.max(n, this.order.length * 2);
    this.order = new Uint32Array(cap);
    this.keep = new Uint8Array(cap);
    this.boxes = new Float32Array(cap * 4);
    this.scores = new Float32Array(cap);
  }
}

/**
 * Greedy NMS over the first `count` boxes: keeps the best-scoring box, drops every box that overlaps
 * a kept one by more than `iouThreshold`, and compacts the survivors in place at the front of
 * `boxes` / `scores`, best first. Returns how many survive (at most `maxKeep`).
 */
export function nms(
  boxes: Float32Array,
  scores: Float32Array,
  count: number,
  iouThreshold: number,
  scratch: NmsScratch,
  maxKeep = Number.POSITIVE_INFINITY,
): number {
  if (count === 0) return 0;
  scratch.reserve(count);
  const order = scratch.order.subarray(0, count);
  for (let i = 0; i < count; i++) order[i] = i;
  // Equal scores fall back on the boxes, not on their input order: OpenCV's HOG hands its hits back in
  // the order its threads finished, and the result must not depend on that (issue 12).
  order.sort((a, b) => scores[b]! - scores[a]! || byBox(boxes, a, b));
  const keep = scratch.keep;
  keep.fill(1, 0, count);
  const outBoxes = scratch.boxes;
  const outScores = scratch.scores;
  let kept = 0;
  for (let oi = 0; oi < count && kept < maxKeep; oi++) {
    const i = order[oi]!;
    if (!keep[i]) continue;
    outBoxes.set(boxes.subarray(i * 4, i * 4 + 4), kept * 4);
    outScores[kept] = scores[i]!;
    kept++;
    for (let oj = oi + 1; oj < count; oj++) {
      const j = order[oj]!;
      if (keep[j] && iou(boxes, i, boxes, j) > iouThreshold) keep[j] = 0;
    }
  }
  boxes.set(outBoxes.subarray(0, kept * 4));
  scores.set(outScores.subarray(0, kept));
  return kept;
}

/** Orders two boxes by x1, then y1, x2, y2. */
function byBox(boxes: Float32Array, a: number, b: number): number {
  for (let k = 0; k < 4; k++) {
    const d = boxes[a * 4 + k]! - boxes[b * 4 + k]!;
    if (d !== 0) return d;
  }
  return 0;
}
