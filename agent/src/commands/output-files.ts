// The files `process` writes, checked before any frame is read: a path that cannot be written is a
// sentence that says what to do, not a crash (or a silently missing video) at the end of a long run.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';

/** Containers the annotated video's writer (MPEG-4 part 2) can fill. */
const VIDEO_EXTENSIONS = ['.mp4', '.avi', '.mkv', '.mov'];

/** Throws when `path` cannot be a file written now: its folder is missing, or it is a folder. */
export function checkOutputFile(path: string, what: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new Error(
      `cannot write ${what} to ${path}: the folder ${folder} does not exist; create it or give another path`,
    );
  if (existsSync(path) && statSync(path).isDirectory())
    throw new Error(`cannot write ${what} to ${path}: that is a folder; give a file name in it`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new Error(
      `cannot write ${what} to ${path}: this user may not write in ${folder}; give another folder`,
    );
  }
}

/** As `checkOutputFile`, and the name must end in a container the writer makes. */
export function checkVideoOutput(path: string): void {
  checkOutputFile(path, 'the annotated video');
  if (!VIDEO_EXTENSIONS.includes(extname(path).toLowerCase()))
    throw new Error(
      `cannot write the annotated video to ${path}: give a file name ending in ${VIDEO_EXTENSIONS.join(', ')}`,
    );
}
