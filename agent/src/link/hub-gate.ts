/**
 * Whether the hub listens, and so whether batches may go out. After every (re)connect the box holds
 * its batches until the hub's signed status says online: a hub announces online only once it has
 * subscribed, so the one rewind of a connect is spent on batches that reach it. After a broker restart
 * the hubs subscribe again later than the boxes; sending at once would lose those batches until the
 * ack time-out (30 s) sends them again.
 *
 * No status at all within `waitMs` (an older hub, or a broker that lost the retained status with no
 * hub up yet): the box sends anyway so nothing stalls, and the first online after that resends what is
 * unacknowledged, as it may have reached nobody. A hub that comes back (offline → online) always gets
 * everything unacknowledged again.
 */
import type { Logger } from 'pino';

export type HubState = 'online' | 'offline' | 'unknown';

export interface HubGateOptions {
  /** How long to wait for the hub's status after connecting before sending anyway. */
  waitMs: number;
  /** Everything unacknowledged goes out again (the sender's rewind). */
  rewind: (reason: string) => void;
  /** Try to send now. */
  kick: () => void;
  log: Logger;
}

export class HubGate {
  hub: HubState = 'unknown';
  /** The wait for a status ran out since the last connect: batches went out unheard. */
  private gaveUp = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: HubGateOptions) {}

  /** Whether batches may go out now. */
  get open(): boolean {
    return this.hub === 'online' || (this.hub === 'unknown' && this.gaveUp);
  }

  /** A new connection: nothing is known about the hub until its status arrives. */
  connected(): void {
    this.stop();
    this.hub = 'unknown';
    this.gaveUp = false;
  }

  /** Subscribed: the retained status, if the broker has one, is on its way; wait for it a while. */
  ready(): void {
    this.stop();
    if (this.hub !== 'unknown') return;
    this.timer = setTimeout(() => this.giveUp(), this.o.waitMs);
    this.timer.unref();
  }

  /** The hub's signed status. */
  heard(state: HubState): void {
    const previous = this.hub;
    this.hub = state;
    if (previous === state) return;
    this.stop();
    this.o.log.info({ hub: state }, `the hub is ${state}`);
    if (state !== 'online') return;
    // Right after connecting (unknown → online) nothing has gone out yet, unless the wait ran out.
    if (previous === 'offline' || this.gaveUp) this.o.rewind('hub online');
    this.gaveUp = false;
    this.o.kick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private giveUp(): void {
    this.timer = undefined;
    if (this.hub !== 'unknown') return;
    this.gaveUp = true;
    this.o.log.warn(
      { waitedMs: this.o.waitMs },
      'no status from the hub since connecting; sending anyway (resent once a hub says it is online)',
    );
    this.o.kick();
  }
}
