// `oskartrack-agent process` and `eval`: the whole engine on a recording.

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import pino, { type Logger } from 'pino';
import { EMPTY_SCENE, loadSceneFile, type Scene, type SceneCounts } from '../analytics/index.ts';
import { sceneNotes } from '../analytics/scene-notes.ts';
import { loadOpenCV } from '../cv.ts';
import type { DetectorKind } from '../detect/index.ts';
import { Annotator } from '../engine/annotate.ts';
import { openPipeline } from '../engine/pipeline.ts';
import { type RunStats, runSource } from '../engine/run.ts';
import { formatMotLines, type MotRows, MotRowsBuilder } from '../eval/index.ts';
import { createLogger } from '../log.ts';
import { dataDir } from '../paths.ts';
import { openQuietly, silencedNote } from '../source/decoder-log.ts';
import type { SourceInfo } from '../source/source.ts';
import { truncationWarning } from '../source/truncation.ts';
import { checkDistinctPaths, checkOutputFile, checkVideoOutput, type NamedPath } from './output-files.ts';
import { progressBar } from './progress.ts';

export interface RecordingOptions {
  video: string;
  zones?: string;
  detector: DetectorKind;
  model?: string;
  fps?: number;
  /** Unset or 'auto': chosen as the run goes, to keep up with `keepUp` frames/s (engine/pace.ts). */
  everyNth?: number | 'auto';
  /** Frame rate an automatic every-Nth keeps up with; default the recording's. */
  keepUp?: number;
  motionGate?: boolean;
  /** Follow boxes in the picture between detections (default true; see EngineOptions.boxMotion). */
  boxMotion?: boolean;
  scoreThreshold?: number;
  /** Frames detected at the same time (default: 2 on a machine with 2 or more cores). */
  lanes?: number;
  eventsOut?: string;
  tracksOut?: string;
  videoOut?: string;
  maxFrames?: number;
  cameraId?: string;
  startTime?: number;
  progress?: boolean;
  /** Stops reading at the next frame; the outputs are finished as at the end of the video. */
  signal?: AbortSignal;
  /** Where the debug line about FFmpeg's silenced messages goes; default standard error at LOG_LEVEL. */
  log?: Logger;
}

export interface RecordingResult {
  stats: RunStats;
  counts: SceneCounts;
  scene: Scene;
  fps: number;
  /** Where `fps` came from (SourceInfo.fpsFrom), and the header's rate when --fps overrode it. */
  fpsFrom: SourceInfo['fpsFrom'];
  headerFps?: number;
  rows: MotRows;
  /** The file ended before the frame count its header promised (truncation.ts). */
  warning?: string;
  /** Stopped by `signal` before the end: the counts cover the frames read until then. */
  stopped?: boolean;
  /** Areas and lines that will hardly count (scene-notes.ts). */
  notes?: string[];
}

/** A file stream, open: a refusal (no permission, no space) is an error here, not an unhandled event later. */
async function openOutput(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path);
  await once(stream, 'open');
  return stream;
}

async function write(stream: WriteStream | undefined, text: string): Promise<void> {
  if (stream && !stream.write(text)) await once(stream, 'drain');
}

async function closeStream(stream: WriteStream | undefined): Promise<void> {
  if (!stream) return;
  stream.end();
  await once(stream, 'finish');
}

/** Every output writable, and none of them an input or another output (output-files.ts). */
function checkOutputs(opts: RecordingOptions): void {
  const outputs: NamedPath[] = [];
  if (opts.eventsOut) outputs.push({ path: opts.eventsOut, what: 'the events' });
  if (opts.tracksOut) outputs.push({ path: opts.tracksOut, what: 'the tracks' });
  if (opts.videoOut) outputs.push({ path: opts.videoOut, what: 'the annotated video' });
  for (const out of outputs) checkOutputFile(out.path, out.what);
  if (opts.videoOut) checkVideoOutput(opts.videoOut);
  const inputs: NamedPath[] = [{ path: opts.video, what: 'the video being read' }];
  if (opts.zones) inputs.push({ path: opts.zones, what: 'the areas and lines file' });
  checkDistinctPaths(inputs, outputs);
}

