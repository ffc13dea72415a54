// One camera's line in `oskartrack-agent status`: its state, since when the picture is lost and why,
// and how often it was lost in the last 24 hours, in plain words.
import type { PictureProblem } from '@oskartrack/protocol';
import type { AgentStatusFile } from './agent.ts';

type CameraLine = AgentStatusFile['cameras'][number];

const clock = (t: number) => new Date(t).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

/** What the installer should look at when the picture itself is wrong. */
const PICTURE_WORDS: Record<PictureProblem, string> = {
  covered: 'looks covered since {t}: check nothing is in front of the lens',
  moved: 'looks moved since {t}: the camera was turned or knocked, point it back as it was',
  dark: 'is too dark to see people since {t}: check the lights',
};

/** "; the picture looks covered since 14:05: check nothing is in front of the lens", or "". */
function pictureWords(c: CameraLine, time: (t: number) => string): string {
  if (!c.picture || c.pictureSince === undefined) return '';
  return `; the picture ${PICTURE_WORDS[c.picture].replace('{t}', time(c.pictureSince))}`;
}

/** "camera Door: no picture since 10:42 (reconnecting): the camera refused ...; lost 3 times ...". */
export function cameraWords(c: CameraLine, time: (t: number) => string = clock): string {
  const gaps = c.gaps
    ? `; lost the picture ${c.gaps === 1 ? 'once' : `${c.gaps} times`} in the last 24 hours, ${minutes(c.gapMs ?? 0)} in total`
    : '';
  if (c.state === 'running') {
    const rate = c.fps ? `, ${c.fps.toFixed(1)} frames/s` : '';
    // Detection slower than the camera: it works on the newest picture and skips the others.
    const skipped = c.droppedFrames ? ` (${c.droppedFrames} pictures skipped to keep up)` : '';
    return `camera ${c.name}: running${rate}${skipped}${pictureWords(c, time)}${gaps}`;
  }
  if (c.state !== 'reconnecting' && c.state !== 'failed') {
    return `camera ${c.name}: ${c.state}${c.error ? ` (${c.error})` : ''}${gaps}`;
  }
  const from = c.lastFrameAt ?? c.since;
  const since = from !== undefined ? ` since ${time(from)}` : '';
  return `camera ${c.name}: no picture${since} (${c.state})${c.error ? `: ${c.error}` : ''}${gaps}`;
}
