/**
 * The live feed across hub processes on one PostgreSQL server, over LISTEN/NOTIFY (docs/architecture.md
 * says why not the broker). Each hub listens on one channel per database schema and:
 *
 * - announces its stored events from inside the ingest's transaction (`announceStored`): PostgreSQL
 *   delivers a NOTIFY on commit only, so no hub shows an event that was rolled back. The notice holds
 *   seq ranges (payloads must stay under 8000 bytes); the other hubs read the events back.
 * - relays its alerts and upload job progress (the feed's `relayTo`) after they happened.
 * - tells the others when answers may be out of date (`announceChanged`: a change through the API, a
 *   retention pass, a recording's events); their answer caches drop them, as for announced events.
 * - hands what other hubs announced to its own feed, in arrival order, and skips its own notices:
 *   its clients got them already.
 *
 * Device statuses need none of this: every hub subscribes to every status on the broker. A notice
 * sent while a hub's listening connection is down is lost for that hub's dashboards (they catch up
 * over the API); the connection is opened again after `retryMs`.
 */
import { createHash } from 'node:crypto';
import {
  type EventsNotice,
  type HubNotice,
  MAX_NOTICE_BYTES,
  type SequencedEvent,
  topics,
} from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { AnswerCache } from '../api/answer-cache.ts';
import type { Db } from '../db/database.ts';
import { createRepositories } from '../db/repositories/index.ts';
import type { LiveFeed, RelayedMessage } from '../live/feed.ts';
import { eventsNotices, parseNotice } from './notices.ts';

export interface LiveBridgeOptions {
  /** The PostgreSQL server the hubs share (`DATABASE_URL`). */
  connectionString: string;
  /** The schema the tables live in, when one was chosen: hubs of another schema are not told. */
  schema: string | undefined;
  /** This hub process (cluster/instance.ts). */
  instanceId: string;
  /** The hub's pool: relays are sent and announced events read back through it. */
  db: Db;
  feed: Pick<LiveFeed, 'eventsStored' | 'fromOtherHub' | 'relayTo'>;
  log: { warn(obj: object, msg?: string): void; debug(obj: object, msg?: string): void };
  /** Pause before listening again after the connection broke (default 1 s). */
  retryMs?: number;
  /** The answer cache: what other hubs stored or changed makes its answers out of date. */
  answers?: Pick<AnswerCache, 'eventsStored' | 'storeChanged' | 'changed'> | undefined;
}

export interface LiveBridgeStats {
  /** Notices sent (events announced in transactions, alerts and job progress relayed). */
  sent: number;
  /** Other hubs' notices handed to this hub's feed. */
  delivered: number;
  /** This hub's own notices, skipped. */
  own: number;
  /** Notices refused (not a notice, or too big to send). */
  rejected: number;
}

/**
 * The NOTIFY channel of a schema ('public' when none was chosen). PostgreSQL cuts identifiers at 63
 * bytes, so a long schema name is replaced by its hash: two long names sharing a start stay apart.
 */
export function liveChannel(schema: string | undefined): string {
  const channel = `oskartrack_live_${schema ?? 'public'}`;
  if (Buffer.byteLength(channel) <= 63) return channel;
  return `oskartrack_live_${createHash('sha256')
    .update(schema ?? '')
    .digest('hex')
    .slice(0, 40)}`;
}

export class LiveBridge {
  readonly channel: string;
  readonly stats: LiveBridgeStats = { sent: 0, delivered: 0, own: 0, rejected: 0 };
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** Relays are sent one at a time, in order. */
  private sending: Promise<void> = Promise.resolve();
  /** Notices are handled one at a time, in arrival order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: LiveBridgeOptions) {
    this.channel = liveChannel(o.schema);
  }

  /** Listens (resolves once listening) and takes over the feed's relays. */
  async start(): Promise<void> {
    await this.listen();
    this.o.feed.relayTo((message) => this.relay(message));
  }

  /** Ingest's hook, inside the storing transaction: the other hubs are told on commit. */
  readonly announceStored = async (tx: Db, deviceId: string, stored: readonly SequencedEvent[]) => {
    if (stored.length === 0) return;
    for (const text of eventsNotices(
      this.o.instanceId,
      deviceId,
      stored.map((e) => e.seq),
    )) {
      await tx.execute(sql`SELECT pg_notify(${this.channel}, ${text})`);
      this.stats.sent++;
    }
  };

