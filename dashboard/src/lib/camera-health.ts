/**
 * A camera's picture as its box reports it (DeviceStatus.cameras[] in protocol/src/messages.ts), read
 * defensively, and said in plain words: "no picture since 10:42 (reconnecting)", "lost the picture 3
 * times in the last 24 hours, 2 min in total".
 */
import { formatDuration } from './format.ts';

export interface CameraHealth {
  cameraId: string;
  state: string;
  fps?: number | undefined;
  error?: string | undefined;
  problem?: string | undefined;
  since?: number | undefined;
  lastFrameAt?: number | undefined;
  gaps?: number | undefined;
  gapMs?: number | undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The `cameras` of a status message; entries without a camera id or state are left out. */
export function camerasOf(v: unknown): CameraHealth[] {
  if (!Array.isArray(v)) return [];
  const out: CameraHealth[] = [];
  for (const c of v) {
    if (!isObj(c)) continue;
    const cameraId = str(c.cameraId);
    const state = str(c.state);
    if (!cameraId || !state) continue;
    out.push({
      cameraId,
      state,
      fps: num(c.fps),
      error: str(c.error),
      problem: str(c.problem),
      since: num(c.since),
      lastFrameAt: num(c.lastFrameAt),
      gaps: num(c.gaps),
      gapMs: num(c.gapMs),
    });
  }
  return out;
}

/** What to do about each problem, when the box's own words are missing. */
const ADVICE: Record<string, string> = {
  unreachable: 'the camera cannot be reached: check it is on and connected',
  'not-answering': 'the camera takes the connection but does not answer: restart it',
  credentials: 'the camera refused the user name or password: correct them on the hub',
  'not-found': 'the camera has no stream at this address: check the path',
  'no-picture': 'the camera answered but sent no picture the box can read',
  stalled: 'the camera stopped sending pictures',
};

export interface HealthWords {
  /** false while the camera gives no picture. */
  ok: boolean;
  /** "Camera Door: no picture since 10:42 (reconnecting)". */
  headline: string;
  /** Why, and the gaps of the last 24 hours; empty when there is nothing to add. */
  detail: string;
}

function hhmm(t: number): string {
  return new Date(t).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

function gapWords(h: CameraHealth): string {
  const n = h.gaps ?? 0;
  if (n === 0) return '';
  const times = n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
  return `Lost the picture ${times} in the last 24 hours, ${formatDuration(h.gapMs ?? 0)} in total.`;
}

/** Plain words for a camera's picture; `time` formats a clock time (the browser's by default). */
export function describeHealth(
  name: string,
  h: CameraHealth,
  time: (t: number) => string = hhmm,
): HealthWords {
  const gaps = gapWords(h);
  if (h.state === 'running') return { ok: true, headline: `Camera ${name}: picture OK`, detail: gaps };
  if (h.state === 'starting') {
    return { ok: true, headline: `Camera ${name}: connecting to the camera…`, detail: gaps };
  }
  if (h.state === 'stopped') return { ok: false, headline: `Camera ${name}: stopped`, detail: gaps };
  const from = h.lastFrameAt ?? h.since;
  const when = from !== undefined ? ` since ${time(from)}` : '';
  const doing = h.state === 'reconnecting' ? ' (reconnecting)' : ' (gave up: check the box)';
  const why = h.error || (h.problem ? ADVICE[h.problem] : undefined) || '';
  const detail = [why ? `${why[0]!.toUpperCase()}${why.slice(1)}.` : '', gaps].filter(Boolean).join(' ');
  return { ok: false, headline: `Camera ${name}: no picture${when}${doing}`, detail };
}
