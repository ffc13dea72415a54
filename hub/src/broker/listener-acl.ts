/**
 * What a building system's read-only account may do on the embedded broker: read the alerts of its
 * store (or of every store), nothing else; never publish, never leave a last will. Pure functions, kept
 * apart from the device rules (acl.ts) so those stay as they are.
 */
import { topics } from '@oskartrack/protocol';
import { LISTENER_PREFIX } from '../db/repositories/alert-listeners.ts';
import type { Decision } from './acl.ts';

const ALLOW: Decision = { ok: true };
const deny = (reason: string): Decision => ({ ok: false, reason });

/** What the broker remembers of a listener's login: the store it reads, null for every store. */
export interface ListenerGrant {
  storeId: string | null;
}

/** Whether a user name is a listener account's (the device rules apply otherwise). */
export function isListenerName(username: string): boolean {
  return username.startsWith(LISTENER_PREFIX);
}

/** A store's alert topic, or undefined when the id cannot stand in a topic. */
function alertTopic(storeId: string): string | undefined {
  try {
    return topics.storeAlerts(storeId);
  } catch {
    return undefined;
  }
}

/**
 * A store account may subscribe to its store's alert topic only; an every-store account to every
 * store's (`oskartrack/v1/stores/+/alerts`) or to one store's. Never `#`, never a device topic.
 */
export function listenerSubscribeDecision(grant: ListenerGrant, pattern: string): Decision {
  if (grant.storeId !== null) {
    return pattern === alertTopic(grant.storeId) ? ALLOW : deny("only its store's alert topic");
  }
  if (pattern === topics.all.storeAlerts) return ALLOW;
  const [head = '', tail = ''] = topics.all.storeAlerts.split('+');
  const store =
    pattern.startsWith(head) && pattern.endsWith(tail) ? pattern.slice(head.length, -tail.length) : '';
  if (store !== '' && alertTopic(store) === pattern) return ALLOW;
  return deny("only the stores' alert topics");
}

/** A listener only reads: every publish (and so every last will) is refused. */
export function listenerPublishDecision(): Decision {
  return deny('a building-system account may only read alerts');
}
