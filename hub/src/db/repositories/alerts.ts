/**
 * Alert rules, the alert history and the deliveries an alert's firing or clearing queues (issue 14).
 * Firing relies on the partial unique index `alerts_one_firing_uq` (one firing row per rule and
 * subject): a second hub process's insert is a no-op and it queues no deliveries. Run `fire` and
 * `clear` inside a transaction so an alert and its deliveries commit together.
 */
import type { AlertChannels, AlertKind, AlertState } from '@oskartrack/protocol';
import { and, desc, eq, exists, gte, inArray, isNull, lt, notExists, or, sql } from 'drizzle-orm';
import { GIVEN_UP_AT } from '../../alerts/delivery/schedule.ts';
import type { Db } from '../database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { alertDeliveries, alertRules, alerts, trackingEvents } from '../schema.ts';
import { defined, isUuid, type Page, pageLimit } from './common.ts';

export type AlertRuleRow = typeof alertRules.$inferSelect;
export type AlertRow = typeof alerts.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;

export interface NewAlertRule {
  storeId: string;
  kind: AlertKind;
  threshold: number;
  channels: AlertChannels;
  enabled?: boolean | undefined;
  createdBy?: string | null | undefined;
}

export type AlertRulePatch = Partial<Pick<NewAlertRule, 'threshold' | 'channels' | 'enabled'>>;

export interface NewAlert {
  rule: Pick<AlertRuleRow, 'id' | 'storeId' | 'kind' | 'channels'>;
  subject: string;
  message: string;
  details: Record<string, unknown>;
  at: Date;
}

export interface AlertHistoryQuery {
  /** undefined: every store (administrators). */
  storeIds?: readonly string[] | undefined;
  state?: AlertState | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export const NO_CHANNELS: AlertChannels = { email: [], webhook: null, mqtt: false };

/** One delivery row per channel target: each address, the webhook URL, MQTT (target ''). */
export function deliveryTargets(
  channels: AlertChannels,
): { channel: 'email' | 'webhook' | 'mqtt'; target: string }[] {
  return [
    ...[...new Set(channels.email)].map((target) => ({ channel: 'email' as const, target })),
    ...(channels.webhook ? [{ channel: 'webhook' as const, target: channels.webhook }] : []),
    ...(channels.mqtt ? [{ channel: 'mqtt' as const, target: '' }] : []),
  ];
}

/** The history's paging cursor: (fired at, id) of the last row of a page. */
function encodeAlertCursor(row: AlertRow): string {
  return Buffer.from(JSON.stringify([row.firedAt.getTime(), row.id])).toString('base64url');
}

function decodeAlertCursor(cursor: string): { at: Date; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      Number.isInteger(value[0]) &&
      Math.abs(value[0] as number) <= 8.64e15 &&
      typeof value[1] === 'string' &&
      isUuid(value[1])
    ) {
      return { at: new Date(value[0] as number), id: value[1] };
    }
  } catch {
    // falls through
  }
  throw new ValidationError('invalid page cursor: start again without one');
}

export class AlertsRepository {
  constructor(private readonly db: Db) {}

  // ---- rules ----

  async listRules(options: { storeIds?: readonly string[] | undefined } = {}): Promise<AlertRuleRow[]> {
    const { storeIds } = options;
    if (storeIds && storeIds.length === 0) return [];
    return this.db
      .select()
      .from(alertRules)
      .where(storeIds ? inArray(alertRules.storeId, [...storeIds]) : undefined)
      .orderBy(alertRules.storeId, alertRules.createdAt, alertRules.id);
  }

  /** Enabled rules only: what the engine evaluates. */
  async enabledRules(): Promise<AlertRuleRow[]> {
    return this.db.select().from(alertRules).where(eq(alertRules.enabled, true));
  }

