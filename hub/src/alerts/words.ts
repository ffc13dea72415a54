/**
 * The sentences alerts say, in everyday words for shop owners ("camera unit", never "box" or
 * "outbox"), with clock times in the store's own time zone.
 */
import type { CameraProblem, PictureProblem } from '@oskartrack/protocol';

const clocks = new Map<string, Intl.DateTimeFormat>();

/** "14:05" in the store's time zone (UTC when the zone is unknown). */
export function clockTime(at: number, timeZone: string): string {
  let f = clocks.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone });
    } catch {
      f = new Intl.DateTimeFormat('en-GB', {
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
        timeZone: 'UTC',
      });
    }
    clocks.set(timeZone, f);
  }
  return f.format(new Date(at));
}

/** "65 minutes", "1 minute", "5 hours", "3 days": whole units, minutes up to two hours. */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 120) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** "Front door camera" (a name that already says camera is kept as it is). */
export function cameraLabel(name: string): string {
  return /camera/i.test(name) ? name : `${name} camera`;
}

export function peopleInsideMessage(storeName: string, people: number, limit: number): string {
  const who = people === 1 ? '1 person' : `${people.toLocaleString('en-US')} people`;
  return `${storeName}: ${who} inside (your limit is ${limit.toLocaleString('en-US')})`;
}

export function offlineMessage(unitName: string, offlineMs: number): string {
  return `Camera unit '${unitName}' has been offline for ${duration(offlineMs)}`;
}

export function backlogMessage(unitName: string, waiting: number, waitingMs: number): string {
  return `Camera unit '${unitName}' has ${plural(waiting, 'count')} waiting to be sent, the oldest for ${duration(waitingMs)}: check its internet connection`;
}

const WHY_NO_PICTURE: Record<CameraProblem, string> = {
  unreachable: 'the camera does not answer at its address',
  'not-answering': 'the camera is connected but sends nothing',
  credentials: 'the camera refused the user name or password',
  'not-found': 'the camera has no video at that address',
  'no-picture': 'the camera answers but its video cannot be read',
  stalled: 'the video stopped',
};

export function stoppedMessage(cameraName: string, stoppedMs: number, problem?: CameraProblem): string {
  const why = problem ? ` (${WHY_NO_PICTURE[problem]})` : '';
  return `${cameraLabel(cameraName)}: no picture for ${duration(stoppedMs)}${why}`;
}

const PICTURE_WORDS: Record<PictureProblem, string> = {
  covered: 'the picture looks covered',
  moved: 'it looks turned or moved (the picture changed)',
  dark: 'the picture is too dark to see people',
};

export function pictureMessage(
  cameraName: string,
  problem: PictureProblem,
  since: number,
  timeZone: string,
): string {
  return `${cameraLabel(cameraName)}: ${PICTURE_WORDS[problem]} since ${clockTime(since, timeZone)}`;
}

/** The dashboard's and the deliveries' line for a storm: "7 problems in Demo store". */
export function groupTitle(count: number, storeName: string): string {
  return `${plural(count, 'problem')} in ${storeName}`;
}
