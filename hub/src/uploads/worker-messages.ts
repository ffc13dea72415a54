/**
 * The messages between the hub and an upload worker (a child process, hub/src/uploads/worker.ts),
 * defined once for both sides and checked on receipt: a crashed or confused child must not be able
 * to hand the hub something it did not mean.
 *
 * One worker serves the hub for as long as it runs (worker-process.ts), so every request carries an
 * `id` the hub chose, and every answer names it: a probe can be answered while a recording is counted.
 * hub -> worker: `process` (one recording) or `probe` (is this a video?), an `ack` for each `events`
 * batch once the hub has stored it (the engine runs at most a few batches ahead of the database), and
 * `cancel` to stop a recording (deleted, or the hub stopping).
 * worker -> hub: `ready` once (OpenCV and the engine loaded); per request `progress`, `events`, then
 * one `done`, `probed` or `error`.
 */
import { check, LineDef, TrackingEvent, UploadSummary, ZoneDef } from '@oskartrack/protocol';
import { type Static, Type } from '@sinclair/typebox';

export const UPLOAD_DETECTORS = ['hog', 'yolox'] as const;

const Detector = Type.Union(UPLOAD_DETECTORS.map((d) => Type.Literal(d)));

/** The hub's name for one request, repeated in every message about it. */
const RequestId = Type.String({ minLength: 1, maxLength: 64 });

export const ProcessRequest = Type.Object({
  type: Type.Literal('process'),
  id: RequestId,
  /** The stored upload, a path on the hub. */
  file: Type.String({ minLength: 1 }),
  cameraId: Type.String({ minLength: 1 }),
  /** Epoch milliseconds of the first frame. */
  startTime: Type.Number(),
  fps: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  detector: Detector,
  /** Where YOLOX models are looked up. */
  dataDir: Type.String(),
  zones: Type.Array(ZoneDef),
  lines: Type.Array(LineDef),
  /** Events per `events` message. */
  batchEvents: Type.Integer({ minimum: 1 }),
  /** Stop after this many frames (tests). */
  maxFrames: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type ProcessRequest = Static<typeof ProcessRequest>;

export const ProbeRequest = Type.Object({
  type: Type.Literal('probe'),
  id: RequestId,
  file: Type.String({ minLength: 1 }),
  fps: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  /** Also read every frame and say how many there are (a header's count may promise more). */
  countFrames: Type.Optional(Type.Boolean()),
});
export type ProbeRequest = Static<typeof ProbeRequest>;

export const Ack = Type.Object({ type: Type.Literal('ack'), id: RequestId });

/** Stop a running `process` request: it ends with an `error`. */
export const Cancel = Type.Object({ type: Type.Literal('cancel'), id: RequestId });

export const ToWorker = Type.Union([ProcessRequest, ProbeRequest, Ack, Cancel]);
export type ToWorker = Static<typeof ToWorker>;

const Count = Type.Integer({ minimum: 0 });

export const Progress = Type.Object({
  type: Type.Literal('progress'),
  id: RequestId,
  framesDone: Count,
  framesTotal: Type.Optional(Count),
  /** Processing speed so far, frames per second. */
  fps: Type.Number({ minimum: 0 }),
});
export type Progress = Static<typeof Progress>;

export const EventsBatch = Type.Object({
  type: Type.Literal('events'),
  id: RequestId,
  events: Type.Array(TrackingEvent, { minItems: 1 }),
});

/**
 * The end of a recording: how many frames, and what the engine counted, in the shape of the protocol's
 * `UploadSummary` (the hub adds the events and visits it stored to make the job's summary).
 */
export const Done = Type.Composite([
  Type.Object({
    type: Type.Literal('done'),
    id: RequestId,
    frames: Count,
    framesTotal: Type.Optional(Count),
    fps: Type.Number({ minimum: 0 }),
  }),
  Type.Pick(UploadSummary, ['videoSeconds', 'visitors', 'lines', 'zones', 'warning']),
]);
export type Done = Static<typeof Done>;

export const Probed = Type.Object({
  type: Type.Literal('probed'),
  id: RequestId,
  width: Count,
  height: Count,
  fps: Type.Number({ exclusiveMinimum: 0 }),
  frameCount: Type.Optional(Count),
  /** The frames that could be read, when asked (`countFrames`). */
  framesRead: Type.Optional(Count),
});
export type Probed = Static<typeof Probed>;

export const WorkerError = Type.Object({
  type: Type.Literal('error'),
  id: RequestId,
  message: Type.String(),
  /** The file is not a video this hub can read (as opposed to a failure of the hub). */
  rejected: Type.Boolean(),
});

/** Sent once, when the worker has loaded OpenCV and the engine: its start-up is over. */
export const Ready = Type.Object({ type: Type.Literal('ready') });

export const ToHub = Type.Union([Ready, Progress, EventsBatch, Done, Probed, WorkerError]);
export type ToHub = Static<typeof ToHub>;

/** A message from the worker, or an error saying what was wrong with it. */
export function parseToHub(value: unknown): ToHub {
  const r = check(ToHub, value);
  if (!r.ok) throw new Error(`the upload worker sent a malformed message (${r.error})`);
  return r.value;
}

/** A message from the hub, or an error saying what was wrong with it. */
export function parseToWorker(value: unknown): ToWorker {
  const r = check(ToWorker, value);
  if (!r.ok) throw new Error(`the hub sent the upload worker a malformed message (${r.error})`);
  return r.value;
}
