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

/** Throws unless the name ends in a container the annotated video's writer makes. */
export function checkVideoOutput(path: string): void {
  if (!VIDEO_EXTENSIONS.includes(extname(path).toLowerCase()))
    throw new Error(
      `cannot write the annotated video to ${path}: give a file name ending in ${VIDEO_EXTENSIONS.join(', ')}`,
    );
}

/** A path and what it holds, for the messages. */
export interface NamedPath {
  path: string;
  what: string;
}

/** Same file: same inode where both exist (links, `./x` and `x`), else the same absolute path. */
function sameFile(a: string, b: string): boolean {
  if (existsSync(a) && existsSync(b)) {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  }
  return resolve(a) === resolve(b);
}

/**
 * Throws when an output would overwrite an input (the video, the areas file) or another output:
 * writing there would destroy what the run reads, or mix two files in one.
 */
export function checkDistinctPaths(inputs: readonly NamedPath[], outputs: readonly NamedPath[]): void {
  outputs.forEach((out, i) => {
    const clash = [...inputs, ...outputs.slice(0, i)].find((other) => sameFile(out.path, other.path));
    if (clash)
      throw new Error(
        `cannot write ${out.what} to ${out.path}: that is also ${clash.what}; give each output its own file name`,
      );
  });
}
