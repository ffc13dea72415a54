/**
 * Alert rules a store manager sets and the alerts they raise: what is watched, the threshold, and where
 * an alert goes. Every alert fires once, clears once, and stays in the history.
 */
import { type Static, Type } from '@sinclair/typebox';

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
