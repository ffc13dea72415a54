/**
 * One evaluation of every alert rule: what is wrong now fires (once: the database's one-firing-row
 * index decides, so two hub processes never both fire), what is no longer wrong clears (once), and the
 * alerts of a disabled rule clear. Each store's new alerts and their deliveries commit in one
 * transaction; a storm (more than ALERT_GROUP_OVER new alerts of one store in one evaluation) shares a
 * `details.group` id (the rule is spelt out in protocol/src/api/alerts.ts).
 */
import { randomUUID } from 'node:crypto';
import { ALERT_GROUP_OVER } from '@oskartrack/protocol';
import type { Db } from '../db/database.ts';
import {
  type AlertRow,
  type AlertRuleRow,
  createRepositories,
  inTransaction,
} from '../db/repositories/index.ts';
import { checkRule, type Finding } from './conditions.ts';
import { gatherFacts, type StatusSource } from './facts.ts';

export interface EvaluateOptions {
  db: Db;
  statusOf: StatusSource;
  now: number;
  /** When this hub started watching (default: no limit): offline times count from then at most. */
  watchingSince?: number;
}

export interface Evaluation {
  /** Alerts this evaluation fired (not those another hub process fired first). */
  fired: AlertRow[];
  /** Alerts this evaluation cleared. */
  cleared: AlertRow[];
}

interface Plan {
  /** New findings per store, with their rule. */
  fire: Map<string, { rule: AlertRuleRow; finding: Finding }[]>;
  clear: { alert: AlertRow; rule: AlertRuleRow }[];
}

const key = (ruleId: string, subject: string) => `${ruleId}|${subject}`;

/** What to fire and clear, from the rules, the alerts firing now and the facts. */
async function plan(o: EvaluateOptions): Promise<Plan> {
  const repos = createRepositories(o.db);
  const [rules, firing] = await Promise.all([repos.alerts.listRules(), repos.alerts.firing()]);
  const enabled = rules.filter((r) => r.enabled);
  const storesOf = (rs: AlertRuleRow[]) => [...new Set(rs.map((r) => r.storeId))];
  const facts = await gatherFacts(repos, {
    storeIds: storesOf(enabled),
    peopleStoreIds: storesOf(enabled.filter((r) => r.kind === 'people_inside')),
    statusOf: o.statusOf,
    now: o.now,
    watchingSince: o.watchingSince ?? 0,
  });
  const firingNow = new Map(firing.map((a) => [key(a.ruleId, a.subject), a]));
  const result: Plan = { fire: new Map(), clear: [] };
  const stillWrong = new Set<string>();
  for (const rule of enabled) {
    const f = facts.get(rule.storeId);
    if (!f) continue;
    const check = checkRule(rule, f);
    for (const s of check.unknown) stillWrong.add(key(rule.id, s));
    for (const finding of check.findings) {
      stillWrong.add(key(rule.id, finding.subject));
      if (firingNow.has(key(rule.id, finding.subject))) continue;
      const list = result.fire.get(rule.storeId) ?? [];
      list.push({ rule, finding });
      result.fire.set(rule.storeId, list);
    }
  }
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const alert of firing) {
    const rule = byId.get(alert.ruleId);
    // A rule deleted meanwhile took its alerts with it.
    if (!rule || (rule.enabled && stillWrong.has(key(alert.ruleId, alert.subject)))) continue;
    result.clear.push({ alert, rule });
  }
  return result;
}

/** Fires one store's new alerts and their deliveries in one transaction. */
async function fireStore(
  db: Db,
  items: { rule: AlertRuleRow; finding: Finding }[],
  at: Date,
): Promise<AlertRow[]> {
  const group = items.length > ALERT_GROUP_OVER ? randomUUID() : undefined;
  return inTransaction(db, async (repos) => {
    const fired: AlertRow[] = [];
    for (const { rule, finding } of items) {
      const row = await repos.alerts.fire({
        rule,
        subject: finding.subject,
        message: finding.message,
        details: group ? { ...finding.details, group } : finding.details,
        at,
      });
      if (row) fired.push(row);
    }
    return fired;
  });
}

export async function evaluateAlerts(o: EvaluateOptions): Promise<Evaluation> {
  const p = await plan(o);
  const at = new Date(o.now);
  const result: Evaluation = { fired: [], cleared: [] };
  for (const items of p.fire.values()) result.fired.push(...(await fireStore(o.db, items, at)));
  for (const { alert, rule } of p.clear) {
    const row = await inTransaction(o.db, (repos) => repos.alerts.clear(alert.id, rule.channels, at));
    if (row) result.cleared.push(row);
  }
  return result;
}
