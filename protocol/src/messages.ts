import { type Static, Type } from '@sinclair/typebox';
import { Seq, SequencedEvent, Timestamp } from './events.ts';
import { Box, Id, LineDef, ZoneDef } from './geometry.ts';

/** Protocol version: in every topic (`oskartrack/v1/...`) and every payload (`v`). */
export const PROTOCOL_VERSION = 1;
const V = Type.Literal(PROTOCOL_VERSION);

export const MAX_BATCH_EVENTS = 500;
export const MAX_LIVE_TRACKS = 200;
export const MAX_CAMERAS = 16;
export const MAX_ZONES = 64;
/** Largest MQTT payload the hub reads; anything bigger is rejected before parsing. */
export const MAX_PAYLOAD_BYTES = 1_048_576;
/** A snapshot picture travels base64-encoded inside the response; it must fit a payload. */
export const MAX_SNAPSHOT_BASE64 = 900_000;

const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const ShortText = Type.String({ maxLength: 500 });

export const CameraState = Type.Union([
  Type.Literal('starting'),
  Type.Literal('running'),
  Type.Literal('reconnecting'),
  Type.Literal('failed'),
  Type.Literal('stopped'),
]);
export type CameraState = Static<typeof CameraState>;

/**
 * Why a camera gives no picture, so the hub can say what to do: `unreachable` (no answer at that
 * address), `not-answering` (connected, but the camera said nothing), `credentials` (user name or
 * password refused), `not-found` (no stream at that path), `no-picture` (answered, but no frame could
 * be decoded), `stalled` (the picture stopped while the connection stayed open).
 */
export const CameraProblem = Type.Union([
  Type.Literal('unreachable'),
  Type.Literal('not-answering'),
  Type.Literal('credentials'),
  Type.Literal('not-found'),
  Type.Literal('no-picture'),
  Type.Literal('stalled'),
]);
export type CameraProblem = Static<typeof CameraProblem>;

/**
 * What is wrong with a running camera's picture itself, seen on the box: `covered` (almost no detail
 * left, e.g. a hand or a bag over the lens), `moved` (the still background no longer matches the one
 * learnt, e.g. the camera was turned), `dark` (too little light to see people).
 */
export const PictureProblem = Type.Union([
  Type.Literal('covered'),
  Type.Literal('moved'),
  Type.Literal('dark'),
]);
export type PictureProblem = Static<typeof PictureProblem>;

/** Retained at `.../status`; the offline form is also the MQTT last will. */
export const DeviceStatus = Type.Object(
  {
    v: V,
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    at: Timestamp,
    /** Grows on every connection, so the hub can tell a stale last will from the current session. */
    connection: Count,
    software: Type.String({ minLength: 1, maxLength: 64 }),
    configRevision: Count,
    outbox: Type.Object(
      { depth: Count, oldestAgeMs: Count, dropped: Count },
      { additionalProperties: false },
    ),
    cameras: Type.Array(
      Type.Object(
        {
          cameraId: Id,
          state: CameraState,
          fps: Type.Number({ minimum: 0, maximum: 1000 }),
          error: Type.Optional(ShortText),
          problem: Type.Optional(CameraProblem),
          /** When the camera entered its current state. */
          since: Type.Optional(Timestamp),
          /** Capture time of the last frame; absent before the first one. */
          lastFrameAt: Type.Optional(Timestamp),
          /** Times the picture was lost in the last 24 hours, and the time without picture in them. */
          gaps: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          gapMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
          /** A problem with the picture itself, and since when; absent while the picture is fine. */
          picture: Type.Optional(PictureProblem),
          pictureSince: Type.Optional(Timestamp),
          /** Pictures of a live camera skipped since the camera started, to keep up with it. */
          dropped: Type.Optional(Count),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_CAMERAS },
    ),
  },
  { additionalProperties: false },
);
export type DeviceStatus = Static<typeof DeviceStatus>;

/** A batch of events at `.../events`, in ascending `seq` order. */
export const EventBatch = Type.Object(
  {
    v: V,
    sentAt: Timestamp,
    /**
     * Every seq below this is acknowledged or was dropped by the agent's bounded outbox: the hub's
     * gap-free point moves up to at least `floor - 1`, so a drop can never stall delivery.
     */
    floor: Seq,
    events: Type.Array(SequencedEvent, { minItems: 1, maxItems: MAX_BATCH_EVENTS }),
  },
  { additionalProperties: false },
);
export type EventBatch = Static<typeof EventBatch>;

/** At `.../ack`, sent only after the database commit: everything up to `upToSeq` is stored. */
export const Ack = Type.Object(
  { v: V, upToSeq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), at: Timestamp },
  { additionalProperties: false },
);
export type Ack = Static<typeof Ack>;

