/**
 * Is an uploaded file a video the engine can read? Three checks, cheapest first: the file name's
 * extension, the container's signature in its first bytes, then OpenCV opening it and decoding the
 * first frame (the agent's own FileSource does both, in the hub's upload worker process). Each failure
 * is a plain sentence for the user.
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { UploadWorker } from './upload-worker.ts';
import type { Probed } from './worker-messages.ts';

export const VIDEO_EXTENSIONS = [
  '.avi',
  '.mp4',
  '.m4v',
  '.mov',
  '.mkv',
  '.webm',
  '.mpg',
  '.mpeg',
  '.ts',
  '.mts',
  '.m2ts',
  '.flv',
  '.wmv',
  '.asf',
  '.3gp',
  '.ogv',
  '.mjpeg',
  '.mjpg',
] as const;

export type Container = 'avi' | 'mp4' | 'matroska' | 'mpeg-ps' | 'mpeg-ts' | 'flv' | 'asf' | 'ogg' | 'mjpeg';

const ASF_GUID = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');

/** The container named by the first bytes of a file (at least 12; 189 to recognize MPEG-TS). */
export function sniffContainer(head: Buffer): Container | undefined {
  const ascii = (from: number, to: number) => head.subarray(from, to).toString('latin1');
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ') return 'avi';
  if (head.length >= 12 && ascii(4, 8) === 'ftyp') return 'mp4';
  if (head.length >= 8 && ['moov', 'mdat', 'wide', 'free', 'skip'].includes(ascii(4, 8))) return 'mp4';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'matroska';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x000001ba) return 'mpeg-ps';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x000001b3) return 'mpeg-ps';
  if (head.length >= 189 && head[0] === 0x47 && head[188] === 0x47) return 'mpeg-ts';
  if (head.length >= 193 && head[4] === 0x47 && head[192] === 0x47) return 'mpeg-ts'; // M2TS, 4-byte prefix
  if (head.length >= 3 && ascii(0, 3) === 'FLV') return 'flv';
  if (head.length >= 16 && head.subarray(0, 16).equals(ASF_GUID)) return 'asf';
  if (head.length >= 4 && ascii(0, 4) === 'OggS') return 'ogg';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'mjpeg';
  return undefined;
}

/** Why a file name is refused, or undefined when its extension is a video one. */
export function extensionProblem(fileName: string): string | undefined {
  const ext = extname(fileName).toLowerCase();
  if ((VIDEO_EXTENSIONS as readonly string[]).includes(ext)) return undefined;
  return `"${fileName}" does not look like a video file: use one of ${VIDEO_EXTENSIONS.join(' ')}`;
}

export async function readHead(path: string, bytes = 256): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export interface VideoInfo {
  container: Container;
  width: number;
  height: number;
  /** From the header (or the frame rate given), frames per second. */
  fps: number;
  /** From the header; undefined when it does not say. */
  frameCount: number | undefined;
}

export class VideoRejected extends Error {
  override name = 'VideoRejected';
}

/**
 * Checks a stored upload: its signature, then OpenCV opens it and decodes the first frame (in `worker`).
 * Throws VideoRejected with the reason.
 */
export async function probeVideo(
  worker: Pick<UploadWorker, 'probe'>,
  path: string,
  fileName: string,
  fps?: number,
): Promise<VideoInfo> {
  const container = sniffContainer(await readHead(path));
  if (!container) {
    throw new VideoRejected(
      `"${fileName}" is not a video file this hub knows (no AVI, MP4/MOV, Matroska/WebM, MPEG, FLV, ASF or Ogg header)`,
    );
  }
  // Decoded in the worker process: a file crafted to crash the decoder ends that process, not the hub.
  let probed: Probed;
  try {
    probed = await worker.probe({ file: path, ...(fps ? { fps } : {}) });
  } catch (err) {
    const why = err instanceof Error ? err.message.replaceAll(path, fileName) : String(err);
    throw new VideoRejected(`"${fileName}" could not be decoded: ${why}`);
  }
  return {
    container,
    width: probed.width,
    height: probed.height,
    fps: probed.fps,
    frameCount: probed.frameCount,
  };
}
