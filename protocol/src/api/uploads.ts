/** Uploaded recordings: `POST /api/uploads`, `GET /api/uploads[/:id]` and the live feed's `job`. */
import { type Static, Type } from '@sinclair/typebox';
import { Id } from '../geometry.ts';
import { Nullable, type Wire } from './wire.ts';

const WireDateTime = Type.String({ format: 'date-time' });

export const UploadState = Type.Union([
  Type.Literal('queued'),
  Type.Literal('processing'),
  Type.Literal('done'),
  Type.Literal('failed'),
]);
export type UploadState = Static<typeof UploadState>;

/** What a finished upload found (events stored by kind, visitors, visits, per line and area). */
export const UploadSummary = Type.Object({
  events: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  visitors: Type.Integer({ minimum: 0 }),
  visits: Type.Integer({ minimum: 0 }),
  lines: Type.Array(
    Type.Object({
      lineId: Type.String(),
      name: Type.String(),
      in: Type.Integer({ minimum: 0 }),
      out: Type.Integer({ minimum: 0 }),
    }),
  ),
  zones: Type.Array(
    Type.Object({
      zoneId: Type.String(),
      name: Type.String(),
      entries: Type.Integer({ minimum: 0 }),
      exits: Type.Integer({ minimum: 0 }),
      dwellMs: Type.Number({ minimum: 0 }),
    }),
  ),
  videoSeconds: Type.Number({ minimum: 0 }),
  /** The file ended early or was damaged ("the video ends after 16 of 795 frames: ..."). */
  warning: Type.Optional(Type.String()),
});
export type UploadSummary = Static<typeof UploadSummary>;

/** An uploaded recording's job (timestamps are always text: the job also travels over the live feed). */
export const UploadJob = Type.Object({
  id: Type.String({ format: 'uuid' }),
  storeId: Id,
  cameraId: Id,
  fileName: Type.String(),
  sizeBytes: Type.Integer({ minimum: 0 }),
  detector: Type.String(),
  state: UploadState,
  framesDone: Type.Integer({ minimum: 0 }),
  framesTotal: Nullable(Type.Integer({ minimum: 0 })),
  /** Processing speed, frames per second. */
  fps: Nullable(Type.Number({ minimum: 0 })),
  error: Nullable(Type.String()),
  summary: Nullable(UploadSummary),
  /** Time of the video's first frame, as given when uploading. */
  startTime: WireDateTime,
  createdAt: WireDateTime,
  startedAt: Nullable(WireDateTime),
  finishedAt: Nullable(WireDateTime),
});
export type UploadJob = Wire<Static<typeof UploadJob>>;
