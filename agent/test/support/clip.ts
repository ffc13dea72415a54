// The PETS 2009 clip for tests anywhere in the repository, and short clips cut from it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadOpenCV } from '../../src/cv.ts';

const candidates = [
  '/usr/share/doc/opencv-doc/examples/data/vtest.avi',
  fileURLToPath(new URL('../../../../shared/data/pets09-s2l1/vtest.avi', import.meta.url)),
];
const found = candidates.find((p) => existsSync(p));
// A missing clip fails the tests that need it; it never turns them into skips.
if (!found) throw new Error(`the PETS 2009 clip is missing (looked in ${candidates.join(', ')})`);

/** Debian's opencv-doc copy of vtest.avi, or the one in ../shared. */
export const PETS_CLIP: string = found;

/**
 * Writes the first `frames` frames of the PETS clip to `path` as an MJPEG AVI at 7 frames per second,
 * scaled by `scale` (0.5: people half as tall, as from a camera twice as far away).
 */
export async function cutClip(path: string, frames: number, scale = 1): Promise<void> {
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
