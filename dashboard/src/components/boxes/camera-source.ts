/**
 * A camera's source as an installer thinks of it (a video file on the box, a network camera, a
 * webcam), checked before it is sent, and the hub's refusals said in plain words.
 */

export type SourceKind = 'file' | 'network' | 'webcam';

export interface SourceKindInfo {
  label: string;
  placeholder: string;
  /** One or two sentences: what it is and what to type. */
  help: string;
}

export const SOURCE_KINDS: Record<SourceKind, SourceKindInfo> = {
  network: {
    label: 'Network camera (RTSP)',
    placeholder: 'rtsp://user:password@192.168.1.20:554/stream1',
    help: "The camera's stream address, as in its manual or setup page (rtsp://, rtsps://, http:// or https://). The box connects to it on the shop's network; user name and password go in the address.",
  },
  webcam: {
    label: 'Webcam on the box',
    placeholder: '0',
    help: 'A camera plugged into the box (USB). 0 is the first one, 1 the second, and so on.',
  },
  file: {
    label: 'Video file on the box',
    placeholder: '/var/lib/oskartrack/videos/entrance.mp4',
    help: 'The full path of a video file on the box (not on this computer), played again and again: for trying things out. Only administrators may set it.',
  },
};

/** Which kind a stored source is. */
export function kindOf(source: string): SourceKind {
  const s = source.trim();
  if (/^\d{1,2}$/.test(s)) return 'webcam';
  if (/^(rtsps?|https?):\/\//i.test(s)) return 'network';
  return 'file';
}

/** What is wrong with a source of this kind, in words; undefined when it looks right. */
export function sourceProblem(kind: SourceKind, source: string): string | undefined {
  const s = source.trim();
  if (!s) return 'Type the source of the picture.';
  if (kind === 'webcam' && !/^\d{1,2}$/.test(s))
    return 'A webcam is a number: 0 for the first camera on the box, 1 for the second.';
  if (kind === 'network' && !/^(rtsps?|https?):\/\/[^/\s]+/i.test(s))
    return 'A network camera address starts with rtsp:// (or rtsps://, http://, https://) followed by the camera address, e.g. rtsp://192.168.1.20:554/stream1.';
  if (kind === 'file' && !/^(\/|file:\/\/)/.test(s))
    return 'A video file needs its full path on the box, starting with /, e.g. /home/pi/videos/door.mp4.';
  return undefined;
}

/** What is wrong with a frame rate typed in (empty means "as the camera sends"); undefined when fine. */
export function fpsProblem(text: string): string | undefined {
  if (!text.trim()) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 240)
    return 'The frame rate is a number of pictures per second above 0 and at most 240 (or leave it empty).';
  return undefined;
}

const FIELDS: Record<string, string> = {
  name: 'The name',
  source: 'The source',
  fps: 'The frame rate',
  deviceId: 'The box',
  everyNth: 'Every how many pictures',
  scoreThreshold: 'How sure the detector must be',
  kind: 'The detector',
};

/**
 * The hub's schema refusals ("Invalid body/fps must be <= 240.") in words ("The frame rate must be
 * at most 240."); other messages, already in words, pass through.
 */
export function plainRefusal(message: string): string {
  const m = /^invalid body\/(\w+) (.*?)\.?$/i.exec(message.trim());
  if (!m) return message;
  const field = FIELDS[m[1]!] ?? `The value "${m[1]}"`;
  const rule = m[2]!
    .replace(/^must be <= (\S+)/, 'must be at most $1')
    .replace(/^must be >= (\S+)/, 'must be at least $1')
    .replace(/^must be < (\S+)/, 'must be below $1')
    .replace(/^must be > (\S+)/, 'must be above $1')
    .replace(/^must NOT have fewer than 1 characters/, 'must not be empty')
    .replace(/^must NOT have more than (\d+) characters/, 'must be at most $1 characters long')
    .replace(/^must NOT have fewer than (\d+) characters/, 'must be at least $1 characters long');
  return `${field} ${rule}.`;
}
