// Test clips cut from PETS09-S2L1: the start as it is, and the same shrunk to half its size (people
// half as tall, as from a camera twice as far away or with half the resolution).
import { loadOpenCV } from '../../src/cv.ts';
import { PETS_CLIP } from '../support/clip.ts';

/** Writes the first `frames` frames of the PETS clip to `path` (MJPEG, 7 frames/s), scaled by `scale`. */
export async function scaledClip(path: string, frames: number, scale: number): Promise<void> {
  const cv = await loadOpenCV();
  const capture = new cv.VideoCapture(PETS_CLIP);
  let writer: InstanceType<typeof cv.VideoWriter> | undefined;
  try {
    for (let i = 0; i < frames; i++) {
      const mat = capture.read();
      if (mat.empty) break;
      const out =
        scale === 1
          ? mat
          : mat.resize(Math.round(mat.rows * scale), Math.round(mat.cols * scale), 0, 0, cv.INTER_AREA);
      writer ??= new cv.VideoWriter(
        path,
        cv.VideoWriter.fourcc('MJPG'),
        7,
        new cv.Size(out.cols, out.rows),
        true,
      );
      writer.write(out);
      if (out !== mat) out.release();
      mat.release();
    }
  } finally {
    writer?.release();
    capture.release();
  }
}
