/**
 * The delivery worker: every few seconds, or at once when woken, it claims the due deliveries (see
 * queue.ts; several hub processes may run one each), sends them (e-mail, webhook, MQTT), and marks
 * each delivered or failed (retry with backoff, given up after 24 hours: schedule.ts).
 */
import type { MessageBus } from '../../broker/bus.ts';
import type { Db } from '../../db/database.ts';
import type { Mailer } from '../../mail/mailer.ts';
import { emailJobs } from './email.ts';
import { publishAlert } from './mqtt.ts';
import { noticeOf } from './notice.ts';
import { claimDue, type DueDelivery, markDelivered, markExpired, markFailed } from './queue.ts';
import { expired, nextAttempt } from './schedule.ts';
import { webhookSecret } from './signing-secret.ts';
import { postWebhook } from './webhook.ts';

export interface DeliveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliveryWorkerOptions {
  db: Db;
  mailer: Mailer;
  /** The hub's message bus; without it MQTT deliveries fail (and are retried). */
  bus?: MessageBus | undefined;
  log: DeliveryLog;
  /** Milliseconds since 1970 (tests move it). Default Date.now. */
  now?: () => number;
  /** In [0, 1), for the retry jitter. Default Math.random. */
  random?: () => number;
  /** How often it looks for due deliveries when nobody wakes it. Default 5 s. */
  pollMs?: number;
  /** How long a claim keeps other workers off a delivery while it is sent. Default 5 min. */
  leaseMs?: number;
  /** Deliveries claimed at once. Default 100. */
  batch?: number;
  /** Messages sent at once. Default 5. */
  concurrency?: number;
  /** Webhook answer time limit. Default 10 s. */
  webhookTimeoutMs?: number;
}

/** One message to send and the deliveries it delivers. */
interface Job {
  channel: DueDelivery['channel'];
  deliveries: DueDelivery[];
  send(): Promise<void>;
}

export class DeliveryWorker {
  private readonly now: () => number;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly o: DeliveryWorkerOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
  }

  /** Starts polling; the first look is at once (deliveries left by a stopped hub go out now). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks now (after the pass under way, if any). */
  wake(): void {
    if (this.stopped) return;
    if (this.pass) this.again = true;
    else this.schedule(0);
  }

  /** Stops polling and waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  /** One claim-and-send round; returns how many deliveries it claimed. */
  async runOnce(): Promise<number> {
    const now = this.now();
    const leaseMs = this.o.leaseMs ?? 300_000;
    const claimed = await claimDue(this.o.db, new Date(now), new Date(now + leaseMs), this.o.batch ?? 100);
    const late = claimed.filter((d) => expired(d.createdAt, now));
    await markExpired(
      this.o.db,
      late.map((d) => d.id),
    );
    const jobs = this.jobs(claimed.filter((d) => !late.includes(d)));
    await eachLimited(jobs, this.o.concurrency ?? 5, (job) => this.attempt(job));
    return claimed.length;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), ms);
  }

  private tick(): void {
    this.pass = this.drain()
      .catch((err: unknown) =>
        this.o.log.error({ err }, 'alert delivery: looking for due deliveries failed; trying again soon'),
      )
      .finally(() => {
        this.pass = undefined;
        if (this.stopped) return;
        this.schedule(this.again ? 0 : (this.o.pollMs ?? 5000));
        this.again = false;
      });
  }

  /** Rounds until fewer than a full batch was due. */
  private async drain(): Promise<void> {
    const batch = this.o.batch ?? 100;
    while (!this.stopped && (await this.runOnce()) >= batch) {}
  }

  private jobs(deliveries: DueDelivery[]): Job[] {
    const emails = emailJobs(deliveries.filter((d) => d.channel === 'email'));
    const byId = new Map(deliveries.map((d) => [d.id, d]));
    return [
      ...emails.map((e) => ({
        channel: 'email' as const,
        deliveries: e.ids.map((id) => byId.get(id)!),
        send: () => this.o.mailer.send(e.message),
      })),
      ...deliveries
        .filter((d) => d.channel !== 'email')
        .map((d) => ({ channel: d.channel, deliveries: [d], send: () => this.sendOne(d) })),
    ];
  }

  private async sendOne(d: DueDelivery): Promise<void> {
    const notice = noticeOf(d);
    if (d.channel === 'mqtt') return publishAlert(this.o.bus, notice);
    if (d.channel !== 'webhook') throw new Error(`unknown delivery channel ${JSON.stringify(d.channel)}`);
    await postWebhook({
      url: d.target,
      notice,
      deliveryId: d.id,
      secret: await webhookSecret(this.o.db),
      nowSeconds: Math.floor(this.now() / 1000),
      ...(this.o.webhookTimeoutMs ? { timeoutMs: this.o.webhookTimeoutMs } : {}),
    });
  }

  /** Sends one job and records the outcome on each of its deliveries. */
  private async attempt(job: Job): Promise<void> {
    const ids = job.deliveries.map((d) => d.id);
    try {
      await job.send();
    } catch (err) {
      const words = (err as Error).message;
      this.o.log.warn({ deliveryIds: ids, channel: job.channel, why: words }, 'alert delivery failed');
      const now = this.now();
      for (const d of job.deliveries) {
        await markFailed(
          this.o.db,
          [d.id],
          words,
          nextAttempt(d.createdAt, d.attempts + 1, now, this.random()),
        );
      }
      return;
    }
    await markDelivered(this.o.db, ids, new Date(this.now()));
  }
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
