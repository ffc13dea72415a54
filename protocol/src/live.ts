/**
 * The live feed's messages at `/ws` (JSON text frames), for the hub and the dashboard alike.
 *
 * Connect with the access token: `/ws?token=<access token>` (browsers cannot set headers on a
 * WebSocket) or `Authorization: Bearer <access token>`. Without a valid token the socket is closed
 * with code 1008 (policy violation). Everything sent is limited to the caller's stores.
 *
 * Hub to client: `hello` first, then `status` (a box went online/offline or reported), `live` (the
 * boxes tracked in a camera's current frame; may be dropped for a slow client), `events` (every
 * event as it is stored, per commit, in seq order per device), `job` (progress of an uploaded
 * recording), `alert` (an alert of the client's stores fired or cleared), `video` (one picture
 * of a camera this client watches, with its frame time: see video.ts; skipped, like `live`, for a
 * slow client), `dropped` (events or other messages this client missed because it read too slowly:
 * fetch them over the REST API), `subscribed`, `pong`, `error`.
 *
 * Client to hub: `subscribe` / `unsubscribe` a camera's live boxes (by default a client gets every
 * camera's boxes; after its first `subscribe` only the cameras it named; `unsubscribe` without a
 * camera stops all, `subscribe` without one restores all), `auth` (a refreshed access token, so the
 * socket outlives the old token), `ping`, `watch` / `unwatch` a camera's video (the Live page: the hub
 * asks the camera's box for pictures while at least one client watches it, and stops it when the last
 * one unwatches or disconnects).
 *
 * Close codes: 1008 no/invalid/expired token or a session that ended; 1013 the client read too
 * slowly for too long (reconnect and catch up over REST); 1001 the hub is shutting down.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Alert } from './api/alerts.ts';
import { Role } from './api/resources.ts';
import { UploadJob } from './api/uploads.ts';
import { SequencedEvent } from './events.ts';
import { Id } from './geometry.ts';
import { DeviceStatus, LiveTracks } from './messages.ts';
import { VideoFrame } from './video.ts';

export const WS_PATH = '/ws';
/** Closed for a missing, invalid or expired token, or an ended session. */
export const CLOSE_POLICY = 1008;
/** Closed because the client read too slowly for too long. */
export const CLOSE_TOO_SLOW = 1013;
/** Closed because the hub is shutting down. */
export const CLOSE_GOING_AWAY = 1001;

// ---- hub to client ----

export const HelloMessage = Type.Object({
  type: Type.Literal('hello'),
  userId: Type.String(),
  role: Role,
  /** The stores this socket covers; `all` for an administrator. */
  stores: Type.Union([Type.Literal('all'), Type.Array(Id)]),
});

export const StatusMessage = Type.Object({
  type: Type.Literal('status'),
  storeId: Id,
  deviceId: Id,
  status: DeviceStatus,
});

export const LiveMessage = Type.Object({
  type: Type.Literal('live'),
  storeId: Id,
  deviceId: Id,
  cameraId: Id,
  tracks: LiveTracks,
});

/** One picture of a watched camera; `frame.at` matches the `tracks.at` of the boxes seen in it. */
export const VideoMessage = Type.Object({
  type: Type.Literal('video'),
  storeId: Id,
  deviceId: Id,
  cameraId: Id,
  frame: VideoFrame,
});

export const EventsMessage = Type.Object({
  type: Type.Literal('events'),
  storeId: Id,
  deviceId: Id,
  /** Stored in one commit, in seq order. */
  events: Type.Array(SequencedEvent),
});

export const JobMessage = Type.Object({ type: Type.Literal('job'), job: UploadJob });

/** An alert of the client's stores fired or cleared (`alert.state` says which). */
export const AlertMessage = Type.Object({ type: Type.Literal('alert'), alert: Alert });

/**
 * Sent where the stream has a gap: the client read too slowly and this many events (and other
 * messages: statuses, job progress) were not sent to it. Live boxes skipped are counted too but
 * never cause a notice on their own.
 */
export const DroppedMessage = Type.Object({
  type: Type.Literal('dropped'),
  events: Type.Integer({ minimum: 0 }),
  messages: Type.Integer({ minimum: 0 }),
  live: Type.Integer({ minimum: 0 }),
});

export const SubscribedMessage = Type.Object({
  type: Type.Literal('subscribed'),
  /** The cameras whose live boxes this socket gets: `all` (the default) or a list (empty: none). */
  live: Type.Union([Type.Literal('all'), Type.Array(Id)]),
  /** The cameras whose video this socket watches. */
  video: Type.Optional(Type.Array(Id)),
});

export const PongMessage = Type.Object({ type: Type.Literal('pong'), id: Type.Optional(Type.String()) });

export const ErrorMessage = Type.Object({ type: Type.Literal('error'), message: Type.String() });

export const ServerMessage = Type.Union([
  HelloMessage,
  StatusMessage,
  LiveMessage,
  VideoMessage,
  EventsMessage,
  JobMessage,
  AlertMessage,
  DroppedMessage,
  SubscribedMessage,
  PongMessage,
  ErrorMessage,
]);
export type ServerMessage = Static<typeof ServerMessage>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

// ---- client to hub ----

export const SubscribeMessage = Type.Object(
  { type: Type.Literal('subscribe'), cameraId: Type.Optional(Id) },
  { additionalProperties: false },
);
export const UnsubscribeMessage = Type.Object(
  { type: Type.Literal('unsubscribe'), cameraId: Type.Optional(Id) },
  { additionalProperties: false },
);
export const AuthMessage = Type.Object(
  { type: Type.Literal('auth'), token: Type.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);
export const PingMessage = Type.Object(
  { type: Type.Literal('ping'), id: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);

/** Start (`watch`) or stop (`unwatch`) a camera's live video. */
export const WatchMessage = Type.Object(
  { type: Type.Literal('watch'), cameraId: Id },
  { additionalProperties: false },
);
export const UnwatchMessage = Type.Object(
  { type: Type.Literal('unwatch'), cameraId: Id },
  { additionalProperties: false },
);

export const ClientMessage = Type.Union([
  SubscribeMessage,
  UnsubscribeMessage,
  AuthMessage,
  PingMessage,
  WatchMessage,
  UnwatchMessage,
]);
export type ClientMessage = Static<typeof ClientMessage>;
