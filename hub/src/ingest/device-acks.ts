/**
 * The end-to-end acknowledgement: a device's gap-free point (device-progress.ts), published signed on
 * the device's ack channel after the commit that wrote it.
 */
import { PROTOCOL_VERSION } from '@oskartrack/protocol';
import type { MessageBus } from '../broker/bus.ts';
import { send } from '../broker/channel-bus.ts';
import type { RateLimitedLog } from './rate-limited-log.ts';

export class DeviceAcks {
  constructor(
    private readonly bus: MessageBus,
    private readonly limited: RateLimitedLog,
  ) {}

  /** Publishes the device's point; false when there is none yet or the bus refused it. */
  async send(deviceId: string, upToSeq: number): Promise<boolean> {
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
