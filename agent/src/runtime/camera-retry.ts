// How a camera that failed is described and retried: a video file is a path on this box, so its problem
// is said in the box's words; retries back off (a missing file does not appear every 5 seconds), and a
// new configuration from the hub retries at once (the agent restarts failed cameras on every change).

/** Delay before the next attempt after `failures` failures in a row: base, 2x, 4x... up to `maxMs`. */
export function retryDelay(failures: number, baseMs: number, maxMs = 5 * 60_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(failures, 20)));
}

/** An attempt that ran this long before failing was a success: the next failure starts from the base delay. */
export const HEALTHY_RUN_MS = 60_000;

const FILE_REASONS: [RegExp, (path: string) => string][] = [
  [/does not exist/, (p) => `the file ${p} does not exist on the box`],
  [/permission denied/i, (p) => `the agent may not read the file ${p} on the box (permission denied)`],
  [/is a directory/, (p) => `${p} on the box is a folder, not a video file`],
  [/file is empty/, (p) => `the file ${p} on the box is empty`],
  [
    /could not open it as a video|no frame could be decoded|decoding the first frame failed/,
    (p) => `the file ${p} on the box is not a video this box can read (or it is damaged)`,
  ],
];

/** A file camera's error in plain words naming the path on the box; other errors unchanged. */
export function describeFileError(path: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  for (const [pattern, say] of FILE_REASONS) if (pattern.test(message)) return say(path);
  return message;
}
