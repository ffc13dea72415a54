/**
 * The alert conditions: for one rule and its store's facts, what is wrong right now (one finding per
 * subject: the store, a camera unit, a camera), and which subjects cannot be judged now (a camera
 * whose unit has not reported since the hub started, or is offline: its camera alerts stay as they
 * are instead of clearing on missing news).
 */
import type { AlertKind } from '@oskartrack/protocol';
import type { AlertRuleRow } from '../db/repositories/index.ts';
import type { HeardStatus, StoreFacts } from './facts.ts';
import {
  backlogMessage,
  offlineMessage,
  peopleInsideMessage,
  pictureMessage,
  stoppedMessage,
} from './words.ts';

export interface Finding {
  subject: string;
  message: string;
  details: Record<string, unknown>;
}

export interface RuleCheck {
  findings: Finding[];
  /** Subjects whose state is not known now: their firing alerts neither fire again nor clear. */
  unknown: ReadonlySet<string>;
}

type Rule = Pick<AlertRuleRow, 'kind' | 'threshold'>;
type Check = (rule: Rule, f: StoreFacts) => RuleCheck;

const MINUTE = 60_000;
const none = new Set<string>();

/** A crowd alert ends only below 90% of the limit, so a count hovering at it does not flap. */
export const PEOPLE_CLEAR_SHARE = 0.9;

function peopleInside(rule: Rule, f: StoreFacts): RuleCheck {
  if (f.peopleInside <= rule.threshold) {
    const hovering = f.peopleInside >= rule.threshold * PEOPLE_CLEAR_SHARE;
    return { findings: [], unknown: hovering ? new Set([f.store.id]) : none };
  }
  return {
    findings: [
      {
        subject: f.store.id,
        message: peopleInsideMessage(f.store.name, f.peopleInside, rule.threshold),
        details: { people: f.peopleInside, threshold: rule.threshold },
      },
    ],
    unknown: none,
  };
}

function unitOffline(rule: Rule, f: StoreFacts): RuleCheck {
  const findings: Finding[] = [];
  const unknown = new Set<string>();
  const limit = rule.threshold * MINUTE;
  for (const unit of f.units) {
    // A unit never heard from is still being set up: nothing to warn about yet.
    if (unit.online || !unit.lastSeenAt) continue;
    const lastSeen = unit.lastSeenAt.getTime();
    // Offline time this hub saw itself: after a hub restart the units need a moment to come back.
    if (f.now - Math.max(lastSeen, f.watchingSince) <= limit) {
      if (f.now - lastSeen > limit) unknown.add(unit.id);
      continue;
    }
    findings.push({
      subject: unit.id,
      message: offlineMessage(unit.name, f.now - lastSeen),
      details: { deviceId: unit.id, lastSeenAt: unit.lastSeenAt.toISOString(), threshold: rule.threshold },
    });
  }
  return { findings, unknown };
}

function backlogGrowing(rule: Rule, f: StoreFacts): RuleCheck {
  const findings: Finding[] = [];
  const unknown = new Set<string>();
  for (const unit of f.units) {
    // An offline unit's waiting counts are its offline alert's business; one already told stays told.
    if (!unit.online) unknown.add(unit.id);
    if (!unit.online || unit.outboxDepth <= 0 || !unit.statusAt) continue;
    // The oldest waiting count's age as of now: its age in the last status plus the time since
    // (the status's time is on the unit's clock: moved to the hub's when a status of it was heard).
    const madeAt = unit.statusAt.getTime() + clockOffset(f.statusOf(unit.id));
    const waitingMs = unit.outboxOldestAgeMs + Math.max(0, f.now - madeAt);
    if (waitingMs <= rule.threshold * MINUTE) continue;
    findings.push({
      subject: unit.id,
      message: backlogMessage(unit.name, unit.outboxDepth, waitingMs),
      details: { deviceId: unit.id, waiting: unit.outboxDepth, threshold: rule.threshold },
    });
  }
  return { findings, unknown };
}

/**
 * Each camera of the store with its unit's latest status entry (times on the hub's clock), or why it
 * cannot be judged.
 */
function cameraStatuses(f: StoreFacts) {
  const known: { id: string; name: string; entry: CameraEntry }[] = [];
  const unknown = new Set<string>();
  for (const camera of f.cameras) {
    // A camera switched off or taken off its unit has nothing to watch: its alerts end.
    if (!camera.enabled || !camera.deviceId) continue;
    const heard = f.statusOf(camera.deviceId);
    const entry = heard?.status.cameras.find((c) => c.cameraId === camera.id);
    if (heard?.status.state !== 'online' || !entry) unknown.add(camera.id);
    else known.push({ id: camera.id, name: camera.name, entry: onHubClock(entry, heard) });
  }
  return { known, unknown };
}
type CameraEntry = HeardStatus['status']['cameras'][number];

/** How far the hub's clock is ahead of the unit's, as its status tells (0 before one is heard). */
function clockOffset(heard: HeardStatus | undefined): number {
  return heard ? heard.receivedAt - heard.status.at : 0;
}

/**
 * The entry's times moved from the unit's clock to the hub's by the status's offset (received here
 * minus made there). The offset also holds the status's time in transit (at most one status interval
 * for a retained one after a hub restart): a problem may then count from a little later.
 */
function onHubClock(entry: CameraEntry, heard: HeardStatus): CameraEntry {
  const offset = clockOffset(heard);
  const shift = (t: number | undefined) => (t === undefined ? undefined : t + offset);
  return { ...entry, since: shift(entry.since), pictureSince: shift(entry.pictureSince) };
}

function cameraStopped(rule: Rule, f: StoreFacts): RuleCheck {
  const { known, unknown } = cameraStatuses(f);
  const findings: Finding[] = [];
  for (const { id, name, entry } of known) {
    if (entry.state === 'running' || entry.since === undefined) continue;
    const stoppedMs = f.now - entry.since;
    if (stoppedMs <= rule.threshold * MINUTE) continue;
    findings.push({
      subject: id,
      message: stoppedMessage(name, stoppedMs, entry.problem),
      details: {
        cameraId: id,
        state: entry.state,
        since: new Date(entry.since).toISOString(),
        threshold: rule.threshold,
      },
    });
  }
  return { findings, unknown };
}

function pictureChanged(rule: Rule, f: StoreFacts): RuleCheck {
  const { known, unknown } = cameraStatuses(f);
  const findings: Finding[] = [];
  for (const { id, name, entry } of known) {
    if (!entry.picture) continue;
    const since = entry.pictureSince ?? f.now;
    if (f.now - since < rule.threshold * MINUTE) continue;
    findings.push({
      subject: id,
      message: pictureMessage(name, entry.picture, since, f.store.timezone),
      details: {
        cameraId: id,
        picture: entry.picture,
        since: new Date(since).toISOString(),
        threshold: rule.threshold,
      },
    });
  }
  return { findings, unknown };
}

const CHECKS: Record<AlertKind, Check> = {
  people_inside: peopleInside,
  box_offline: unitOffline,
  backlog_growing: backlogGrowing,
  camera_stopped: cameraStopped,
  picture_changed: pictureChanged,
};

export function checkRule(rule: Rule, facts: StoreFacts): RuleCheck {
  return CHECKS[rule.kind](rule, facts);
}
