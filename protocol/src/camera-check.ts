/**
 * The installer's camera check: a minute of a camera's picture run through the detectors, and what it
 * says about the view (person size, people found, speed, light, a top-down view), with the detector
 * and settings it recommends. Made by the box (`oskartrack-agent check`, or asked by the hub over the
 * request channel as `request/camera-check`), shown by the hub's API and the dashboard.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Timestamp } from './events.ts';
import { Id } from './geometry.ts';
import { PROTOCOL_VERSION, RequestRefused, TransactionId } from './messages.ts';

const V = Type.Literal(PROTOCOL_VERSION);
const Share = Type.Number({ minimum: 0, maximum: 1 });
const Pixels = Type.Number({ minimum: 0, maximum: 16384 });
const Fps = Type.Number({ minimum: 0, maximum: 10_000 });
const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Text = Type.String({ minLength: 1, maxLength: 500 });

/** Seconds of video a check may look at. */
export const CHECK_MIN_SECONDS = 2;
export const CHECK_MAX_SECONDS = 300;
export const CHECK_DEFAULT_SECONDS = 60;

export const CheckDetector = Type.Union([Type.Literal('hog'), Type.Literal('yolox')]);
export type CheckDetector = Static<typeof CheckDetector>;

/** Heights of the people seen, in pixels of the camera's picture (boxes cut by the frame edge left out). */
export const PersonHeight = Type.Object(
  { median: Pixels, p10: Pixels, p90: Pixels, boxes: Count },
  { additionalProperties: false },
);
export type PersonHeight = Static<typeof PersonHeight>;

/** One detector's run over the video. */
export const CheckRun = Type.Object(
  {
    detector: CheckDetector,
    /** True for the detector the box is set to use; the other one runs on a sample when time allows. */
    configured: Type.Boolean(),
    frames: Count,
    /** Seconds of video these frames cover. */
    seconds: Type.Number({ minimum: 0 }),
    /** Share of frames in which at least one person was followed. */
    peopleShare: Share,
    /** People followed per frame, on average. */
    peoplePerFrame: Type.Number({ minimum: 0 }),
    /** Frames per second this box reached with this detector on every frame, decoding included. */
    fps: Fps,
    personHeight: Type.Union([PersonHeight, Type.Null()]),
    /** Share of person boxes at least 1.5 times as tall as wide (upright people seen from the side). */
    uprightShare: Type.Union([Share, Type.Null()]),
  },
  { additionalProperties: false },
);
export type CheckRun = Static<typeof CheckRun>;

export const CheckWarningCode = Type.Union([
  Type.Literal('small-people'),
  Type.Literal('top-down'),
  Type.Literal('dark'),
  Type.Literal('no-people'),
  Type.Literal('slow'),
  Type.Literal('short-video'),
  Type.Literal('detector-unavailable'),
]);
export type CheckWarningCode = Static<typeof CheckWarningCode>;

export const CheckWarning = Type.Object(
  { code: CheckWarningCode, message: Text },
  { additionalProperties: false },
);
export type CheckWarning = Static<typeof CheckWarning>;

/**
 * The detector and settings the check recommends for this view on this box. No size setting: the
 * detectors size their search themselves from the people they see.
 */
export const CheckRecommendation = Type.Object(
  {
    detector: CheckDetector,
    /** Always automatic (DetectorSettings.everyNth 'auto'): the box picks every 1st to 4th frame to keep up. */
    everyNth: Type.Literal('auto'),
    /**
     * False when even detection on every 4th frame would not keep up with the camera at the frames/s
     * this box reached (a `slow` warning then says what to do).
     */
    keepsUp: Type.Boolean(),
    /** Why, in plain words. */
    reason: Text,
  },
  { additionalProperties: false },
);
export type CheckRecommendation = Static<typeof CheckRecommendation>;

export const CameraCheck = Type.Object(
  {
    v: V,
    at: Timestamp,
    /** The camera on the box, when the check ran on one. */
    cameraId: Type.Optional(Id),
    /** What was read: a file path or a stream address without its password. */
    source: Type.String({ minLength: 1, maxLength: 2000 }),
    width: Type.Integer({ minimum: 1, maximum: 16384 }),
    height: Type.Integer({ minimum: 1, maximum: 16384 }),
    /** The camera's frame rate (as the check took it). */
    cameraFps: Fps,
    /**
     * Where that rate came from (given, a file's timestamps or header, the camera), in words, with what
     * to do when it may be wrong. Absent from boxes older than this field.
     */
    cameraFpsFrom: Type.Optional(Text),
    /** Seconds of video looked at by the configured detector. */
    seconds: Type.Number({ minimum: 0 }),
    /** Mean grey level of the picture, 0 (black) to 255 (white). */
    brightness: Type.Number({ minimum: 0, maximum: 255 }),
    /** Share of sampled moments in which something moved. */
    motionShare: Share,
    /** The configured detector first. */
    runs: Type.Array(CheckRun, { minItems: 1, maxItems: 2 }),
    /** Person height the verdict rests on: from the run that followed the most people. */
    personHeight: Type.Union([PersonHeight, Type.Null()]),
    recommended: CheckRecommendation,
    warnings: Type.Array(CheckWarning, { maxItems: 16 }),
    /** good: this view will count well; fair: it will, with the warnings' changes; poor: fix it first. */
    verdict: Type.Union([Type.Literal('good'), Type.Literal('fair'), Type.Literal('poor')]),
    /** One sentence for the installer. */
    summary: Text,
  },
  { additionalProperties: false },
);
export type CameraCheck = Static<typeof CameraCheck>;

/** At `.../request/camera-check`: the hub asks the box to check one of its cameras. */
export const CameraCheckRequest = Type.Object(
  {
    v: V,
    id: TransactionId,
    cameraId: Id,
    seconds: Type.Optional(Type.Integer({ minimum: CHECK_MIN_SECONDS, maximum: CHECK_MAX_SECONDS })),
  },
  { additionalProperties: false },
);
export type CameraCheckRequest = Static<typeof CameraCheckRequest>;

/** At `.../response/camera-check`: the check, or why there is none. */
export const CameraCheckResponse = Type.Union([
  Type.Object(
    { v: V, id: TransactionId, status: Type.Literal('ok'), data: CameraCheck },
    { additionalProperties: false },
  ),
  RequestRefused,
]);
export type CameraCheckResponse = Static<typeof CameraCheckResponse>;

/**
 * How long the hub waits for a box's answer to a check of `seconds`: the box stops its runs after
 * max(2 x seconds, seconds + 60) s (a slow box looks at less video), plus time to close and answer.
 */
export function checkAnswerMs(seconds: number): number {
  return (Math.max(2 * seconds, seconds + 60) + 30) * 1000;
}
