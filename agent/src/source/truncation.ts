// A video file that ends before the frame count its header promised: an upload or a copy stopped
// midway, or damage the decoder cannot read past. Shared with the hub's upload worker
// (hub/src/uploads/worker.ts), so `process`, `check` and an upload judge a file alike.

/**
 * Headers estimate their frame count (an index rounded, a duration times a rate), so a file a few
 * frames short of it is not called cut short: 2 frames, or 1 % of a long file.
 */
export function endedEarly(framesRead: number, framesExpected: number | undefined): boolean {
  if (!framesExpected || framesExpected <= 0) return false;
  return framesRead < framesExpected - Math.max(2, framesExpected * 0.01);
}

/**
 * "The video ended after 16 of 795 frames: the file looks truncated or damaged; counts cover only the
 * part that could be read." `covered` names what the partial read limits; undefined when the file
 * did not end early.
 */
export function truncationWarning(
  framesRead: number,
  framesExpected: number | undefined,
  covered = 'counts cover',
  readToEnd = false,
): string | undefined {
  // Fewer frames than the header counts, but the last one is timed at the file's end: frames dropped
  // by the recorder, not a file cut short (FileSource.readToEnd).
  if (readToEnd || !endedEarly(framesRead, framesExpected)) return undefined;
  return `The video ended after ${framesRead} of ${framesExpected} frames: the file looks truncated or damaged; ${covered} only the part that could be read.`;
}