export const DetectorSettings = Type.Object(
  {
    kind: Type.Union([Type.Literal('hog'), Type.Literal('yolox')]),
    /** Model file on the device (yolox); absent means the default downloaded model. */
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /**
     * Minimum detection score, or 'auto': the box chooses it from the people it sees (YOLOX) or keeps
     * every detection for the tracker's second pass (HOG), as `oskartrack-agent process` does.
     */
    scoreThreshold: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Literal('auto')]),
    /**
     * Run the detector on every Nth frame; the tracker predicts in between. 'auto': the box picks 1 to 4
     * to keep up with the camera's frame rate on the CPU it has (agent/src/engine/pace.ts).
     */
    everyNth: Type.Union([Type.Integer({ minimum: 1, maximum: 30 }), Type.Literal('auto')]),
    /** Skip detection on frames where nothing moved. */
    motionGate: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type DetectorSettings = Static<typeof DetectorSettings>;

export const CameraConfig = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    /** rtsp://, rtsps://, http(s)://, a webcam index ("0") or a file path. */
    source: Type.String({ minLength: 1, maxLength: 2000 }),
    /** Overrides the frame rate a stream or file header claims. */
    fps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 240 })),
    loop: Type.Optional(Type.Boolean()),
    /** This camera's own detector; absent: the device's `detector` (the hub-wide setting). */
    detector: Type.Optional(DetectorSettings),
    zones: Type.Array(ZoneDef, { maxItems: MAX_ZONES }),
    lines: Type.Array(LineDef, { maxItems: MAX_ZONES }),
  },
  { additionalProperties: false },
);
export type CameraConfig = Static<typeof CameraConfig>;

/** Retained at `.../config`; the agent applies a higher revision without a restart. */
export const DeviceConfig = Type.Object(
  {
    v: V,
    revision: Count,
    cameras: Type.Array(CameraConfig, { maxItems: MAX_CAMERAS }),
    detector: DetectorSettings,
    live: Type.Object(
      { enabled: Type.Boolean(), maxFps: Type.Number({ exclusiveMinimum: 0, maximum: 30 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type DeviceConfig = Static<typeof DeviceConfig>;

/** At `.../live/{cameraId}`, QoS 0: the boxes tracked in the current frame; never stored. */
export const LiveTracks = Type.Object(
  {
    v: V,
    cameraId: Id,
    at: Timestamp,
    frame: Count,
    width: Type.Integer({ minimum: 1, maximum: 16384 }),
    height: Type.Integer({ minimum: 1, maximum: 16384 }),
    tracks: Type.Array(
      Type.Object(
        { id: Type.Integer({ minimum: 1 }), box: Box, score: Type.Number({ minimum: 0, maximum: 1 }) },
        { additionalProperties: false },
      ),
      { maxItems: MAX_LIVE_TRACKS },
    ),
  },
  { additionalProperties: false },
);
export type LiveTracks = Static<typeof LiveTracks>;

/** The id a request and its response share. */
export const TransactionId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

/** At `.../request/snapshot`: the hub asks for one picture of a camera (for drawing areas). */
export const SnapshotRequest = Type.Object(
  {
    v: V,
    id: TransactionId,
    cameraId: Id,
    maxWidth: Type.Optional(Type.Integer({ minimum: 16, maximum: 4096 })),
  },
  { additionalProperties: false },
);
export type SnapshotRequest = Static<typeof SnapshotRequest>;

/** At `.../response/snapshot`: a JPEG, or the reason there is none. */
/** A box's answer to a request it could not carry out, with the reason in plain words (every request kind). */
export const RequestRefused = Type.Object(
  {
    v: V,
    id: TransactionId,
    status: Type.Literal('error'),
    error: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const SnapshotResponse = Type.Union([
  Type.Object(
    {
      v: V,
      id: TransactionId,
      status: Type.Literal('ok'),
      data: Type.Object(
        {
          cameraId: Id,
          contentType: Type.Literal('image/jpeg'),
          width: Type.Integer({ minimum: 1, maximum: 16384 }),
          height: Type.Integer({ minimum: 1, maximum: 16384 }),
          base64: Type.String({
            minLength: 1,
            maxLength: MAX_SNAPSHOT_BASE64,
            pattern: '^[A-Za-z0-9+/]+={0,2}$',
          }),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  RequestRefused,
]);
export type SnapshotResponse = Static<typeof SnapshotResponse>;

/** Retained at `oskartrack/v1/hub/status`: when it turns online, agents resend what is unacknowledged. */
export const HubStatus = Type.Object(
  { v: V, state: Type.Union([Type.Literal('online'), Type.Literal('offline')]), at: Timestamp },
  { additionalProperties: false },
);
export type HubStatus = Static<typeof HubStatus>;

export { Seq };
