export { MAX_EVENT_BYTES, Outbox, type OutboxOptions, type OutboxStats, type OutboxSync } from './outbox.ts';
