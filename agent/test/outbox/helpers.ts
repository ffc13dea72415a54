import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackingEvent } from '@oskartrack/protocol';
import pino from 'pino';

/** A line-crossing event; `n` goes into the track id so tests can tell events apart. */
export function crossing(n: number, at = 1_700_000_000_000 + n): TrackingEvent {
  return { kind: 'line_crossed', cameraId: 'cam1', at, trackId: n, lineId: 'door', direction: 'in' };
}

export function events(from: number, count: number): TrackingEvent[] {
  return Array.from({ length: count }, (_, i) => crossing(from + i));
}

export function tempDir(prefix: string): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    dir,
    file: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CapturedLog {
  logger: pino.Logger;
  lines: Array<{ level: number; msg: string } & Record<string, unknown>>;
}

/** A pino logger that keeps its lines in memory. */
export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line) as CapturedLog['lines'][number]) },
  );
  return { logger, lines };
}
