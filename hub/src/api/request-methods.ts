/**
 * Whether a request may change anything: every method but GET, HEAD and OPTIONS, whatever its status.
 * Kept answers and kept callers are dropped after such a request (plugins/app/answer-cache.ts, auth.ts).
 */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function mayWrite(method: string): boolean {
  return !READS.has(method);
}
