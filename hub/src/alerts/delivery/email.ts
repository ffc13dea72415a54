/**
 * E-mail words for alert deliveries, and the storm rule: deliveries claimed together for the same
 * address and event whose alerts share `details.group` go as one message ("7 problems in Demo
 * store"). Pure: the worker sends what this returns.
 */
import type { MailMessage } from '@oskartrack/protocol';
import { groupTitle } from '../words.ts';
import type { DueDelivery } from './queue.ts';

export interface EmailJob {
  /** The deliveries this one message delivers. */
  ids: string[];
  message: MailMessage;
}

/**
 * The sentence as a subject's tail: without a leading "<store>: " (the subject names the store),
 * without a final full stop, and "The ..." as "the ..." (names stay as they are).
 */
function tail(message: string, storeName: string): string {
  let s = message.trim().replace(/[.!]+$/, '');
  if (s.startsWith(`${storeName}: `)) s = s.slice(storeName.length + 2);
  return /^(The|A|An) /.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function sentence(message: string): string {
  const s = message.trim();
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** A time in the store's own zone, as people read it ("2 Dec 2026, 14:03 (Europe/Berlin)"). */
export function localTime(at: Date, timezone: string): string {
  const format = (timeZone: string) =>
    new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
  try {
    return `${format(timezone)} (${timezone})`;
  } catch {
    return `${format('UTC')} (UTC)`;
  }
}

const FOOTER = 'The Alerts page of your OskarTrack hub shows every alert and what has been sent.';

function single(d: DueDelivery): MailMessage {
  const store = d.store.name;
  const fired = `Noticed: ${localTime(d.alert.firedAt, d.store.timezone)}`;
  if (d.event === 'firing') {
    return {
      to: [d.target],
      subject: `Alert in ${store}: ${tail(d.alert.message, store)}`,
      text: [`${sentence(d.alert.message)}`, '', `Store: ${store}`, fired, '', FOOTER].join('\n'),
    };
  }
  const cleared = `Cleared: ${localTime(d.alert.clearedAt ?? new Date(), d.store.timezone)}`;
  return {
    to: [d.target],
    subject: `Cleared in ${store}: ${tail(d.alert.message, store)}`,
    text: [
      sentence(d.alert.message),
      'This is over now.',
      '',
      `Store: ${store}`,
      fired,
      cleared,
      '',
      FOOTER,
    ].join('\n'),
  };
}

function grouped(ds: DueDelivery[]): MailMessage {
  const first = ds[0]!;
  const stores = [...new Set(ds.map((d) => d.store.name))].join(' and ');
  const firing = first.event === 'firing';
  const lines = ds.map(
    (d) => `- ${sentence(d.alert.message)} (${localTime(d.alert.firedAt, d.store.timezone)})`,
  );
  return {
    to: [first.target],
    subject: firing ? groupTitle(ds.length, stores) : `${ds.length} problems cleared in ${stores}`,
    text: [
      firing
        ? `${ds.length} problems were noticed together in ${stores}:`
        : `${ds.length} problems in ${stores} are over now:`,
      '',
      ...lines,
      '',
      FOOTER,
    ].join('\n'),
  };
}

function groupOf(d: DueDelivery): string | undefined {
  const g = d.alert.details.group;
  return typeof g === 'string' && g !== '' ? g : undefined;
}

/** One message per delivery, except deliveries of one storm to one address: one message for them. */
export function emailJobs(deliveries: DueDelivery[]): EmailJob[] {
  const batches = new Map<string, DueDelivery[]>();
  for (const d of deliveries) {
    const group = groupOf(d);
    const key = group ? `group\n${d.target}\n${d.event}\n${group}` : `one\n${d.id}`;
    const batch = batches.get(key);
    if (batch) batch.push(d);
    else batches.set(key, [d]);
  }
  return [...batches.values()].map((ds) => ({
    ids: ds.map((d) => d.id),
    message: ds.length === 1 ? single(ds[0]!) : grouped(ds),
  }));
}