  /**
   * Tells the other hubs that answers about a store (or, without one, any answer) may be out of date;
   * resolves once sent. Never throws: a lost notice is logged (their safety age still applies).
   */
  readonly announceChanged = async (storeId: string | undefined): Promise<void> => {
    const text = JSON.stringify({
      hub: this.o.instanceId,
      kind: 'answers',
      ...(storeId !== undefined ? { storeId } : {}),
    });
    try {
      await this.o.db.execute(sql`SELECT pg_notify(${this.channel}, ${text})`);
      this.stats.sent++;
    } catch (err) {
      this.o.log.warn({ error: String(err) }, 'answer cache: could not tell the other hubs of a change');
    }
  };

  /** Resolves once every notice received so far is handled (tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.sending;
    await this.chain;
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.o.connectionString,
      application_name: `oskartrack-live-${this.o.instanceId}`,
    });
    client.on('notification', (n) => {
      if (n.channel !== this.channel || n.payload === undefined) return;
      const parsed = parseNotice(n.payload);
      // At once, not behind the read-back of earlier events: the next request here must not get an old answer.
      if (parsed.ok && parsed.value.hub !== this.o.instanceId) this.outdate(parsed.value);
      this.chain = this.chain.then(() => this.receive(parsed));
    });
    client.on('error', (err) => this.broken(client, err));
    client.on('end', () => this.broken(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    this.client = client;
  }

  private broken(client: pg.Client, err: Error): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => {});
    this.o.log.warn(
      { error: err.message },
      'live feed: lost the database connection that hears the other hubs; listening again',
    );
    const again = () => {
      this.retry = undefined;
      if (this.stopped) return;
      // Whatever the other hubs changed while this one was not listening is unknown: every answer may be old.
      this.listen().then(
        () => this.o.answers?.changed(),
        () => {
          this.retry = setTimeout(again, this.o.retryMs ?? 1000);
          this.retry.unref();
        },
      );
    };
    this.retry = setTimeout(again, this.o.retryMs ?? 1000);
    this.retry.unref();
  }

  /** An alert or job progress of this hub, to the others (after the fact: nothing to roll back). */
  private relay(message: RelayedMessage): void {
    const text = JSON.stringify({ hub: this.o.instanceId, kind: 'relay', message });
    if (Buffer.byteLength(text) > MAX_NOTICE_BYTES) {
      this.stats.rejected++;
      this.o.log.warn({ type: message.type }, 'live feed: a message too big for the other hubs was not sent');
      return;
    }
    this.stats.sent++;
    // One at a time: the pool's connections would otherwise reorder them (progress going back).
    this.sending = this.sending
      .then(() => this.o.db.execute(sql`SELECT pg_notify(${this.channel}, ${text})`))
      .then(
        () => undefined,
        (err: unknown) => this.o.log.warn({ error: String(err) }, 'live feed: could not tell the other hubs'),
      );
  }

  /** The answers another hub's notice makes out of date. */
  private outdate(notice: HubNotice): void {
    if (notice.kind === 'answers') {
      if (notice.storeId === undefined) this.o.answers?.changed();
      else this.o.answers?.storeChanged(notice.storeId);
    } else if (notice.kind === 'relay') {
      if (notice.message.type === 'job') this.o.answers?.storeChanged(notice.message.job.storeId);
    } else this.o.answers?.eventsStored(notice.deviceId);
  }

  private async receive(parsed: ReturnType<typeof parseNotice>): Promise<void> {
    if (!parsed.ok) {
      this.stats.rejected++;
      this.o.log.warn({ error: parsed.error }, 'live feed: a notice from another hub was refused');
      return;
    }
    const notice = parsed.value;
    if (notice.hub === this.o.instanceId) {
      this.stats.own++;
      return;
    }
    try {
      if (notice.kind === 'relay') this.o.feed.fromOtherHub(notice.message);
      else if (notice.kind === 'events') await this.events(notice);
      this.stats.delivered++;
    } catch (err) {
      this.o.log.warn({ error: String(err) }, 'live feed: could not read back events another hub stored');
    }
  }

  private async events(notice: EventsNotice): Promise<void> {
    topics.deviceRoot(notice.deviceId); // a device id that is a safe topic segment, or it throws
    const events = await createRepositories(this.o.db).deviceProgress.eventsIn(
      notice.deviceId,
      notice.ranges,
    );
    this.o.feed.eventsStored(notice.deviceId, events);
  }
}
