/** What each kind of alert rule is called on the page, and what its number means. */
import type { Alert, AlertKind, AlertRule } from '@oskartrack/protocol';

export interface KindWords {
  /** In the kind chooser. */
  title: string;
  /** What the number is, next to its field. */
  unit: string;
  /** The rule in one sentence, with its number. */
  sentence: (n: number) => string;
  /** The number a new rule starts with. */
  start: number;
  min: number;
  max: number;
}

const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;

export const KINDS: Record<AlertKind, KindWords> = {
  people_inside: {
    title: 'Too many people inside',
    unit: 'people',
    sentence: (n) => `More than ${n} ${n === 1 ? 'person' : 'people'} inside`,
    start: 50,
    min: 1,
    max: 100_000,
  },
  box_offline: {
    title: 'A camera unit is offline',
    unit: 'minutes',
    sentence: (n) => `A camera unit offline for more than ${minutes(n)}`,
    start: 30,
    min: 1,
    max: 10_080,
  },
  backlog_growing: {
    title: 'Counts are not being sent',
    unit: 'minutes',
    sentence: (n) => `Counts waiting to be sent for more than ${minutes(n)}`,
    start: 30,
    min: 1,
    max: 10_080,
  },
  camera_stopped: {
    title: 'A camera has no picture',
    unit: 'minutes',
    sentence: (n) => `A camera without picture for more than ${minutes(n)}`,
    start: 10,
    min: 1,
    max: 10_080,
  },
  picture_changed: {
    title: 'A picture looks covered, moved or dark',
    unit: 'minutes it must last (0: at once)',
    sentence: (n) =>
      n === 0 ? 'A picture covered, moved or dark' : `A picture covered, moved or dark for ${minutes(n)}`,
    start: 0,
    min: 0,
    max: 10_080,
  },
};

export const KIND_ORDER: AlertKind[] = [
  'people_inside',
  'box_offline',
  'camera_stopped',
  'picture_changed',
  'backlog_growing',
];

/** Where a rule's alerts go besides this page, in words. */
export function channelWords(rule: Pick<AlertRule, 'channels'>): string {
  const c = rule.channels;
  const parts = [
    ...(c.email.length ? [`e-mail to ${c.email.join(', ')}`] : []),
    ...(c.webhook ? ['a web address'] : []),
    ...(c.mqtt ? ['the building system (MQTT)'] : []),
  ];
  return parts.length ? parts.join(', ') : 'this page only';
}

/** The storm group an alert belongs to, if any. */
export function groupOf(alert: Alert): string | undefined {
  const g = alert.details.group;
  return typeof g === 'string' ? g : undefined;
}

/** Alerts as the page lists them: one entry per alert, or one per storm group. */
export type AlertEntry = { alert: Alert } | { group: string; alerts: Alert[] };

export function entries(alerts: readonly Alert[]): AlertEntry[] {
  const out: AlertEntry[] = [];
  const groups = new Map<string, Alert[]>();
  for (const alert of alerts) {
    const g = groupOf(alert);
    if (!g) {
      out.push({ alert });
      continue;
    }
    let list = groups.get(g);
    if (!list) {
      list = [];
      groups.set(g, list);
      out.push({ group: g, alerts: list });
    }
    list.push(alert);
  }
  return out;
}

/** E-mail addresses typed with commas, spaces or new lines between them. */
export function splitAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
