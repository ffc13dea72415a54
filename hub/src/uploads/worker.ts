/**
 * The upload worker: one child process the hub keeps for its uploads (hub/src/uploads/worker-process.ts),
 * so that a decoder crashing on a damaged file ends this process and not the hub. It loads OpenCV and
 * the agent's engine once, says `ready`, then answers requests over IPC for as long as the hub runs:
 * probes (is this a video?) and recordings, each built by the agent's camera-pipeline factory with a
 * detector of its own (the detectors learn the people's sizes of one camera as they go, so a recording
 * counts as it does in `oskartrack-agent process`, whatever was counted before). Several requests may
 * run at once: a probe is answered while a recording is counted. It numbers no events: the hub does
 * (see recordings-device.ts). FFmpeg writes its complaints to this process's stderr, which the hub
 * reads and sums up.
 */
import {
  loadOpenCV,
  openPipeline,
  openSource,
  type RunStats,
  runSource,
  truncationWarning,
} from '@oskartrack/agent';
import type { TrackingEvent } from '@oskartrack/protocol';
import { BatchFlow } from './batch-flow.ts';
import {
  type Done,
  type ProbeRequest,
  type ProcessRequest,
  parseToWorker,
  type ToHub,
} from './worker-messages.ts';

interface Active {
  abort: AbortController;
  flow: BatchFlow;
}

/** The requests being answered, by id. */
const active = new Map<string, Active>();

function send(msg: ToHub): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('the upload worker runs without an IPC channel'));
    process.send(msg, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

async function processRecording(req: ProcessRequest, { abort, flow }: Active): Promise<Done> {
  const { source, engine, close } = await openPipeline({
    cameraId: req.cameraId,
    source: req.file,
    sourceOptions: { startTime: req.startTime, ...(req.fps ? { fps: req.fps } : {}) },
    detector: { kind: req.detector },
    dataDir: req.dataDir,
    scene: { zones: req.zones, lines: req.lines },
  });
  const pending: TrackingEvent[] = [];
  const flush = async (all: boolean) => {
    while (pending.length >= (all ? 1 : req.batchEvents)) await flow.send(pending.splice(0, req.batchEvents));
  };
  const t0 = performance.now();
  let stats: RunStats;
  try {
    stats = await runSource(source, engine, {
      signal: abort.signal,
      ...(req.maxFrames ? { maxFrames: req.maxFrames } : {}),
      onStep: async (_frame, result) => {
        pending.push(...result.events);
        await flush(false);
      },
      onFinish: async (last) => {
        pending.push(...last);
        await flush(true);
        await flow.allStored();
      },
      onProgress: (framesDone, framesTotal) => {
        const s = (performance.now() - t0) / 1000;
        void send({
          type: 'progress',
          id: req.id,
          framesDone,
          ...(framesTotal !== undefined ? { framesTotal } : {}),
          fps: s > 0 ? framesDone / s : 0,
        });
      },
    });
  } finally {
    await close();
  }
  if (abort.signal.aborted) throw new Error('stopped by the hub');
  const total = source.info.frameCount;
  const counts = engine.analytics.counts();
  const warning =
    stats.frames === req.maxFrames
      ? undefined
      : truncationWarning(stats.frames, total, undefined, source.readToEnd?.());
  return {
    type: 'done',
    id: req.id,
    frames: stats.frames,
    ...(total !== undefined ? { framesTotal: total } : {}),
    fps: stats.fps,
    videoSeconds: stats.frames / source.info.fps,
    visitors: counts.tracksStarted,
    lines: counts.lines.map((l) => ({ lineId: l.lineId, name: l.name, in: l.in, out: l.out })),
    zones: counts.zones.map((z) => ({
      zoneId: z.zoneId,
      name: z.name,
      entries: z.entries,
      exits: z.exits,
      dwellMs: z.dwellMs,
    })),
    ...(warning ? { warning } : {}),
  };
}

type Source = Awaited<ReturnType<typeof openSource>>;

/** Reads the source to its end: the frames a file truly holds (a cut file's header promises more). */
async function countFrames(source: Source, signal: AbortSignal): Promise<number> {
  let frames = 0;
  while (await source.read()) {
    if (signal.aborted) throw new Error('stopped by the hub');
    frames++;
  }
  return frames;
}

/**
 * Opens the file and decodes its first frame: any failure means the hub cannot read this video.
 * With `countFrames`, also reads it to the end.
 */
async function probe(req: ProbeRequest, { abort }: Active): Promise<ToHub> {
  let source: Source;
  try {
    source = await openSource(req.file, { prefetch: false, ...(req.fps ? { fps: req.fps } : {}) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { type: 'error', id: req.id, message, rejected: true };
  }
  let framesRead: number | undefined;
  try {
    if (req.countFrames) framesRead = await countFrames(source, abort.signal);
  } finally {
    await source.close();
  }
  const { width, height, fps, frameCount } = source.info;
  return {
    type: 'probed',
    id: req.id,
    width,
    height,
    fps,
    ...(frameCount && frameCount > 0 ? { frameCount: Math.round(frameCount) } : {}),
    ...(framesRead !== undefined ? { framesRead } : {}),
  };
}

async function answer(req: ProcessRequest | ProbeRequest, run: Active): Promise<void> {
  try {
    await send(req.type === 'process' ? await processRecording(req, run) : await probe(req, run));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Unsent only when the hub is gone, and then this process ends.
    await send({ type: 'error', id: req.id, message, rejected: false }).catch(() => undefined);
  } finally {
    active.delete(req.id);
    // V8 does not see the native memory of OpenCV's frames (cv.ts): in a process that outlives the
    // recording, collect now so that the frames it dropped are freed before the next one.
    if (req.type === 'process' || req.countFrames) globalThis.gc?.();
  }
}

process.on('message', (raw: unknown) => {
  const msg = parseToWorker(raw);
  const run = active.get(msg.id);
  if (msg.type === 'ack') run?.flow.stored();
  else if (msg.type === 'cancel') {
    run?.abort.abort();
    run?.flow.cancel();
  } else if (!run) {
    const started: Active = { abort: new AbortController(), flow: new BatchFlow(msg.id, send) };
    active.set(msg.id, started);
    void answer(msg, started);
  }
});
// The hub went away (stopped, or crashed): nobody is left to store what this would find.
process.on('disconnect', () => process.exit(0));
// Loaded once, before the first request needs it; a failure is reported by each request that needs it.
loadOpenCV()
  .then(() => send({ type: 'ready' }))
  .catch(() => undefined);
