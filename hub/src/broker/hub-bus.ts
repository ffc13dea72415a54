/**
 * What both bus implementations add to `MessageBus`: the retained hub status the agents watch (when
 * it turns online they resend everything unacknowledged) and a hook that runs before it does.
 */
import type { KeyObject } from 'node:crypto';
import { type HubStatus, PROTOCOL_VERSION } from '@oskartrack/protocol';
import { signMessage } from '@oskartrack/protocol/signing';
import type { MessageBus } from './bus.ts';

export interface HubBus extends MessageBus {
  readonly kind: 'embedded' | 'external';
  /** The retained hub status topic this bus announces on (`topics.hubStatus` unless a test chose one). */
  readonly hubStatusTopic: string;
  /** Whether this bus has announced the hub online (and not yet offline). */
  readonly online: boolean;
  /**
   * Publishes the retained hub status `online` (done at start unless `announce: false`). Call it once
   * the hub's modules are subscribed: agents resend their backlog when they see it.
   */
  announceOnline(): Promise<void>;
}

/**
 * Runs after the bus is up and before the hub announces itself online (and, for the embedded broker,
 * before any device can connect): subscribe the hub's modules and re-publish every device's retained
 * config here. The hub's is `prepare: async (bus) => { side = await startMqttSide(bus, {...}); }`
 * (server.ts; mqtt-side.ts attaches the live feed, device statuses and ingest, then publishes every
 * config).
 * aedes keeps retained messages in memory only, so a restarted hub starts with none.
 */
export type PrepareHook = (bus: MessageBus) => Promise<void>;

/** The retained hub status, signed over the topic it is published at (agents act on it). */
export function hubStatusPayload(
  state: HubStatus['state'],
  signing: { key: KeyObject; topic: string },
  at: number = Date.now(),
): Buffer {
  const status: HubStatus = { v: PROTOCOL_VERSION, state, at };
  return Buffer.from(signMessage(signing.key, signing.topic, status));
}
