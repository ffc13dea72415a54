/**
 * Alert rules a store manager sets and the alerts they raise: what is watched, the threshold, and where
 * an alert goes. Every alert fires once, clears once, and stays in the history.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Id } from '../geometry.ts';
import { DateTime, NullableDateTime, Page, Uuid, type Wire } from './wire.ts';

/**
 * - `people_inside`: people inside the store above `threshold`.
 * - `box_offline`: a camera unit offline for more than `threshold` minutes.
 * - `backlog_growing`: a unit's unsent counts growing for more than `threshold` minutes.
 * - `camera_stopped`: a camera without a picture for more than `threshold` minutes.
 * - `picture_changed`: a camera's picture covered, moved or dark (seen on the box from the picture).
 */
export const AlertKind = Type.Union([
  Type.Literal('people_inside'),
  Type.Literal('box_offline'),
  Type.Literal('backlog_growing'),
  Type.Literal('camera_stopped'),
  Type.Literal('picture_changed'),
]);
export type AlertKind = Static<typeof AlertKind>;

/** Where an alert goes besides the dashboard, which always shows it. */
export const AlertChannels = Type.Object({
  /** E-mail addresses (through the SMTP server the administrator set). */
  email: Type.Array(Type.String({ format: 'email' }), { maxItems: 20 }),
  /** An https (or, for tests and local networks, http) URL that receives a signed JSON POST. */
  webhook: Type.Union([Type.String({ format: 'uri', maxLength: 2000 }), Type.Null()]),
  /** Published on the broker's alert topic for building systems. */
  mqtt: Type.Boolean(),
});
export type AlertChannels = Static<typeof AlertChannels>;

export const AlertState = Type.Union([Type.Literal('firing'), Type.Literal('cleared')]);
export type AlertState = Static<typeof AlertState>;

/** The most people a `people_inside` threshold may name. */
export const MAX_PEOPLE_THRESHOLD = 100_000;
/** The longest wait (minutes) a rule may name: one week. */
export const MAX_ALERT_MINUTES = 10_080;

/**
 * Storm grouping, the exact rule: when ONE evaluation fires MORE THAN `ALERT_GROUP_OVER` (5) alerts
 * for ONE store, every alert it fired for that store gets the same `details.group` (a new uuid, shared
 * by those alerts only, never reused). Each alert is still its own history row with its own deliveries;
 * the dashboard shows a group as one line ("7 problems in Demo store") and delivery sends one message
 * per group, channel and target for the deliveries whose alert carries the same `details.group`.
 * Clearing is never grouped (alerts clear one by one as each condition ends).
 */
export const ALERT_GROUP_OVER = 5;

/** A rule as stored. */
export const AlertRule = Type.Object({
  id: Uuid,
  storeId: Id,
  kind: AlertKind,
  /** People for `people_inside`; minutes for the others (0 for `picture_changed`: at once). */
  threshold: Type.Integer({ minimum: 0, maximum: MAX_PEOPLE_THRESHOLD }),
  channels: AlertChannels,
  enabled: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type AlertRule = Wire<Static<typeof AlertRule>>;

/** A new rule (`POST /api/alerts/rules`); the hub checks the threshold's range for the kind. */
export const AlertRuleBody = Type.Object({
  storeId: Id,
  kind: AlertKind,
  threshold: Type.Integer({ minimum: 0, maximum: MAX_PEOPLE_THRESHOLD }),
  channels: Type.Optional(AlertChannels),
  enabled: Type.Optional(Type.Boolean()),
});
export type AlertRuleBody = Static<typeof AlertRuleBody>;

/** A change to a rule (`PATCH /api/alerts/rules/:id`): what is given changes; kind and store do not. */
export const AlertRulePatch = Type.Object({
  threshold: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PEOPLE_THRESHOLD })),
  channels: Type.Optional(AlertChannels),
  enabled: Type.Optional(Type.Boolean()),
});
export type AlertRulePatch = Static<typeof AlertRulePatch>;

/** One alert in the history: fired once, cleared once. */
export const Alert = Type.Object({
  id: Uuid,
  ruleId: Uuid,
  storeId: Id,
  kind: AlertKind,
  /** What it is about: a camera unit's id, a camera's id, or the store's id. */
  subject: Type.String(),
  state: AlertState,
  /** The sentence shown and sent, in plain words. */
  message: Type.String(),
  /** `group`: shared by the alerts of one storm (see ALERT_GROUP_OVER); other keys per kind. */
  details: Type.Record(Type.String(), Type.Unknown()),
  firedAt: DateTime,
  clearedAt: NullableDateTime,
});
export type Alert = Wire<Static<typeof Alert>>;

export const AlertPage = Page(Alert);
export type AlertPage = Wire<Static<typeof AlertPage>>;

/**
 * What a webhook receives (the POST body) and the broker's alert topic carries
 * (`topics.storeAlerts`): one alert firing or cleared. `state` is the event told, so a late
 * "firing" message still says firing; `clearedAt` is set only on "cleared".
 */
export const AlertNotice = Type.Object({
  /** The alert's id: a firing and its clearing share it. */
  id: Uuid,
  storeId: Id,
  storeName: Type.String(),
  kind: AlertKind,
  /** What it is about: a camera unit's id, a camera's id, or the store's id. */
  subject: Type.String(),
  state: AlertState,
  /** The sentence, in plain words. */
  message: Type.String(),
  firedAt: Type.String({ format: 'date-time' }),
  clearedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type AlertNotice = Static<typeof AlertNotice>;

/** Webhook headers: seconds since 1970 and `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). */
export const WEBHOOK_TIMESTAMP_HEADER = 'X-OskarTrack-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'X-OskarTrack-Signature';
/** The delivery's id: the same on every retry of one message, so a receiver can drop repeats. */
export const WEBHOOK_DELIVERY_HEADER = 'X-OskarTrack-Delivery';

/** `GET /api/settings/webhook` (administrators): the secret receivers check signatures with. */
export const WebhookSettings = Type.Object({
  /** 32 random bytes as 64 hex characters; the HMAC key is this text's UTF-8 bytes. */
  signingSecret: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  timestampHeader: Type.String(),
  signatureHeader: Type.String(),
});
export type WebhookSettings = Static<typeof WebhookSettings>;