  async getRule(id: string): Promise<AlertRuleRow> {
    const [row] = isUuid(id) ? await this.db.select().from(alertRules).where(eq(alertRules.id, id)) : [];
    if (!row) throw new NotFoundError('alert rule', id);
    return row;
  }

  async createRule(input: NewAlertRule): Promise<AlertRuleRow> {
    const [row] = await this.db
      .insert(alertRules)
      .values({
        storeId: input.storeId,
        kind: input.kind,
        threshold: input.threshold,
        channels: input.channels,
        enabled: input.enabled ?? true,
        createdBy: input.createdBy ?? null,
      })
      .returning();
    return row!;
  }

  async updateRule(id: string, patch: AlertRulePatch): Promise<AlertRuleRow> {
    await this.getRule(id);
    const [row] = await this.db
      .update(alertRules)
      .set({ ...defined(patch), updatedAt: new Date() })
      .where(eq(alertRules.id, id))
      .returning();
    if (!row) throw new NotFoundError('alert rule', id);
    return row;
  }

  /**
   * Deletes the rule and, with it, its alerts and their deliveries (cascade). Refused (ConflictError)
   * while one of its alerts is going on or a message about one is still to be sent: the cascade would
   * take the message saying the alert is over with it. Switching the rule off ends its alerts (the
   * engine clears them and queues those messages).
   */
  async deleteRule(id: string): Promise<void> {
    const rows = isUuid(id)
      ? await this.db
          .delete(alertRules)
          .where(and(eq(alertRules.id, id), notExists(this.unfinishedAlerts(id))))
          .returning({ id: alertRules.id })
      : [];
    if (rows.length > 0) return;
    await this.getRule(id);
    const [going] = await this.firing({ ruleId: id });
    throw new ConflictError(
      going
        ? 'switch the rule off first: its alerts will end and the people told will hear so'
        : 'the messages saying its alerts are over are still being sent (tried for up to 24 hours): try again later',
    );
  }

  /** The rule's alerts still going on, or with a message still to be sent (not delivered, not given up). */
  private unfinishedAlerts(ruleId: string) {
    const unsent = this.db
      .select({ id: alertDeliveries.id })
      .from(alertDeliveries)
      .where(
        and(
          eq(alertDeliveries.alertId, alerts.id),
          isNull(alertDeliveries.deliveredAt),
          lt(alertDeliveries.nextAttemptAt, GIVEN_UP_AT),
        ),
      );
    return this.db
      .select({ id: alerts.id })
      .from(alerts)
      .where(and(eq(alerts.ruleId, ruleId), or(eq(alerts.state, 'firing'), exists(unsent))));
  }

  // ---- alerts ----

  /** The alerts firing now, newest first. */
  async firing(
    options: { storeIds?: readonly string[] | undefined; ruleId?: string } = {},
  ): Promise<AlertRow[]> {
    const { storeIds, ruleId } = options;
    if (storeIds && storeIds.length === 0) return [];
    return this.db
      .select()
      .from(alerts)
      .where(
        and(
          eq(alerts.state, 'firing'),
          storeIds ? inArray(alerts.storeId, [...storeIds]) : undefined,
          ruleId ? eq(alerts.ruleId, ruleId) : undefined,
        ),
      )
      .orderBy(desc(alerts.firedAt), desc(alerts.id));
  }

  /** The history, newest first, a page at a time. */
  async history(q: AlertHistoryQuery): Promise<Page<AlertRow>> {
    const limit = pageLimit(q.limit);
    if (q.storeIds && q.storeIds.length === 0) return { items: [], nextCursor: null };
    const after = q.cursor ? decodeAlertCursor(q.cursor) : undefined;
    const rows = await this.db
      .select()
      .from(alerts)
      .where(
        and(
          q.storeIds ? inArray(alerts.storeId, [...q.storeIds]) : undefined,
          q.state ? eq(alerts.state, q.state) : undefined,
          after
            ? or(lt(alerts.firedAt, after.at), and(eq(alerts.firedAt, after.at), lt(alerts.id, after.id)))
            : undefined,
        ),
      )
      .orderBy(desc(alerts.firedAt), desc(alerts.id))
      .limit(limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeAlertCursor(items[items.length - 1]!) : null };
  }

