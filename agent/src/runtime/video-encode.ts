/**
 * One camera frame as a small JPEG for live video: scaled down to at most `maxWidth` pixels wide, then
 * encoded at falling qualities until it fits `maxBytes`. Undefined when even the lowest quality does
 * not fit (a very busy picture): the frame is skipped rather than the cap broken.
 */
import { type CV, loadOpenCV, type Mat } from '../cv.ts';

export interface VideoPicture {
  jpeg: Buffer;
  width: number;
  height: number;
  /** The JPEG quality that fitted. */
  quality: number;
}

export interface EncodeLimits {
  maxWidth: number;
  maxBytes: number;
  /** Tried in this order; the first that fits wins. */
  qualities: readonly number[];
}

export const DEFAULT_QUALITIES: readonly number[] = [60, 45, 30, 20];

async function scaled(cv: CV, mat: Mat, maxWidth: number): Promise<Mat> {
  if (mat.cols <= maxWidth) return mat;
  // Even sizes keep the JPEG's colour blocks whole.
  const width = maxWidth - (maxWidth % 2);
  const height = Math.max(2, Math.round((mat.rows * width) / mat.cols / 2) * 2);
  return mat.resizeAsync(height, width, 0, 0, cv.INTER_AREA);
}

async function fit(cv: CV, mat: Mat, limits: EncodeLimits): Promise<VideoPicture | undefined> {
  for (const quality of limits.qualities) {
    const jpeg = await cv.imencodeAsync('.jpg', mat, [cv.IMWRITE_JPEG_QUALITY, quality]);
    if (jpeg.length <= limits.maxBytes) return { jpeg, width: mat.cols, height: mat.rows, quality };
  }
  return undefined;
}

/** `mat` (BGR, not changed or released) as a JPEG within `limits`, or undefined when none fits. */
export async function encodeVideoPicture(mat: Mat, limits: EncodeLimits): Promise<VideoPicture | undefined> {
  const cv = await loadOpenCV();
  const small = await scaled(cv, mat, limits.maxWidth);
  try {
    return await fit(cv, small, limits);
  } finally {
    // OpenCV memory is not tracked by V8 (cv.ts): release the scaled copy at once.
    if (small !== mat) small.release();
  }
}
