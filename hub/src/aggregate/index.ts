export * from './buckets.ts';
export * from './occupancy.ts';
export * from './rebuild.ts';
export * from './split-uploads.ts';
export * from './summarize.ts';
export * from './visits.ts';
