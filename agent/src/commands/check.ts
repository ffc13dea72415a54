// `oskartrack-agent check`: the installer's camera check on a file, a stream or a saved camera of this box.
import type { CameraConfig, DeviceConfig } from '@oskartrack/protocol';
import pino, { type Logger } from 'pino';
import { type CheckOutcome, checkCamera } from '../check/check.ts';
import type { DetectorKind } from '../detect/index.ts';
import { createLogger } from '../log.ts';
import { loadConfig } from '../runtime/identity.ts';
import { silencedNote } from '../source/decoder-log.ts';

export interface CheckCommandOptions {
  /** A video file, stream address or webcam number; or use `camera`. */
  source?: string | undefined;
  /** A camera of this box's saved configuration. */
  camera?: string | undefined;
  seconds?: number | undefined;
  detector?: DetectorKind | undefined;
  model?: string | undefined;
  fps?: number | undefined;
  /** Only the configured detector. */
  noOther?: boolean | undefined;
  /** Wall time the check may take (default: checkBudgetMs of the seconds). */
  budgetMs?: number | undefined;
  dataDir: string;
  /** Where the debug line about FFmpeg's silenced messages goes; default standard error at LOG_LEVEL. */
  log?: Logger | undefined;
}

/** The saved camera the options name, or the only one; an error that says what to type otherwise. */
function savedCamera(config: DeviceConfig | undefined, id: string | undefined): CameraConfig {
  const cameras = config?.cameras ?? [];
  if (id !== undefined) {
    const camera = cameras.find((c) => c.id === id);
    if (camera) return camera;
    const known = cameras.map((c) => c.id).join(', ');
    throw new Error(
      `this box has no camera "${id}"${known ? ` (its cameras: ${known})` : ' (it has no cameras from the hub yet)'}`,
    );
  }
  if (cameras.length === 1) return cameras[0]!;
  if (cameras.length === 0)
    throw new Error(
      'name a video file or stream address to check, e.g. "oskartrack-agent check rtsp://camera/stream" (this box has no cameras from the hub yet)',
    );
  throw new Error(
    `this box has ${cameras.length} cameras: choose one with --camera (${cameras.map((c) => c.id).join(', ')})`,
  );
}

export async function checkCommand(o: CheckCommandOptions): Promise<CheckOutcome> {
  const config = o.source === undefined || o.detector === undefined ? await loadConfig(o.dataDir) : undefined;
  const camera = o.source === undefined ? savedCamera(config, o.camera) : undefined;
  const saved = config?.detector;
  const kind = o.detector ?? saved?.kind ?? 'hog';
  const model = o.model ?? (kind === saved?.kind ? saved.model : undefined);
  // --model names the YOLOX file: the configured one, or the one tried beside HOG.
  const detector = kind === 'yolox' && model ? { kind, model } : { kind };
  const outcome = await checkCamera({
    source: camera?.source ?? o.source ?? '',
    cameraId: camera?.id,
    fps: o.fps ?? camera?.fps,
    seconds: o.seconds,
    detector,
    ...(kind === 'hog' && model ? { yoloxModel: model } : {}),
    dataDir: o.dataDir,
    tryOther: o.noOther !== true,
    budgetMs: o.budgetMs,
    quietDecoder: true,
  });
  if (outcome.decoderSilenced) {
    // Standard error: standard output may carry the check as JSON.
    const log =
      o.log ?? createLogger('check', undefined, { destination: pino.destination({ dest: 2, sync: true }) });
    log.debug(silencedNote(outcome.check.source));
  }
  return outcome;
}