/** Runs the engine over a video file and writes the requested outputs. */
export async function processRecording(opts: RecordingOptions): Promise<RecordingResult> {
  const cameraId = opts.cameraId ?? 'recording';
  checkOutputs(opts);
  const { source, engine, scene, close } = await openPipeline({
    cameraId,
    source: opts.video,
    sourceOptions: {
      ...(opts.fps ? { fps: opts.fps } : {}),
      startTime: opts.startTime ?? 0,
      quietDecoder: true,
      // A stream address that does not answer is an error now, not a silent wait for ever.
      maxAttempts: 0,
    },
    detector: {
      kind: opts.detector,
      model: opts.model,
      scoreThreshold: opts.scoreThreshold,
      lanes: opts.lanes,
      everyNth: opts.everyNth,
      motionGate: opts.motionGate,
    },
    dataDir: dataDir(),
    scene: (info) => (opts.zones ? loadSceneFile(opts.zones, info) : EMPTY_SCENE),
    keepUpFps: opts.keepUp,
    ...(opts.boxMotion === false ? { boxMotion: false } : {}),
  });
  const cv = await loadOpenCV();
  const events = opts.eventsOut ? await openOutput(opts.eventsOut) : undefined;
  const tracksFile = opts.tracksOut ? await openOutput(opts.tracksOut) : undefined;
  const annotator = opts.videoOut ? new Annotator(cv, opts.videoOut, source.info.fps) : undefined;
  const rows = new MotRowsBuilder();
  // The annotated video's writer opens on the first write, and every OpenCV open sets FFmpeg's log
  // level again (decoder-log.ts): it opens quietly too, or the decoder's messages would come back.
  let openWriterQuietly = source.info.decoderSilenced === true;
  const bar = opts.progress ? progressBar(opts.video) : undefined;
  try {
    const stats = await runSource(source, engine, {
      ...(opts.maxFrames ? { maxFrames: opts.maxFrames } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(bar ? { onProgress: (done: number, total: number | undefined) => bar.update(done, total) } : {}),
      onStep: async (f, result) => {
        rows.pushTracks(result.tracks);
        for (const e of result.events) await write(events, `${JSON.stringify(e)}\n`);
        await write(tracksFile, formatMotLines(result.tracks));
        if (annotator) {
          annotator.draw(f.mat, result.tracks, scene, engine.analytics.counts());
          const writeFrame = () => annotator.write(f.mat);
          await (openWriterQuietly ? openQuietly(writeFrame).value : writeFrame());
          openWriterQuietly = false;
        }
      },
      onFinish: async (last) => {
        for (const e of last) await write(events, `${JSON.stringify(e)}\n`);
      },
    });
    if (source.info.decoderSilenced) logSilenced(opts.log, source.info.uri);
    // Stopped by --max-frames or by the user is not cut short.
    const stopped = opts.signal?.aborted === true;
    const warning =
      stats.frames === opts.maxFrames || stopped
        ? undefined
        : truncationWarning(stats.frames, source.info.frameCount, undefined, source.readToEnd?.());
    const counts = engine.analytics.counts();
    const notes = sceneNotes(scene, source.info);
    return {
      stats,
      counts,
      scene,
      fps: source.info.fps,
      fpsFrom: source.info.fpsFrom,
      ...(source.info.headerFps ? { headerFps: source.info.headerFps } : {}),
      rows: rows.rows(),
      ...(warning ? { warning } : {}),
      ...(stopped ? { stopped } : {}),
      ...(notes.length > 0 ? { notes } : {}),
    };
  } finally {
    bar?.end();
    annotator?.close();
    await close();
    await closeStream(events);
    await closeStream(tracksFile);
  }
}

/** One debug line for FFmpeg's messages kept off the terminal; standard error, as the progress bar. */
function logSilenced(log: Logger | undefined, uri: string): void {
  const to =
    log ?? createLogger('process', undefined, { destination: pino.destination({ dest: 2, sync: true }) });
  to.debug(silencedNote(uri));
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The rate times are counted at, where it came from, and a word when it is unlike any camera's. */
function frameRateLine(r: RecordingResult): string {
  const from = {
    header: "from the file's header; give --fps if the video plays faster or slower than real time",
    override: `given with --fps${r.headerFps ? `; the file's header says ${r.headerFps.toFixed(1)}` : ''}`,
    default: 'the file gives none, so this is assumed; give --fps with the real rate',
  }[r.fpsFrom];
  const odd =
    r.fps < 1 || r.fps > 120
      ? ' (cameras film at 1 to 120 frames/s: times spent and crossings are dated by this rate, check it)'
      : '';
  return `Frame rate: ${r.fps.toFixed(1)} frames/s (${from})${odd}`;
}

/** What to try when a video gave no visitor at all: most often people the detector cannot see. */
function nobodyFound(detector: string): string {
  const other =
    detector === 'hog' ? '--detector yolox (it finds people the HOG detector misses)' : '--detector hog';
  return `nobody was found. If people are in the video, they may be too small, too close, lying sideways in a turned picture or in the dark for the ${detector} detector: try ${other}, and "oskartrack-agent check <video>" to see how big people are in this view`;
}

/** The plain-language summary printed after `process`. */
export function summary(r: RecordingResult): string {
  const out = [`Visitors: ${r.counts.tracksStarted}`];
  for (const l of r.counts.lines) out.push(`Line "${l.name}": ${l.in} in, ${l.out} out`);
  for (const z of r.counts.zones) {
    const avg = z.exits > 0 ? seconds(z.dwellMs / z.exits) : 'nobody stayed';
    out.push(`Area "${z.name}": ${z.entries} visits, average time spent ${avg}`);
  }
  out.push(
    frameRateLine(r),
    `Processed ${r.stats.frames} frames in ${r.stats.seconds.toFixed(1)} s: ${r.stats.fps.toFixed(1)} frames/s with the ${r.stats.detector} detector`,
    `The detector ran on ${r.stats.detectedFrames} frames${r.stats.stillFrames > 0 ? `; ${r.stats.stillFrames} had no motion and were not detected` : ''}`,
  );
  for (const note of r.notes ?? []) out.push(`Note: ${note}`);
  if (r.counts.tracksStarted === 0 && r.stats.frames > 0) out.push(`Note: ${nobodyFound(r.stats.detector)}`);
  if (r.stopped)
    out.push(
      `Stopped before the end: these numbers cover the first ${seconds((r.stats.frames / r.fps) * 1000)} of the video`,
    );
  if (r.warning) out.push(`Warning: ${r.warning}`);
  return out.join('\n');
}
