/**
 * Records the devices' retained status messages (online, or offline through the last will) in the
 * database: last seen, online, connection counter, software version, applied config revision and
 * outbox depth. Malformed payloads, unknown devices and database errors are logged, never thrown.
 */
import type { DeviceStatus, Parsed } from '@oskartrack/protocol';
import type { Logger } from 'pino';
import { NotFoundError } from '../db/errors.ts';
import type { DevicesRepository } from '../db/repositories/devices.ts';
import type { MessageBus } from './bus.ts';
import { on } from './channel-bus.ts';
import { KeyedQueue } from './keyed-queue.ts';

export interface DeviceStatusOptions {
  bus: MessageBus;
  devices: Pick<DevicesRepository, 'recordStatus' | 'markAllOffline'>;
  log: Logger;
  /**
   * Mark every device offline before subscribing. Right for the embedded broker (no device is
   * connected when it starts; each one's status arrives as it connects); with an external broker the
   * retained statuses are delivered on subscribing instead.
   */
  markAllOffline?: boolean;
  /** Called after a status was stored (not for a stale one), e.g. to push it to dashboards. */
  onStatus?: StatusListener;
  now?: () => Date;
}

export interface DeviceStatusTracker {
  /** Messages stored, ignored as stale, and rejected (malformed, unknown device, database error). */
  stats(): { recorded: number; stale: number; rejected: number };
  /** Resolves once every status received so far is processed. */
  idle(): Promise<void>;
  /** Also calls `listener` after each status stored (not a stale one); it must not throw. */
  listen(listener: StatusListener): void;
}

export type StatusListener = (deviceId: string, status: DeviceStatus) => void;

/** Subscribes to `oskartrack/v1/devices/+/status` and keeps the devices table up to date. */
export async function trackDeviceStatus(options: DeviceStatusOptions): Promise<DeviceStatusTracker> {
  const { log } = options;
  const now = options.now ?? (() => new Date());
  const queue = new KeyedQueue();
  const counts = { recorded: 0, stale: 0, rejected: 0 };
  const listeners = new Set<StatusListener>();
  if (options.onStatus) listeners.add(options.onStatus);

  async function record(deviceId: string, parsed: Parsed<DeviceStatus>, receivedAt: Date): Promise<void> {
    if (!parsed.ok) {
      counts.rejected++;
      log.warn({ deviceId, error: parsed.error }, 'malformed device status ignored');
      return;
    }
    try {
      const applied = await options.devices.recordStatus(deviceId, parsed.value, receivedAt);
      if (!applied) {
        counts.stale++;
        log.debug({ deviceId, connection: parsed.value.connection }, 'stale device status ignored');
        return;
      }
      counts.recorded++;
      log.debug({ deviceId, state: parsed.value.state }, 'device status recorded');
      for (const listener of listeners) listener(deviceId, parsed.value);
    } catch (error) {
      counts.rejected++;
      if (error instanceof NotFoundError) log.warn({ deviceId }, 'status of an unknown device ignored');
      else log.error({ err: error, deviceId }, 'recording a device status failed');
    }
  }

  if (options.markAllOffline) {
    const marked = await options.devices.markAllOffline();
    if (marked > 0) log.info({ marked }, 'devices marked offline until they report');
  }

  await on(
    options.bus,
    'status',
    (deviceId, parsed) => {
      const receivedAt = now();
      // One device's statuses in arrival order: its offline will must not overtake its online status.
      void queue.run(deviceId, () => record(deviceId, parsed, receivedAt));
    },
    // An empty retained message only clears the topic (a deleted device).
    { accept: (message) => message.payload.length > 0 },
  );

  return {
    stats: () => ({ ...counts }),
    idle: () => queue.idle(),
    listen: (listener) => {
      listeners.add(listener);
    },
  };
}
