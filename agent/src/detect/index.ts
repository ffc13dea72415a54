// Detector factory: `hog` (default, no model file) or `yolox` (ONNX model through OpenCV DNN).
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { loadOpenCV } from '../cv.ts';
import type { Detector, DetectorKind } from './detector.ts';
import { HogDetector, type HogOptions } from './hog.ts';
import { isModelName, MODELS, modelPath } from './models.ts';
import { YoloxDetector, type YoloxOptions } from './yolox.ts';

export { type Detector, type DetectorKind, ensureCapacity } from './detector.ts';
export { HogDetector, type HogOptions, type HogPyramid, hogPyramid, hogScore } from './hog.ts';
export {
  DEFAULT_MODEL_BASE_URL,
  isModelName,
  MODELS,
  type ModelName,
  modelPath,
  type PullOptions,
  type PullProgress,
  type PullResult,
  pullModel,
} from './models.ts';
export { MotionGate, type MotionGateOptions } from './motion.ts';
export { iou, NmsScratch, nms } from './nms.ts';
export { DEFAULT_PERSON_SIZES, PersonSizes, type PersonSizesOptions } from './person-sizes.ts';
export {
  DEFAULT_SIZE_CALIBRATION,
  SizeCalibration,
  type SizeCalibrationOptions,
} from './size-calibration.ts';
export { YoloxDetector, type YoloxOptions, yoloxAnchorCount, yoloxGrid } from './yolox.ts';

export interface CreateDetectorOptions {
  kind?: DetectorKind;
  /**
   * YOLOX: a path to an ONNX file, or a model name ('yolox-nano', ...) looked up in
   * `<dataDir>/models/`. Default 'yolox-nano'.
   */
  model?: string;
  /** Agent data directory, where `models pull` puts its files. Needed when `model` is a name. */
  dataDir?: string;
  scoreThreshold?: number;
  /**
   * Frames detected at the same time (Detector.lanes), so a run overlaps the detection of the next
   * frame with this one. Default 2 where the machine has 2 or more cores, else 1.
   */
  lanes?: number;
  hog?: HogOptions;
  yolox?: YoloxOptions;
}

export const DETECTOR_KINDS: readonly DetectorKind[] = ['hog', 'yolox'];

/** Input size implied by a model file name: 640 for yolox_s/m/l/x exports, else 416 (nano, tiny). */
export function inputSizeFor(path: string): number {
  return /yolox[_-]?(s|m|l|x)\b/i.test(basename(path)) ? 640 : 416;
}

export async function createDetector(options: CreateDetectorOptions = {}): Promise<Detector> {
  const kind = options.kind ?? 'hog';
  if (!DETECTOR_KINDS.includes(kind)) {
    throw new Error(`Unknown detector "${String(kind)}": use one of ${DETECTOR_KINDS.join(', ')}`);
  }
  const cv = await loadOpenCV();
  const lanes = options.lanes ?? Math.min(2, availableParallelism());
  const withThreshold = <T extends { scoreThreshold?: number; lanes?: number }>(o: T | undefined): T =>
    ({
      lanes,
      ...o,
      ...(options.scoreThreshold !== undefined ? { scoreThreshold: options.scoreThreshold } : {}),
    }) as T;
  if (kind === 'hog') return new HogDetector(cv, withThreshold(options.hog));

  const model = options.model ?? 'yolox-nano';
  let path = model;
  let inputSize: number;
  if (isModelName(model)) {
    if (!options.dataDir) {
      throw new Error(
        `No YOLOX model file given. Run "oskartrack-agent models pull ${model}" or pass --model PATH.`,
      );
    }
    path = modelPath(options.dataDir, model);
    inputSize = MODELS[model].inputSize;
  } else {
    inputSize = inputSizeFor(path);
  }
  return YoloxDetector.load(cv, path, { inputSize, ...withThreshold(options.yolox) });
}
