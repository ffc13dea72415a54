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
  /** covered, moved or dark: what the box sees wrong with a running camera's picture. */
  picture?: string | undefined;
  pictureSince?: number | undefined;
  /** Pictures skipped to keep up with a live camera. */
  dropped?: number | undefined;
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
      picture: str(c.picture),
      pictureSince: num(c.pictureSince),
      dropped: num(c.dropped),
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

/** What the box sees wrong with a running camera's picture, and what to do. */
const PICTURE_WORDS: Record<string, string> = {
  covered: 'the picture looks covered: check nothing is in front of the lens',
  moved: 'the camera seems to have been moved or turned: put it back, or redraw the areas and lines',
  dark: 'the picture is too dark to see people: add light, or check the camera’s night mode',
};

function droppedWords(h: CameraHealth): string {
  const n = h.dropped ?? 0;
  if (n === 0) return '';
  return `${n} pictures skipped to keep up with the camera: the box is slower than the camera's frame rate (let the box choose every how many pictures it looks, or use the lighter detector).`;
}

/** Plain words for a camera's picture; `time` formats a clock time (the browser's by default). */
export function describeHealth(
  name: string,
  h: CameraHealth,
  time: (t: number) => string = hhmm,
): HealthWords {
  const gaps = [gapWords(h), droppedWords(h)].filter(Boolean).join(' ');
  if (h.state === 'running' && h.picture) {
    const when = h.pictureSince !== undefined ? ` since ${time(h.pictureSince)}` : '';
    const words = PICTURE_WORDS[h.picture] ?? `the picture looks wrong (${h.picture})`;
    return {
      ok: false,
      headline: `Camera ${name}: ${words.split(':')[0]}${when}`,
      detail: [`${words[0]!.toUpperCase()}${words.slice(1)}.`, gaps].filter(Boolean).join(' '),
    };
  }
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

/** What an installer does next about a camera without picture, when the box gave no advice. */
export function cameraNextStep(h: CameraHealth): string {
  if (h.state === 'running' || h.state === 'starting') return '';
  if (h.state === 'stopped')
    return 'The box stopped reading this camera: check that counting is on for it, or restart the agent on the box.';
  const advice = h.problem ? ADVICE[h.problem] : undefined;
  const then = 'On the box, "npx --no oskartrack-agent doctor" tries the camera and says what fails.';
  return advice ? `Next: ${advice}. ${then}` : `Next: ${then}`;
}

/** The box's last error about this camera and since when; undefined while it has a picture. */
export function lastCameraError(h: CameraHealth): { text: string; at?: number | undefined } | undefined {
  if (h.state === 'running' || h.state === 'starting') return undefined;
  const text = h.error || (h.problem ? ADVICE[h.problem] : undefined);
  if (!text) return undefined;
  return { text: `${text[0]!.toUpperCase()}${text.slice(1)}`, at: h.since ?? h.lastFrameAt };
}

/** A box's link to the hub as the devices list tells it. */
export interface BoxLink {
  name: string;
  online: boolean;
  /** Locked out: its credential was revoked (absent from older hubs). */
  revoked?: boolean;
  /** ISO time, or null when never heard from. */
  lastSeenAt: string | null;
  outboxDepth: number;
  outboxOldestAgeMs: number;
}

export interface BoxWords {
  ok: boolean;
  headline: string;
  /** What to do next; empty when all is well. */
  next: string;
}

/** Counts waiting on a box this long mean they are not getting through. */
const STUCK_MS = 5 * 60_000;

/** Plain words for a box's link to the hub; `time` formats a moment (the browser's clock time by default). */
export function describeBox(b: BoxLink, time: (t: number) => string = hhmm): BoxWords {
  const status = '"npx --no oskartrack-agent status" on the box names what fails (the hub link, the cameras)';
  if (b.revoked) {
    return {
      ok: false,
      headline: `Box ${b.name}: locked out, it cannot connect to the hub`,
      next: 'Next: to use it again, make a new enrollment code on this page and run the enrollment command on the box.',
    };
  }
  if (!b.lastSeenAt) {
    return {
      ok: false,
      headline: `Box ${b.name}: has never connected`,
      next: `Next: on the box, run the enrollment command, then "npx --no oskartrack-agent run"; ${status}.`,
    };
  }
  if (!b.online) {
    return {
      ok: false,
      headline: `Box ${b.name}: offline since ${time(Date.parse(b.lastSeenAt))}`,
      next: `Next: check that the box has power and network, and that nothing blocks it from the hub; ${status}. It keeps counting offline and sends the counts when it is back.`,
    };
  }
  if (b.outboxDepth > 0 && b.outboxOldestAgeMs >= STUCK_MS) {
    return {
      ok: false,
      headline: `Box ${b.name}: connected, but ${b.outboxDepth} counts wait on it (the oldest for ${formatDuration(b.outboxOldestAgeMs)})`,
      next: "Next: the hub is not taking its counts. Look for a note about counts from a camera the hub does not know above, and at the hub's log.",
    };
  }
  return { ok: true, headline: `Box ${b.name}: connected`, next: '' };
}
