// FFmpeg's own messages ("[msmpeg4 @ 0x55d0...] ac-tex damaged at 12 30", one per damaged frame) are
// written by the C library straight to file descriptor 2: Node cannot catch them on their way (no
// dup2 in-process), so they cannot go through the agent's logger. What can be done: OpenCV sets
// FFmpeg's log level at every open from OPENCV_FFMPEG_LOGLEVEL (cap_ffmpeg_impl.hpp, initLogger_),
// so a source opened with `quietDecoder` sets it to AV_LOG_QUIET for that open; the level stays
// until the next open in the process. The caller logs one line at debug level instead, and the
// frames read against the header's count say whether anything was lost (truncation.ts).

export const DECODER_LOG_ENV = 'OPENCV_FFMPEG_LOGLEVEL';
/** AV_LOG_QUIET: FFmpeg prints nothing. */
const QUIET = '-8';
/** AV_LOG_ERROR, the level OpenCV uses when the variable is unset: what a user sets to see them again. */
export const DECODER_ERRORS_LEVEL = '16';

/**
 * Runs `open` (an OpenCV capture open) with FFmpeg's messages off, unless the user set
 * OPENCV_FFMPEG_LOGLEVEL themselves (their level wins). Returns whether it silenced them.
 */
export function openQuietly<T>(open: () => T): { value: T; silenced: boolean } {
  if (process.env[DECODER_LOG_ENV] !== undefined) return { value: open(), silenced: false };
  process.env[DECODER_LOG_ENV] = QUIET;
  try {
    return { value: open(), silenced: true };
  } finally {
    delete process.env[DECODER_LOG_ENV];
  }
}

/** The debug line that stands for the messages silenced while a source was read. */
export function silencedNote(uri: string): string {
  return `FFmpeg's own messages about ${uri} were silenced (${DECODER_LOG_ENV}=${QUIET} while opening it): run with ${DECODER_LOG_ENV}=${DECODER_ERRORS_LEVEL} to see its errors`;
}
