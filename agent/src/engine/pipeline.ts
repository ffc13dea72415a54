// One camera's pipeline, built in one place: source -> detector (+ motion gate) -> engine (tracker and
// scene analytics). The live agent's camera worker, `process`/`eval` and the hub's upload worker all
// open it here, so they run the same setup; where events go stays with the caller.
import type { DetectorSettings } from '@oskartrack/protocol';
import type { Scene } from '../analytics/index.ts';
import { loadOpenCV } from '../cv.ts';
import { createDetector, type Detector, MotionGate } from '../detect/index.ts';
import { type FrameSource, type OpenSourceOptions, openSource, type SourceInfo } from '../source/index.ts';
import { Engine } from './engine.ts';

/** The detector part of a pipeline: the hub's DetectorSettings, every field but the kind optional. */
export type PipelineDetector = Pick<DetectorSettings, 'kind'> & {
  [K in Exclude<keyof DetectorSettings, 'kind' | 'everyNth'>]?: DetectorSettings[K] | undefined;
} & {
  /**
   * Run the detector on every Nth frame. Unset or 'auto' (the default): chosen as the run goes, 1 to
   * 4, to keep up with the camera's frame rate on this CPU (Engine, ./pace.ts).
   */
  everyNth?: DetectorSettings['everyNth'] | undefined;
  /** Frames detected at the same time (default: 2 on a machine with 2 or more cores). */
  lanes?: number | undefined;
  /** Frames the motion gate may skip in a row before detecting anyway (live cameras). */
  maxStillFrames?: number | undefined;
};

export interface PipelineInput {
  cameraId: string;
  /** A file path, stream URL or webcam index (openSource). */
  source: string;
  sourceOptions?: Omit<OpenSourceOptions, 'cameraId'>;
  detector: PipelineDetector;
  /** Where detector models are looked up. */
  dataDir: string;
  /** The areas and lines, or a function of the picture's size (a zone file checked against it). */
  scene: Scene | ((info: SourceInfo) => Scene | Promise<Scene>);
  /** Frame rate the tracker is sized for; default the source's (10 when it does not say). */
  fps?: number | undefined;
  /**
   * Frame rate an automatic every-Nth (the default: `detector.everyNth` unset or 'auto') keeps up
   * with; default `fps`. A file processed as fast as possible is paced as if it came live.
   */
  keepUpFps?: number | undefined;
  /** Follow boxes in the picture between detections (default true; EngineOptions.boxMotion). */
  boxMotion?: boolean | undefined;
  /** Called as soon as the source is open, before the detector loads (state listeners). */
  onSource?: (source: FrameSource) => void;
}

export interface Pipeline {
  source: FrameSource;
  detector: Detector;
  engine: Engine;
  scene: Scene;
  /** Frees the detector, the gate and the source; safe to call twice. */
  close(): Promise<void>;
}

/** Opens the source, loads the detector and builds the engine; on a failure, frees what was opened. */
export async function openPipeline(input: PipelineInput): Promise<Pipeline> {
  const source = await openSource(input.source, { ...input.sourceOptions, cameraId: input.cameraId });
  let detector: Detector | undefined;
  let gate: MotionGate | undefined;
  try {
    input.onSource?.(source);
    const scene = typeof input.scene === 'function' ? await input.scene(source.info) : input.scene;
    detector = await createDetector(detectorOptions(input));
    const d = input.detector;
    gate = d.motionGate
      ? new MotionGate(await loadOpenCV(), d.maxStillFrames ? { maxStillFrames: d.maxStillFrames } : {})
      : undefined;
    const fps = input.fps ?? (source.info.fps || 10);
    const engine = new Engine({
      cameraId: input.cameraId,
      detector,
      scene,
      fps,
      everyNth: d.everyNth ?? 'auto',
      pace: {
        fps: input.keepUpFps ?? fps,
        // A camera, or a recording played at its own pace, makes the run loop wait in its reads.
        countRead: source.info.kind === 'file' && input.sourceOptions?.realtime !== true,
      },
      motionGate: gate,
      ...(input.boxMotion === false ? { boxMotion: false } : {}),
    });
    let closed = false;
    const opened = { detector, gate };
    const close = async () => {
      if (closed) return;
      closed = true;
      opened.gate?.close();
      opened.detector.close();
      await source.close();
    };
    return { source, detector, engine, scene, close };
  } catch (err) {
    gate?.close();
    detector?.close();
    await source.close();
    throw err;
  }
}

function detectorOptions(input: PipelineInput): Parameters<typeof createDetector>[0] {
  const d = input.detector;
  return {
    kind: d.kind,
    dataDir: input.dataDir,
    ...(d.model ? { model: d.model } : {}),
    // 'auto' (the hub's default): the detector's own choice, as in `process`.
    ...(typeof d.scoreThreshold === 'number' ? { scoreThreshold: d.scoreThreshold } : {}),
    ...(d.lanes ? { lanes: d.lanes } : {}),
  };
}
