/**
 * Read-only broker accounts for building systems (`/api/alert-listeners`): a building management
 * system, alarm panel or script logs in to the hub's broker with one and reads the alerts of one
 * store, or of every store, from the alert topic. The password is shown once, when it is made.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Id } from '../geometry.ts';
import { DateTime, Nullable, type Wire } from './wire.ts';

/** An account as listed: never its password. */
export const AlertListener = Type.Object({
  /** The MQTT user name, which is also the client id the system must use (`listener-...`). */
  id: Id,
  name: Type.String({ minLength: 1, maxLength: 100 }),
  /** The store whose alerts it reads; null: every store. */
  storeId: Nullable(Id),
  createdBy: Nullable(Type.String()),
  createdAt: DateTime,
});
export type AlertListener = Wire<Static<typeof AlertListener>>;

/** A new account: a name to recognise it by, and its store (null: every store). */
export const AlertListenerBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  storeId: Nullable(Id),
});
export type AlertListenerBody = Static<typeof AlertListenerBody>;

/** The new account with what the system needs to connect; the password is never shown again. */
export const NewAlertListener = Type.Object({
  account: AlertListener,
  /** MQTT user name and client id (the same as `account.id`). */
  username: Id,
  password: Type.String(),
  /** The broker address(es) the hub announces, e.g. `mqtts://hub.example:8883`. */
  brokerUrls: Type.Array(Type.String()),
  /** The topic to subscribe to (`+` stands for every store). */
  topic: Type.String(),
});
export type NewAlertListener = Wire<Static<typeof NewAlertListener>>;
