// `oskartrack-agent eval`: scores the engine (or an existing result file) against MOTChallenge ground truth.
import type { DetectorKind } from '../detect/index.ts';
import {
  type CountComparison,
  compareCounts,
  countsFromRows,
  evaluate,
  type MotMetrics,
  readMotFile,
  rowsOfFrames,
} from '../eval/index.ts';
import { processRecording } from './process.ts';

export interface EvalOptions {
  gt: string;
  video?: string;
  tracks?: string;
  detector: DetectorKind;
  model?: string;
  fps?: number;
  zones?: string;
  /** Default 1 (not 'auto'), so that a score does not depend on how busy the machine is. */
  everyNth?: number | 'auto';
  keepUp?: number;
  motionGate?: boolean;
  /** Follow boxes in the picture between detections (default true; see EngineOptions.boxMotion). */
  boxMotion?: boolean;
  scoreThreshold?: number;
  /** Frames detected at the same time (default: 2 on a machine with 2 or more cores). */
  lanes?: number;
  maxFrames?: number;
  progress?: boolean;
}

export interface EvalReport extends MotMetrics {
  detector: string;
  /** End to end, decode included; 0 when an existing result file was scored. */
  fps: number;
  stage_fps?: Record<string, number>;
  peak_rss_mb?: number;
  /** Frames the detector ran on, and frames the motion gate let pass without it. */
  detected_frames?: number;
  still_frames?: number;
  zones?: CountComparison[];
  lines?: CountComparison[];
}

export async function runEval(opts: EvalOptions): Promise<EvalReport> {
  let gt = await readMotFile(opts.gt);
  if (opts.tracks) {
    const pred = await readMotFile(opts.tracks);
    return { ...evaluate(gt, pred), detector: 'file', fps: 0 };
  }
  if (!opts.video)
    throw new Error('eval needs --video VIDEO (to run the engine) or --tracks FILE (to score a result)');
  const run = await processRecording({
    video: opts.video,
    detector: opts.detector,
    ...(opts.model ? { model: opts.model } : {}),
    ...(opts.fps ? { fps: opts.fps } : {}),
    ...(opts.zones ? { zones: opts.zones } : {}),
    everyNth: opts.everyNth ?? 1,
    ...(opts.keepUp ? { keepUp: opts.keepUp } : {}),
    ...(opts.motionGate ? { motionGate: true } : {}),
    ...(opts.boxMotion === false ? { boxMotion: false } : {}),
    ...(opts.scoreThreshold !== undefined ? { scoreThreshold: opts.scoreThreshold } : {}),
    ...(opts.lanes ? { lanes: opts.lanes } : {}),
    ...(opts.maxFrames ? { maxFrames: opts.maxFrames } : {}),
    ...(opts.progress ? { progress: true } : {}),
  });
  if (opts.maxFrames) gt = rowsOfFrames(gt, (frame) => frame <= opts.maxFrames!);
  const report: EvalReport = {
    ...evaluate(gt, run.rows),
    detector: run.stats.detector,
    fps: run.stats.fps,
    stage_fps: run.stats.stageFps,
    peak_rss_mb: run.stats.peakRssMb,
    detected_frames: run.stats.detectedFrames,
    still_frames: run.stats.stillFrames,
  };
  if (opts.zones) {
    const truth = countsFromRows(gt, run.scene, 'recording', run.fps);
    Object.assign(report, compareCounts(run.counts, truth));
  }
  return report;
}

/** Ground truth of the first `n` frames only, when the engine ran on a slice. */

const f1 = (n: number) => n.toFixed(1);

export function formatReport(r: EvalReport): string {
  const lines = [
    `MOTA ${f1(r.mota)}  IDF1 ${f1(r.idf1)}  HOTA ${f1(r.hota)}  MOTP ${f1(r.motp)}`,
    `precision ${f1(r.precision)}  recall ${f1(r.recall)}  id switches ${r.id_switches}  FP ${r.fp}  FN ${r.fn}`,
    `mostly tracked ${r.mt}  partly ${r.pt}  mostly lost ${r.ml} of ${r.gt_ids} people, ${r.frames} frames`,
  ];
  if (r.fps) lines.push(`${f1(r.fps)} frames/s end to end with ${r.detector}`);
  for (const c of [...(r.zones ?? []), ...(r.lines ?? [])]) {
    lines.push(
      `  ${c.name} ${c.metric}: system ${f1(c.system)}, truth ${f1(c.truth)} (${f1(c.errorPct)} % off)`,
    );
  }
  return lines.join('\n');
}
