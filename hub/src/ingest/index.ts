export * from './ack-tracker.ts';
export * from './ingest.ts';
export { RateLimitedLog } from './rate-limited-log.ts';