  /**
   * Fires an alert and queues its deliveries. undefined when this rule already fires for this subject
   * (maybe just fired by another hub process): nothing was written then.
   */
  async fire(input: NewAlert): Promise<AlertRow | undefined> {
    const [row] = await this.db
      .insert(alerts)
      .values({
        ruleId: input.rule.id,
        storeId: input.rule.storeId,
        kind: input.rule.kind,
        subject: input.subject,
        state: 'firing',
        message: input.message,
        details: input.details,
        firedAt: input.at,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) return undefined;
    await this.queueDeliveries(row.id, input.rule.channels, 'firing');
    return row;
  }

  /**
   * Clears a firing alert and queues its deliveries; undefined when it is no longer firing (another
   * hub process cleared it first): nothing was written then.
   */
  async clear(
    alertId: string,
    channels: AlertChannels,
    at: Date,
    message?: string,
  ): Promise<AlertRow | undefined> {
    const [row] = await this.db
      .update(alerts)
      .set({ state: 'cleared', clearedAt: at, ...(message ? { message } : {}) })
      .where(and(eq(alerts.id, alertId), eq(alerts.state, 'firing')))
      .returning();
    if (!row) return undefined;
    await this.queueDeliveries(row.id, channels, 'cleared');
    return row;
  }

  /** The deliveries queued for an alert, oldest first. */
  async deliveriesOf(alertId: string): Promise<AlertDeliveryRow[]> {
    return this.db
      .select()
      .from(alertDeliveries)
      .where(eq(alertDeliveries.alertId, alertId))
      .orderBy(alertDeliveries.createdAt, alertDeliveries.channel, alertDeliveries.target);
  }

  /** `event` is typed by the schema as the alert's state: 'firing' tells of a firing, 'cleared' of a clearing. */
  private async queueDeliveries(alertId: string, channels: AlertChannels, event: AlertState) {
    const targets = deliveryTargets(channels);
    if (targets.length === 0) return;
    await this.db.insert(alertDeliveries).values(targets.map((t) => ({ alertId, ...t, event })));
  }

  // ---- what the conditions read ----

  /**
   * People inside each store now, as the hub's occupancy counts them (aggregate/summarize.ts): live
   * camera tracks whose latest start since `since` (the occupancy's staleness limit) has no end after
   * it. One pass over the window's starts and ends (no per-track lookups).
   */
  async peopleInside(storeIds: readonly string[], since: Date): Promise<Map<string, number>> {
    if (storeIds.length === 0) return new Map();
    const e = trackingEvents;
    const tracks = this.db
      .select({
        storeId: e.storeId,
        started: sql<string | null>`max(${e.seq}) FILTER (WHERE ${e.kind} = 'track_started')`.as('started'),
        ended: sql<string | null>`max(${e.seq}) FILTER (WHERE ${e.kind} = 'track_ended')`.as('ended'),
      })
      .from(e)
      .where(
        and(
          inArray(e.storeId, [...storeIds]),
          gte(e.at, since),
          isNull(e.uploadId),
          inArray(e.kind, ['track_started', 'track_ended']),
        ),
      )
      .groupBy(e.storeId, e.deviceId, e.cameraId, e.trackId)
      .as('tracks');
    const rows = await this.db
      .select({ storeId: tracks.storeId, n: sql<number>`count(*)::int` })
      .from(tracks)
      .where(
        sql`${tracks.started} IS NOT NULL AND (${tracks.ended} IS NULL OR ${tracks.ended} < ${tracks.started})`,
      )
      .groupBy(tracks.storeId);
    return new Map(rows.map((r) => [r.storeId, Number(r.n)]));
  }
}
