// Detections cached from one every-frame pass, for diagnosis scripts that run the engine many times:
// the detector runs once per video and settings, later runs read the JSON cache.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOpenCV, type Mat } from '../src/cv.ts';
import { createDetector, type Detector } from '../src/detect/index.ts';
import { openSource } from '../src/source/index.ts';
import type { Detections } from '../src/types.ts';

const model = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'models',
  'yolox_nano.onnx',
);

export type CachedFrames = { boxes: number[]; scores: number[] }[];

/** The detector with its own settings on every frame of `video`, once; later calls read `cacheFile`. */
export async function detectEveryFrame(
  video: string,
  fps: number,
  kind: 'hog' | 'yolox',
  cacheFile: string,
  lanes?: number,
): Promise<CachedFrames> {
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as CachedFrames;
  await loadOpenCV();
  const detector = await createDetector({ kind, model, ...(lanes === undefined ? {} : { lanes }) });
  const source = await openSource(video, { fps, startTime: 0 });
  const out: CachedFrames = [];
  for (let f = await source.read(); f; f = await source.read()) {
    const d = await detector.detect(f.mat, f.at);
    out.push({
      boxes: Array.from(d.boxes.subarray(0, d.count * 4)),
      scores: Array.from(d.scores.subarray(0, d.count)),
    });
  }
  detector.close();
  await source.close();
  writeFileSync(cacheFile, JSON.stringify(out));
  return out;
}

/** A detector that answers with the cached detections of the frame at `at` (ms, at `fps`). */
export function cachedDetector(kind: 'hog' | 'yolox', frames: CachedFrames, fps: number): Detector {
  return {
    name: kind,
    lanes: 1,
    detect(_frame: Mat, at = 0): Promise<Detections> {
      const fr = frames[Math.round((at * fps) / 1000)] ?? { boxes: [], scores: [] };
      return Promise.resolve({
        count: fr.scores.length,
        boxes: Float32Array.from(fr.boxes),
        scores: Float32Array.from(fr.scores),
      });
    },
    close() {},
  };
}
