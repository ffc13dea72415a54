export * from './buckets.ts';
export * from './rebuild.ts';
export * from './summarize.ts';
