/**
 * The upload worker: a child process the hub starts for one recording or one probe
 * (hub/src/uploads/worker-process.ts), so that a decoder crashing on a damaged file ends this
 * process and not the hub. It takes one request over IPC, runs the agent's camera pipeline on the
 * file, and answers with the messages of worker-messages.ts. It numbers no events: the hub does
 * (see recordings-device.ts). FFmpeg writes its complaints to this process's stderr, which the hub
 * reads and sums up.
 */
import { openPipeline, openSource, type RunStats, runSource } from '@oskartrack/agent';
import type { TrackingEvent } from '@oskartrack/protocol';
import {
  type Done,
  type ProbeRequest,
  type ProcessRequest,
  parseToWorker,
  type ToHub,
} from './worker-messages.ts';

/**
 * Batches sent and not yet stored: the engine keeps detecting while the hub stores (a stop-and-wait
 * per batch left the detector idle for each transaction), but never runs further ahead than this.
 */
const IN_FLIGHT = 4;
const waiting: (() => void)[] = [];
let inFlight = 0;
let started = false;

function send(msg: ToHub): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('the upload worker runs without an IPC channel'));
    process.send(msg, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

/** Hands a batch to the hub; waits only while `IN_FLIGHT` batches are not stored yet. */
async function sendEvents(events: TrackingEvent[]): Promise<void> {
  inFlight++;
  await send({ type: 'events', events });
  if (inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
}

/** Waits until the hub has stored every batch sent. */
async function allStored(): Promise<void> {
  while (inFlight > 0) await new Promise<void>((resolve) => waiting.push(resolve));
}

/**
 * The frames read against what the header promised: a file cut short (an upload stopped midway, a
 * copy of a recording still being written) ends early. Headers estimate, so a few frames short pass.
 */
function truncationWarning(frames: number, total: number | undefined): string | undefined {
  if (!total || frames >= total - Math.max(2, total * 0.01)) return undefined;
  return `the video ends after ${frames} of ${total} frames: the file may be cut short`;
}

async function processRecording(req: ProcessRequest): Promise<Done> {
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
    while (pending.length >= (all ? 1 : req.batchEvents))
      await sendEvents(pending.splice(0, req.batchEvents));
  };
  const t0 = performance.now();
  let stats: RunStats;
  try {
    stats = await runSource(source, engine, {
      ...(req.maxFrames ? { maxFrames: req.maxFrames } : {}),
      onStep: async (_frame, result) => {
        pending.push(...result.events);
        await flush(false);
      },
      onFinish: async (last) => {
        pending.push(...last);
        await flush(true);
        await allStored();
      },
      onProgress: (framesDone, framesTotal) => {
        const s = (performance.now() - t0) / 1000;
        void send({
          type: 'progress',
          framesDone,
          ...(framesTotal !== undefined ? { framesTotal } : {}),
          fps: s > 0 ? framesDone / s : 0,
        });
      },
    });
  } finally {
    await close();
  }
  const total = source.info.frameCount;
  const counts = engine.analytics.counts();
  const warning = stats.frames === req.maxFrames ? undefined : truncationWarning(stats.frames, total);
  return {
    type: 'done',
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

/** Opens the file and decodes its first frame: any failure means the hub cannot read this video. */
async function probe(req: ProbeRequest): Promise<ToHub> {
  let source: Awaited<ReturnType<typeof openSource>>;
  try {
    source = await openSource(req.file, { prefetch: false, ...(req.fps ? { fps: req.fps } : {}) });
  } catch (err) {
    return { type: 'error', message: err instanceof Error ? err.message : String(err), rejected: true };
  }
  const { width, height, fps, frameCount } = source.info;
  await source.close();
  return {
    type: 'probed',
    width,
    height,
    fps,
    ...(frameCount && frameCount > 0 ? { frameCount: Math.round(frameCount) } : {}),
  };
}

async function answer(req: ProcessRequest | ProbeRequest): Promise<void> {
  try {
    await send(req.type === 'process' ? await processRecording(req) : await probe(req));
  } catch (err) {
    await send({ type: 'error', message: err instanceof Error ? err.message : String(err), rejected: false });
  }
  process.disconnect();
}

process.on('message', (raw: unknown) => {
  const msg = parseToWorker(raw);
  if (msg.type === 'ack') {
    inFlight--;
    waiting.shift()?.();
  } else if (!started) {
    started = true;
    void answer(msg);
  }
});
// The hub went away (stopped, or crashed): nobody is left to store what this would find.
process.on('disconnect', () => process.exit(0));
