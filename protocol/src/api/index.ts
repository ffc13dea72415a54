export * from './analytics.ts';
export * from './auth.ts';
export * from './resources.ts';
export * from './uploads.ts';
export * from './visit-durations.ts';
export * from './wire.ts';
