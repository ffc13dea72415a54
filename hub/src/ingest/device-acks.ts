/**
 * The end-to-end acknowledgement: each device's gap-free point (ack-tracker.ts), moved only after a
 * commit, and published signed on the device's ack channel.
 */
import { PROTOCOL_VERSION } from '@oskartrack/protocol';
import type { MessageBus } from '../broker/bus.ts';
import { send } from '../broker/channel-bus.ts';
import { AckTracker } from './ack-tracker.ts';
import type { RateLimitedLog } from './rate-limited-log.ts';

export class DeviceAcks {
  private readonly points = new Map<string, AckTracker>();

  constructor(
    private readonly bus: MessageBus,
    private readonly limited: RateLimitedLog,
  ) {}

  /** The device's gap-free point (what the last ack said); undefined before its first batch. */
  upTo(deviceId: string): number | undefined {
    return this.points.get(deviceId)?.upTo;
  }

  /** Whether the device's point is known since the hub started (else it is found in the database). */
  known(deviceId: string): boolean {
    return this.points.has(deviceId);
  }

  /** A copy of the device's point to move inside a transaction. */
  draft(deviceId: string): AckTracker {
    return this.points.get(deviceId)?.clone() ?? new AckTracker();
  }

  /** The transaction committed: its point becomes the device's. */
  commit(deviceId: string, point: AckTracker): void {
    this.points.set(deviceId, point);
  }

  /** Publishes the device's point; false when there is none yet or the bus refused it. */
  async send(deviceId: string): Promise<boolean> {
    const upToSeq = this.upTo(deviceId) ?? 0;
    if (upToSeq < 1) return false;
    try {
      await send(this.bus, 'ack', deviceId, { v: PROTOCOL_VERSION, upToSeq, at: Date.now() });
      return true;
    } catch (err) {
      // Stored all the same: the next batch (or the agent's resend) gets the ack.
      this.limited.warn(`ackfail:${deviceId}`, { deviceId, error: String(err) }, 'could not publish an ack');
      return false;
    }
  }
}
