/**
 * What hub processes on one PostgreSQL tell each other over LISTEN/NOTIFY (the hub's live bridge),
 * checked on arrival like any message from outside. A notice's text stays under NOTIFY's 8000-byte
 * limit: stored events go as seq ranges (the other hubs read them back), alerts and job progress as
 * they are.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Id } from './geometry.ts';
import { AlertMessage, JobMessage } from './live.ts';
import { HubInstanceId } from './video.ts';

/** NOTIFY refuses payloads of 8000 bytes or more; room is left for the JSON around the ranges. */
export const MAX_NOTICE_BYTES = 7900;

const Seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** A device's events stored in one commit, as runs of seqs ([first, last], ascending). */
export const EventsNotice = Type.Object(
  {
    hub: HubInstanceId,
    kind: Type.Literal('events'),
    deviceId: Type.String({ minLength: 1, maxLength: 64 }),
    ranges: Type.Array(Type.Tuple([Seq, Seq]), { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type EventsNotice = Static<typeof EventsNotice>;

/** An alert fired or cleared, or an upload job's progress, for the other hubs' dashboards. */
export const RelayNotice = Type.Object(
  { hub: HubInstanceId, kind: Type.Literal('relay'), message: Type.Union([AlertMessage, JobMessage]) },
  { additionalProperties: false },
);
export type RelayNotice = Static<typeof RelayNotice>;

/**
 * Stored answers may be out of date: one store's data changed (`storeId`), or, without it, anything
 * answers depend on (settings, stores, cameras, areas, users, retention). The other hubs drop what their
 * answer caches hold for it (the hub's api/answer-cache.ts).
 */
export const AnswersNotice = Type.Object(
  { hub: HubInstanceId, kind: Type.Literal('answers'), storeId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type AnswersNotice = Static<typeof AnswersNotice>;

/** Any notice from another hub process (`hub` is the sender's instance id). */
export const HubNotice = Type.Union([EventsNotice, RelayNotice, AnswersNotice]);
export type HubNotice = Static<typeof HubNotice>;
